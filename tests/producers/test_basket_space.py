"""The producer's basket pages: how many baskets to bring to each pickup point on each day, and
the composition they announce for each delivery."""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from baskets.models import CompositionLine, DeliveryComposition
from baskets.services import (
    announce_composition,
    generate_basket_deliveries,
    skip_delivery,
    subscribe,
    transfer_delivery,
)
from deliveries.models import DistributionDay
from deliveries.network.services import materialise_distribution_days
from tests.factories import (
    BasketPlanFactory,
    PickupPointFactory,
    ScheduleFactory,
    UserFactory,
    contract_at,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def first_delivery(today):
    """Three days ahead: far enough for members to skip it (48 hours before)."""
    return today + dt.timedelta(days=3)


@pytest.fixture
def point(first_delivery, today):
    point = PickupPointFactory(name="Ferme du Chêne")
    ScheduleFactory(
        pickup_point=point, weekday=first_delivery.weekday(), valid_from=today - dt.timedelta(7)
    )
    materialise_distribution_days()
    return point


@pytest.fixture
def plan(producer):
    return BasketPlanFactory(producer=producer, name="Grand panier")


@pytest.fixture
def contract(point, plan, today):
    return contract_at(point, plan=plan, starts_on=today)


def subscribe_members(contract, point, quantities, today):
    subscriptions = [
        subscribe(UserFactory(), contract, point, quantity=quantity, agreed=True)
        for quantity in quantities
    ]
    generate_basket_deliveries([point.pk], today, today + dt.timedelta(weeks=3))
    return subscriptions


def day_on(point, date):
    return DistributionDay.objects.get(pickup_point=point, date=date)


def baskets_page(client, producer_user):
    client.force_login(producer_user)
    return client.get(reverse("producer_space:baskets"))


def count_on(response, date):
    """(baskets, transferred) the page shows for the plan at the pickup point on a date."""
    (day,) = [day for day in response.context["days"] if day.date == date]
    (row,) = day.rows
    return row.pickup_point, row.plan, row.baskets, row.transferred


def composition_url(plan, date):
    return reverse(
        "producer_space:composition", kwargs={"plan_id": plan.pk, "day": date.isoformat()}
    )


def composition_form(lines=(), note="", total=8):
    data = {
        "lines-TOTAL_FORMS": str(total),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "note": note,
    }
    for index, (name, quantity, unit) in enumerate(lines):
        data[f"lines-{index}-name"] = name
        data[f"lines-{index}-quantity"] = quantity
        data[f"lines-{index}-unit"] = unit
    return data


def test_producer_sees_the_baskets_of_each_day_at_each_point(
    client, producer_user, point, plan, contract, first_delivery, today
):
    subscribe_members(contract, point, [1, 2], today)

    response = baskets_page(client, producer_user)

    assert response.status_code == 200
    page = text(response)
    assert "Ferme du Chêne" in page and "Grand panier" in page
    weekly = [first_delivery + dt.timedelta(weeks=n) for n in range(3)]
    assert [day.date for day in response.context["days"]] == weekly
    for date in weekly:
        assert count_on(response, date) == ("Ferme du Chêne", "Grand panier", 3, 0)


def test_a_skipped_basket_is_not_counted_and_a_transferred_one_is(
    client, producer_user, point, contract, first_delivery, today
):
    alone, double = subscribe_members(contract, point, [1, 2], today)
    second_delivery = first_delivery + dt.timedelta(weeks=1)

    skip_delivery(alone.member, alone.pk, day_on(point, first_delivery).pk)
    transfer_delivery(
        double.member, double.pk, day_on(point, second_delivery).pk, "named", "Anne Martin"
    )
    response = baskets_page(client, producer_user)

    assert count_on(response, first_delivery)[2:] == (2, 0)
    assert count_on(response, second_delivery)[2:] == (3, 2)


def test_producer_announces_a_composition_and_sees_it_on_the_page(
    client, producer_user, point, plan, contract, first_delivery
):
    client.force_login(producer_user)
    url = composition_url(plan, first_delivery)
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        composition_form(
            [("Carottes", "1", "kg"), ("Poireaux", "1,5", "kg"), ("", "", "")],
            note="Recette de soupe jointe",
        ),
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("producer_space:baskets")
    composition = DeliveryComposition.objects.get(plan=plan, date=first_delivery)
    assert [(line.name, line.quantity, line.unit) for line in composition.lines.all()] == [
        ("Carottes", Decimal("1.00"), "kg"),
        ("Poireaux", Decimal("1.50"), "kg"),
    ]
    page = text(response)
    assert "Carottes — 1 kg" in page
    assert "Poireaux — 1,50 kg" in page
    assert "Recette de soupe jointe" in page


def test_the_form_shows_the_lines_already_announced(
    client, producer_user, plan, contract, first_delivery
):
    announce_composition(
        plan.producer, plan.pk, first_delivery, [("Navets", Decimal("2"), "botte")], "Bon appétit"
    )
    client.force_login(producer_user)

    response = client.get(composition_url(plan, first_delivery))

    formset = response.context["formset"]
    assert formset.initial_form_count() == 1
    assert len(formset.forms) == 4  # the line announced and a few blank ones
    page = text(response)
    assert 'value="Navets"' in page and 'value="botte"' in page and "Bon appétit" in page


@pytest.mark.parametrize(
    ("lines", "kept"),
    [
        ([], "Une note gardée"),
        ([("Poireaux", "0", "kg")], "Poireaux"),
        ([("Courge", "", "pièce")], "Courge"),
        ([("", "2", "kg")], 'value="2"'),
    ],
    ids=["no line", "quantity zero", "no quantity", "no name"],
)
def test_an_invalid_composition_keeps_what_was_typed_and_creates_nothing(
    client, producer_user, plan, contract, first_delivery, lines, kept
):
    client.force_login(producer_user)

    response = client.post(
        composition_url(plan, first_delivery), composition_form(lines, note="Une note gardée")
    )

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert kept in text(response) and "Une note gardée" in text(response)
    assert not DeliveryComposition.objects.exists()
    assert not CompositionLine.objects.exists()


def test_a_composition_for_a_date_with_no_delivery_is_refused_and_kept(
    client, producer_user, plan, contract, first_delivery
):
    client.force_login(producer_user)
    no_delivery = first_delivery + dt.timedelta(days=1)

    response = client.post(
        composition_url(plan, no_delivery), composition_form([("Carottes", "1", "kg")])
    )

    assert response.status_code == 200
    assert response.context["refusal"]
    assert 'value="Carottes"' in text(response)
    assert not DeliveryComposition.objects.exists()


def test_another_producer_cannot_reach_the_composition_of_a_plan(
    client, other_producer, plan, contract, first_delivery
):
    client.force_login(other_producer.partner.users.get())
    url = composition_url(plan, first_delivery)

    assert client.get(url).status_code == 404
    assert client.post(url, composition_form([("Carottes", "1", "kg")])).status_code == 404
    assert not DeliveryComposition.objects.exists()


@pytest.mark.parametrize("day", ["2026-13-45", "demain", "2026-1-5", "20261201"])
def test_a_bad_date_in_the_address_is_not_found(client, producer_user, plan, day):
    client.force_login(producer_user)

    url = reverse("producer_space:composition", kwargs={"plan_id": plan.pk, "day": day})

    assert client.get(url).status_code == 404


def test_the_baskets_page_says_when_there_is_nothing_to_show(client, producer_user, producer):
    response = baskets_page(client, producer_user)

    assert response.status_code == 200
    assert response.context["days"] == [] and not response.context["has_plans"]


def test_a_plan_without_a_running_contract_has_no_dates_to_announce(
    client, producer_user, point, plan, today
):
    contract_at(
        point,
        plan=plan,
        starts_on=today + dt.timedelta(weeks=6),
        signup_opens_on=today,
    )

    response = baskets_page(client, producer_user)

    assert response.status_code == 200
    assert response.context["has_plans"] and response.context["plans"] == []


def test_a_member_is_not_let_into_the_baskets_page(client, member):
    client.force_login(member)

    assert client.get(reverse("producer_space:baskets")).status_code == 403


@pytest.mark.parametrize("subscribers", [2, 20])
def test_the_baskets_page_queries_do_not_grow_with_subscriptions(
    client,
    producer_user,
    point,
    plan,
    contract,
    first_delivery,
    today,
    subscribers,
    django_assert_max_num_queries,
):
    subscribe_members(contract, point, [1] * subscribers, today)
    for week in range(3):
        announce_composition(
            plan.producer,
            plan.pk,
            first_delivery + dt.timedelta(weeks=week),
            [("Carottes", Decimal("1"), "kg"), ("Œufs", Decimal("6"), "")],
        )
    client.force_login(producer_user)

    # the session and user, the counts, the plans and compositions, and the past two weeks'
    # collected counts
    with django_assert_max_num_queries(14):
        response = client.get(reverse("producer_space:baskets"))

    assert count_on(response, first_delivery)[2] == subscribers
    assert text(response).count("Carottes — 1 kg") == 3
