"""Two households sharing a basket in turns: the holder takes the season's first delivery, the
co-holder the second, and so on by the delivery's position in the season, whatever the ISO
week, the point's rhythm or the plan's. A distribution that does not take place takes nobody's
turn; a skipped basket was its household's turn."""

import datetime as dt

import pytest
from django.urls import reverse

from baskets.models import Sharing
from baskets.selectors import pickup_list_baskets
from baskets.services import generate_basket_deliveries, skip_delivery
from deliveries.distribution.selectors.pickup_list import pickup_list
from deliveries.models import Closure, DayState, DistributionDay
from deliveries.network.services import materialise_distribution_days
from tests.baskets.calendar import DEC_1, DEC_8, DEC_15, DEC_22, PARIS_NOW, SIGN_UP_DAY, season
from tests.factories import PickupPointFactory, ScheduleFactory, UserFactory, subscribe_shared

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

DEC_29, JAN_5, JAN_12 = dt.date(2026, 12, 29), dt.date(2027, 1, 5), dt.date(2027, 1, 12)


def point_with(frequency="weekly", **point):
    point = PickupPointFactory(name="Thabor", **point)
    ScheduleFactory(pickup_point=point, frequency=frequency, valid_from=dt.date(2026, 1, 1))
    materialise_distribution_days(now=PARIS_NOW, pickup_point_ids=[point.pk])
    return point


def alternating(point, sharing=Sharing.ALTERNATE, **contract):
    lea = UserFactory(first_name="Léa", last_name="Guérin")
    hugo = UserFactory(first_name="Hugo", last_name="Le Bihan")
    subscription = subscribe_shared(
        lea,
        season(point, **contract),
        point,
        agreed=True,
        co_holder=hugo,
        sharing=sharing,
        today=SIGN_UP_DAY,
    )
    generate_basket_deliveries([point.pk], DEC_1, JAN_12)
    return subscription


def holders(point) -> dict[dt.date, str]:
    """Who the pickup list names as holder on each of the point's coming days."""
    days = DistributionDay.objects.filter(pickup_point=point, date__range=(DEC_1, JAN_12))
    return {
        day.date: row.holder
        for day in days.exclude(state=DayState.CANCELLED).order_by("date")
        for row in pickup_list_baskets(day)
    }


LEA, HUGO = "Léa Guérin", "Hugo Le Bihan"


def test_turns_follow_the_season_across_the_53rd_week_of_2026():
    point = point_with()
    alternating(point)

    # 29 December is in ISO week 53, 5 January in week 1: both odd, yet two different turns.
    assert holders(point) == {
        DEC_1: LEA,
        DEC_8: HUGO,
        DEC_15: LEA,
        DEC_22: HUGO,
        DEC_29: LEA,
        JAN_5: HUGO,
        JAN_12: LEA,
    }


def test_on_a_fortnightly_point_each_household_gets_every_other_basket():
    point = point_with(frequency="fortnightly")
    alternating(point)

    # The point distributes on 8 and 22 December and 5 January (ISO weeks 50, 52 and 1).
    assert holders(point) == {DEC_8: LEA, DEC_22: HUGO, JAN_5: LEA}


def test_a_plan_every_other_distribution_alternates_its_own_deliveries():
    point = point_with()
    alternating(point, plan__frequency="every_other")

    assert holders(point) == {DEC_1: LEA, DEC_15: HUGO, DEC_29: LEA, JAN_12: HUGO}


def test_a_closure_takes_nobodys_turn():
    point = point_with()
    Closure.objects.create(
        pickup_point=point, start_date=DEC_15, end_date=DEC_15, reason="Salle prise"
    )
    materialise_distribution_days(now=PARIS_NOW, pickup_point_ids=[point.pk])
    alternating(point)

    # Léa's turn was the 15th: she has the next distribution instead of losing it.
    assert holders(point) == {
        DEC_1: LEA,
        DEC_8: HUGO,
        DEC_22: LEA,
        DEC_29: HUGO,
        JAN_5: LEA,
        JAN_12: HUGO,
    }


def test_a_day_the_coordinators_cancelled_takes_nobodys_turn():
    point = point_with()
    alternating(point)
    DistributionDay.objects.filter(pickup_point=point, date=DEC_8).update(state=DayState.CANCELLED)

    assert holders(point) == {
        DEC_1: LEA,
        DEC_15: HUGO,
        DEC_22: LEA,
        DEC_29: HUGO,
        JAN_5: LEA,
        JAN_12: HUGO,
    }


def test_a_skipped_basket_was_its_households_turn():
    point = point_with()
    subscription = alternating(point)
    day = DistributionDay.objects.get(pickup_point=point, date=DEC_1)
    skip_delivery(subscription.member, subscription.pk, day.pk, now=PARIS_NOW)

    # Léa skipped her turn; Hugo keeps his on the 8th.
    turns = holders(point)
    assert DEC_1 not in turns
    assert [turns[DEC_8], turns[DEC_15], turns[DEC_22]] == [HUGO, LEA, HUGO]


def test_my_baskets_tells_each_co_holder_whose_turn_it_is(client):
    point = point_with()
    subscription = alternating(point)

    client.force_login(subscription.co_holder)
    page = client.get(reverse("baskets:mine")).content.decode()

    def item(date):
        day = DistributionDay.objects.get(pickup_point=point, date=date)
        start = page.index(f'id="delivery-{subscription.pk}-{day.pk}"')
        return page[start : page.index("</li>", start)]

    assert "au tour de Léa Guérin" in item(DEC_1)
    assert "votre tour" in item(DEC_8)
    assert "au tour de Léa Guérin" in item(DEC_15)


def test_abbreviated_names_keep_both_households_of_a_split_basket():
    point = point_with(abbreviate_names=True)
    alice = UserFactory(first_name="Alice", last_name="Martin")
    bruno = UserFactory(first_name="Bruno", last_name="Dupont")
    subscribe_shared(
        alice,
        season(point),
        point,
        agreed=True,
        co_holder=bruno,
        sharing=Sharing.SPLIT,
        today=SIGN_UP_DAY,
    )
    generate_basket_deliveries([point.pk], DEC_8, DEC_8)

    day = DistributionDay.objects.get(pickup_point=point, date=DEC_8)
    sheet = pickup_list(day, add_missing=True)

    assert [household.name for household in sheet.households] == ["Alice M. / Bruno D."]
