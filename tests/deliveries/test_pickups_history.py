"""'Mes retraits' tells what became of each past order: cancelled, collected (on the Paris
clock), or, when nobody collected it, the fate the volunteers gave it when closing the day."""

import datetime as dt
import html
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from deliveries.distribution.selectors.pickup_list import prepare_handovers
from deliveries.distribution.selectors.pickups import member_pickups
from deliveries.distribution.services.handovers import Tick, close_distribution, record_ticks
from deliveries.models import Closure, DistributionDay, Handover, LeftoverFate
from deliveries.network.services import cancel_order_before_cutoff, materialise_distribution_days
from marketplace.checkout.services import place_order_for_day
from marketplace.shop_setup import ensure_shop_basics
from tests.baskets.calendar import DEC_1, DEC_8, DEC_15, DEC_22, PARIS_NOW, tuesdays
from tests.clock import PARIS
from tests.factories import PickupPointFactory, UserFactory, product_for

# Monday 23 November 2026: the point distributes on Tuesdays, 18:00 to 19:30.
pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

DEC_29, JAN_5 = dt.date(2026, 12, 29), dt.date(2027, 1, 5)


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def point(db):
    return tuesdays(PickupPointFactory(name="Maison du Thabor", food_aid_partner="Restos du Cœur"))


@pytest.fixture
def eggs(producer):
    return product_for(producer, title="Œufs", stock=500)


@pytest.fixture
def volunteer(db):
    return UserFactory(first_name="Benoît", last_name="Lemaire")


def day_on(point, date):
    return DistributionDay.objects.select_related("pickup_point").get(pickup_point=point, date=date)


def at(date, hour, minute=0):
    return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=PARIS)


def order(member, product, day, quantity=1):
    placed = place_order_for_day(member, [(product, quantity)], day.pk)
    placed.refresh_from_db()  # its number as stored: a string
    return placed


def handover_of(order):
    return Handover.objects.get(pickup_order__order=order)


def run_distribution(clock, volunteer, day, collected=None, fates=None):
    """The volunteers open the list, tick what is collected (at its Paris time), and close the
    day after it ends, giving a fate to each order left."""
    prepare_handovers(day)
    for placed, ticked_at in (collected or {}).items():
        tick = Tick(uuid.uuid4(), handover_of(placed).pk, True, ticked_at)
        record_ticks(volunteer, day, [tick], now=ticked_at)
    clock.now = day.ends_at + dt.timedelta(minutes=15)
    left = {handover_of(placed).pk: fate for placed, fate in (fates or {}).items()}
    close_distribution(volunteer, day.pk, left)


def outcomes(member) -> dict[str, str]:
    with translation.override("en"):
        return {item.pickup.order.number: item.outcome for item in member_pickups(member).past}


