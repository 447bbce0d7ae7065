"""The pickup list of a distribution day: who may open it, what it shows, ticks from several
phones (online or replayed after going offline) recorded once, and the day's closing."""

import datetime as dt
import json
import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from baskets.services import announce_composition, subscribe, transfer_delivery
from deliveries.distribution.selectors.pickup_list import pickup_list, prepare_handovers
from deliveries.distribution.services.handovers import Tick, close_distribution, record_ticks
from deliveries.models import DayState, Handover, HandoverTick, VolunteerShift
from deliveries.network.services import materialise_distribution_days
from marketplace.checkout.services import place_order_for_day
from marketplace.shop_setup import ensure_shop_basics
from tests.baskets.calendar import first_changeable_day
from tests.deliveries.distribution_day import day_under_way
from tests.factories import (
    PickupPointFactory,
    ScheduleFactory,
    UserFactory,
    contract_at,
    product_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def point(db):
    point = PickupPointFactory(name="Maison du Thabor", food_aid_partner="Restos du Cœur")
    weekday = (timezone.localdate() + dt.timedelta(days=4)).weekday()
    ScheduleFactory(pickup_point=point, weekday=weekday, valid_from=timezone.localdate())
    materialise_distribution_days()
    return point


@pytest.fixture
def day(point):
    """The point's next distribution, still open for orders and changes."""
    return first_changeable_day(point)


@pytest.fixture
def volunteer(day):
    user = UserFactory(first_name="Benoît", last_name="Lemaire")
    VolunteerShift.objects.create(distribution_day=day, volunteer=user)
    return user


def household(point, first, last, contract):
    member = UserFactory(first_name=first, last_name=last)
    return subscribe(member, contract, point, agreed=True)


@pytest.fixture
def filled_day(point, day, producer):
    """Three households with a vegetable basket (one given to Anne Martin), one order."""
    contract = contract_at(point, plan__producer=producer)
    announce_composition(producer, contract.plan.pk, day.date, [("Carottes", Decimal("1"), "kg")])
    subs = [
        household(point, first, last, contract)
        for first, last in (("Zoé", "Bouvier"), ("Léa", "Guérin"), ("Hugo", "Le Bihan"))
    ]
    transfer_delivery(subs[2].member, subs[2].pk, day.pk, "named", "Anne Martin")
    squash = product_for(producer, title="Courge butternut", price="3.40", stock=20)
    place_order_for_day(subs[0].member, [(squash, 2)], day.pk)
    prepare_handovers(day)
    return day


def open_list(client, user, day):
    client.force_login(user)
    return client.get(reverse("deliveries:pickup-list", kwargs={"pk": day.pk}))


def test_only_the_days_volunteers_coordinators_and_staff_open_the_list(
    client, day, point, producer
):
    other_day = point.distribution_days.exclude(pk=day.pk).order_by("starts_at").last()
    other_volunteer = UserFactory()
    VolunteerShift.objects.create(distribution_day=other_day, volunteer=other_volunteer)
    for stranger in (UserFactory(), other_volunteer, producer.partner.users.get()):
        assert open_list(client, stranger, day).status_code == 403
    coordinator = UserFactory()
    point.coordinators.add(coordinator)
    assert open_list(client, coordinator, day).status_code == 200
    assert open_list(client, UserFactory(is_staff=True), day).status_code == 200
    client.logout()
    assert client.get(reverse("deliveries:pickup-list", kwargs={"pk": day.pk})).status_code == 302


def test_the_list_shows_households_by_name_with_what_to_hand_over(client, filled_day, volunteer):
    page = open_list(client, volunteer, filled_day).content.decode()
    names = ["Anne Martin", "Léa Guérin", "Zoé Bouvier"]
    assert [page.index(name) for name in names] == sorted(page.index(name) for name in names)
    assert "Hugo Le Bihan" in page  # Anne collects for Hugo
    assert "Carottes 1 kg" in page
    assert "2 × Courge butternut" in page
    for private in ("@", "Tarif", "1 place de la Mairie", "3,40", "6,80"):
        assert private not in page


def test_names_are_abbreviated_when_the_point_asks(client, filled_day, volunteer, point):
    point.abbreviate_names = True
    point.save()
    page = open_list(client, volunteer, filled_day).content.decode()
    assert "Léa G." in page and "Guérin" not in page


def tick(handover, collected=True, at=None, operation=None):
    return Tick(
        operation or uuid.uuid4(),
        handover.pk,
        collected,
        at or timezone.now().replace(microsecond=0),
    )


def test_a_tick_sent_twice_or_from_two_phones_records_one_collection(filled_day, volunteer):
    handover = Handover.objects.filter(distribution_day=filled_day).first()
    other = UserFactory()
    first = tick(handover)
    record_ticks(volunteer, filled_day, [first])
    record_ticks(volunteer, filled_day, [first])  # a retry
    record_ticks(other, filled_day, [tick(handover, at=first.ticked_at + dt.timedelta(seconds=2))])

    handover.refresh_from_db()
    assert handover.collected_by == volunteer
    assert handover.collected_at == first.ticked_at
    assert HandoverTick.objects.filter(operation=first.operation).count() == 1


def test_an_undo_wins_over_an_older_tick_replayed_late(filled_day, volunteer):
    handover = Handover.objects.filter(distribution_day=filled_day).first()
    now = timezone.now().replace(microsecond=0)
    offline_tick = tick(handover, at=now - dt.timedelta(minutes=5))
    record_ticks(volunteer, filled_day, [tick(handover, at=now - dt.timedelta(minutes=1))])
    record_ticks(volunteer, filled_day, [tick(handover, collected=False, at=now)])
    record_ticks(UserFactory(), filled_day, [offline_tick])  # the other phone comes back online

    handover.refresh_from_db()
    assert not handover.is_collected
    assert handover.ticks.count() == 3


def test_phones_send_ticks_as_json_and_get_the_state_back(client, filled_day, volunteer):
    handovers = list(Handover.objects.filter(distribution_day=filled_day))
    client.force_login(volunteer)
    ticks = [
        {
            "operation": str(uuid.uuid4()),
            "handover": h.pk,
            "collected": True,
            "at": timezone.now().isoformat(),
        }
        for h in handovers[:2]
    ]
    url = reverse("deliveries:pickup-list-ticks", kwargs={"pk": filled_day.pk})
    for _ in range(2):  # replayed after a lost answer
        state = client.post(
            url, json.dumps({"ticks": ticks}), content_type="application/json"
        ).json()
    assert (state["collected"], state["remaining"]) == (2, len(handovers) - 2)
    assert HandoverTick.objects.count() == 2
    polled = client.get(
        reverse("deliveries:pickup-list-state", kwargs={"pk": filled_day.pk})
    ).json()
    assert polled["items"][str(handovers[0].pk)]["collected"] is True
    bad = client.post(url, "{not json", content_type="application/json")
    assert bad.status_code == 400


def test_without_javascript_a_form_ticks_one_line(client, filled_day, volunteer):
    handover = Handover.objects.filter(distribution_day=filled_day).first()
    client.force_login(volunteer)
    client.post(
        reverse("deliveries:pickup-list-ticks", kwargs={"pk": filled_day.pk}),
        {"operation": str(uuid.uuid4()), "handover": handover.pk, "collected": "true"},
    )
    handover.refresh_from_db()
    assert handover.is_collected


def test_closing_records_each_leftovers_fate_once(filled_day, volunteer):
    started = filled_day.starts_at + dt.timedelta(hours=1)
    lines = pickup_list(filled_day).lines
    record_ticks(volunteer, filled_day, [tick(lines[0].handover, at=started)], now=started)
    kept, given, food_aid = (line.handover.pk for line in lines[1:4])
    fates = {given: ("given", "Marc Riou"), food_aid: ("food_aid", "")}

    close_distribution(volunteer, filled_day.pk, fates, now=started)
    close_distribution(volunteer, filled_day.pk, {kept: ("food_aid", "")}, now=started)

    filled_day.refresh_from_db()
    assert filled_day.state == DayState.DONE and filled_day.closed_by == volunteer
    fate = dict(Handover.objects.values_list("pk", "fate"))
    assert (fate[kept], fate[given], fate[food_aid]) == ("kept", "given", "food_aid")
    assert Handover.objects.get(pk=given).fate_recipient == "Marc Riou"


def test_a_basket_given_away_at_closing_needs_a_name(filled_day, volunteer):
    from deliveries.distribution.errors import HandoverRefused

    started = filled_day.starts_at + dt.timedelta(hours=1)
    line = pickup_list(filled_day).lines[0]
    with pytest.raises(HandoverRefused):
        close_distribution(
            volunteer, filled_day.pk, {line.handover.pk: ("given", " ")}, now=started
        )
    filled_day.refresh_from_db()
    assert filled_day.closed_at is None


def test_the_page_costs_the_same_queries_for_4_and_40_households(
    client, point, day, producer, volunteer, django_assert_max_num_queries
):
    contract = contract_at(point, plan__producer=producer, capacity=100)
    announce_composition(producer, contract.plan.pk, day.date, [("Carottes", Decimal("1"), "kg")])
    client.force_login(volunteer)
    url = reverse("deliveries:pickup-list", kwargs={"pk": day.pk})
    counts = []
    for total in (4, 40):
        while contract.subscriptions.count() < total:
            n = contract.subscriptions.count()
            household(point, f"Membre{n}", "Test", contract)
        client.get(url)  # the handovers are made on the first opening
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_member_and_producer_see_what_became_of_the_baskets(client, producer, clock):
    under_way = day_under_way(
        clock, producer, [("Jade", "Test"), ("Théo", "Test")], name="Halle de Bruz"
    )
    day, contract, volunteer = under_way.day, under_way.contract, under_way.volunteer
    collected, left = under_way.subscriptions
    by_member = {h.basket_delivery.subscription.pk: h for h in Handover.objects.all()}
    record_ticks(volunteer, day, [tick(by_member[collected.pk])])
    close_distribution(volunteer, day.pk, {by_member[left.pk].pk: ("given", "Marc Riou")})

    client.force_login(left.member)
    page = client.get(reverse("baskets:mine")).content.decode()
    assert "Marc Riou" in page
    client.force_login(producer.partner.users.get())
    page = client.get(reverse("producer_space:baskets")).content.decode()
    cells = re.findall(r"<td data-label=\"[^\"]+\">([^<]*)</td>", page)
    assert ["Halle de Bruz", contract.plan.name, "2", "1", "1"] == cells[-5:]