def mes_retraits(client, member) -> str:
    client.force_login(member)
    response = client.get(reverse("deliveries:upcoming-orders"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def past_section(page: str) -> str:
    return page[page.index('id="past-orders-title"') :]


@pytest.fixture
def season_of_orders(clock, point, member, eggs, volunteer):
    """One order a week, each with its own fate, and one more to collect in January."""
    days = {date: day_on(point, date) for date in (DEC_1, DEC_8, DEC_15, DEC_22, DEC_29, JAN_5)}
    placed = {
        "collected": order(member, eggs, days[DEC_1], 2),
        "kept": order(member, eggs, days[DEC_8]),
        "given": order(member, eggs, days[DEC_8]),
        "food_aid": order(member, eggs, days[DEC_15]),
        "left_open": order(member, eggs, days[DEC_22]),
        "cancelled": order(member, eggs, days[DEC_29]),
        "coming": order(member, eggs, days[JAN_5]),
    }
    cancel_order_before_cutoff(member, placed["cancelled"].number)
    run_distribution(
        clock, volunteer, days[DEC_1], collected={placed["collected"]: at(DEC_1, 18, 42)}
    )
    run_distribution(
        clock,
        volunteer,
        days[DEC_8],
        fates={
            placed["kept"]: (LeftoverFate.KEPT, ""),
            placed["given"]: (LeftoverFate.GIVEN, "Marc Riou"),
        },
    )
    run_distribution(
        clock, volunteer, days[DEC_15], fates={placed["food_aid"]: (LeftoverFate.FOOD_AID, "")}
    )
    prepare_handovers(days[DEC_22])  # the list was opened, the day is not closed yet
    clock.now = at(DEC_22, 20, 30)
    return placed


def test_each_past_order_says_what_became_of_it(member, season_of_orders):
    placed = season_of_orders

    said = outcomes(member)

    assert said == {
        placed["collected"].number: "Collected at 18:42",
        placed["kept"].number: "Not collected: kept for you",
        placed["given"].number: "Not collected: given to Marc Riou",
        placed["food_aid"].number: "Not collected: given to the food-aid partner, Restos du Cœur",
        placed["left_open"].number: "Not recorded yet",
        placed["cancelled"].number: "Cancelled",
    }
    assert [pickup.order.number for pickup in member_pickups(member).coming] == [
        placed["coming"].number
    ]


def test_mes_retraits_lists_the_past_orders_newest_first_with_their_fate(
    client, member, season_of_orders
):
    placed = season_of_orders

    page = mes_retraits(client, member)

    past = past_section(page)
    coming = page[: page.index('id="past-orders-title"')]
    assert placed["coming"].number in coming
    assert all(placed[key].number not in coming for key in placed if key != "coming")
    numbers = [placed[key].number for key in ("left_open", "food_aid", "kept", "collected")]
    assert [past.index(number) for number in numbers] == sorted(
        past.index(number) for number in numbers
    )
    assert "Tuesday 1 December" in past and "2 × Œufs" in past
    for said in ("Collected at 18:42", "kept for you", "given to Marc Riou", "Restos du Cœur"):
        assert said in past
    assert "Not recorded yet" in past and "Cancelled" in past


def test_the_collection_time_is_on_the_paris_clock_whatever_zone_is_active(
    clock, point, member, eggs, volunteer
):
    day = day_on(point, DEC_1)
    placed = order(member, eggs, day)
    run_distribution(clock, volunteer, day, collected={placed: at(DEC_1, 18, 5)})

    with timezone.override(ZoneInfo("UTC")):
        said = outcomes(member)

    assert said == {placed.number: "Collected at 18:05"}


def test_an_order_collected_during_the_distribution_leaves_the_orders_to_collect(
    clock, client, point, member, eggs, volunteer
):
    day = day_on(point, DEC_1)
    collected, waiting = order(member, eggs, day), order(member, eggs, day)
    prepare_handovers(day)
    clock.now = at(DEC_1, 18, 20)
    record_ticks(volunteer, day, [Tick(uuid.uuid4(), handover_of(collected).pk, True, clock.now)])

    pickups = member_pickups(member)

    assert [pickup.order for pickup in pickups.coming] == [waiting]
    assert [item.pickup.order for item in pickups.past] == [collected]
    page = mes_retraits(client, member)
    assert "see you there" in page and "Collected at 18:20" in past_section(page)


def test_before_the_day_is_closed_nothing_is_said_of_an_order_not_ticked(
    clock, point, member, eggs
):
    day = day_on(point, DEC_1)
    placed = order(member, eggs, day)
    prepare_handovers(day)

    clock.now = at(DEC_1, 19, 0)  # during the distribution: still to collect
    assert outcomes(member) == {}
    clock.now = at(DEC_1, 19, 45)  # over, the volunteers have not closed it yet
    assert outcomes(member) == {placed.number: "Not recorded yet"}


def test_a_day_closed_before_anyone_opened_its_list_still_gives_each_order_a_fate(
    clock, point, member, eggs, volunteer
):
    day = day_on(point, DEC_1)
    placed = order(member, eggs, day)
    clock.now = at(DEC_1, 20, 0)
    close_distribution(volunteer, day.pk, {})  # nobody opened the list: kept for the member

    assert outcomes(member) == {placed.number: "Not collected: kept for you"}


def test_an_order_of_a_cancelled_distribution_says_why(clock, point, member, eggs):
    day = day_on(point, DEC_8)
    placed = order(member, eggs, day)
    Closure.objects.create(
        pickup_point=point, start_date=DEC_8, end_date=DEC_8, reason="Salle indisponible"
    )
    materialise_distribution_days(pickup_point_ids=[point.pk])

    said = outcomes(member)

    assert said == {placed.number: "Cancelled: the distribution was cancelled (Salle indisponible)"}
    assert member_pickups(member).coming == []


def test_another_members_orders_are_not_shown(client, point, member, eggs, clock, volunteer):
    day = day_on(point, DEC_1)
    theirs = order(UserFactory(), eggs, day)
    run_distribution(clock, volunteer, day, fates={theirs: (LeftoverFate.GIVEN, "Marc Riou")})

    page = mes_retraits(client, member)

    assert theirs.number not in page and "Marc Riou" not in page
    assert "My past orders" not in page


def test_the_history_costs_two_queries_whatever_the_number_of_orders(
    clock, client, point, member, eggs, volunteer, django_assert_max_num_queries
):
    def page_queries() -> int:
        client.force_login(member)
        # Once to fill what the site caches (Redis in CI), then counted.
        assert client.get(reverse("deliveries:upcoming-orders")).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("deliveries:upcoming-orders")).status_code == 200
        return len(queries)

    counts = []
    for date, how_many in ((DEC_1, 1), (DEC_8, 6)):
        day = day_on(point, date)
        clock.now = PARIS_NOW
        placed = [order(member, eggs, day) for _ in range(how_many)]
        fates = {o: (LeftoverFate.GIVEN, f"Voisin {n}") for n, o in enumerate(placed[1:])}
        run_distribution(
            clock, volunteer, day, collected={placed[0]: at(date, 18, 30)}, fates=fates
        )
        counts.append(page_queries())

    with django_assert_max_num_queries(2):
        pickups = member_pickups(member)
        page = "".join(
            f"{item.outcome}{[line.title for line in item.pickup.order.lines.all()]}"
            f"{item.pickup.distribution_day.pickup_point.name}"
            for item in pickups.past
        )
    assert len(pickups.past) == 7 and "Voisin 4" in page
    assert counts[0] == counts[1]


def test_collected_the_next_morning_says_which_day(clock, point, member, eggs, volunteer):
    day = day_on(point, DEC_1)
    placed = order(member, eggs, day)
    prepare_handovers(day)
    clock.now = at(dt.date(2026, 12, 2), 9, 15)  # fetched from the volunteer's home
    record_ticks(volunteer, day, [Tick(uuid.uuid4(), handover_of(placed).pk, True, clock.now)])
    close_distribution(volunteer, day.pk, {})

    said = outcomes(member)

    assert said == {placed.number: "Collected on Wednesday 2 December at 09:15"}
