"""What volunteers, producers and members read about baskets: the day's pickup list, the
producer's counts, the member's coming deliveries and the baskets offered to them."""

import datetime as dt
import itertools
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baskets.models import ContractPickupPoint
from baskets.selectors import (
    BasketCount,
    basket_counts,
    member_subscriptions,
    offered_baskets_for,
    pickup_list_baskets,
)
from baskets.services import (
    announce_composition,
    claim_basket,
    generate_basket_deliveries,
    skip_delivery,
    subscribe,
    transfer_delivery,
)
from deliveries.models import DistributionDay
from tests.baskets.calendar import (
    DEC_1,
    DEC_8,
    DEC_15,
    DEC_22,
    PARIS_NOW,
    SIGN_UP_DAY,
    season,
    tuesdays,
)
from tests.factories import PickupPointFactory, UserFactory, subscribe_shared

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

PARTNER = "Banque alimentaire d'Ille-et-Vilaine"
season = partial(season, absence_allowance=4, capacity=100)


@pytest.fixture
def point(db):
    return tuesdays(PickupPointFactory(name="Maison de quartier Thabor", food_aid_partner=PARTNER))


@pytest.fixture
def contract(point, producer):
    return season(point, plan__producer=producer, plan__name="Petit panier")


def member_of(contract, point, name="", quantity=1):
    first_name, _, last_name = name.partition(" ")
    member = UserFactory(first_name=first_name, last_name=last_name)
    return subscribe(member, contract, point, quantity=quantity, agreed=True, today=SIGN_UP_DAY)


def day_on(point, date):
    return DistributionDay.objects.get(pickup_point=point, date=date)


def give(subscription, date, kind, recipient_name=""):
    return transfer_delivery(
        subscription.member,
        subscription.pk,
        day_on(subscription.pickup_point, date).pk,
        kind,
        recipient_name,
        now=PARIS_NOW,
    )


def skip(subscription, date):
    skip_delivery(
        subscription.member,
        subscription.pk,
        day_on(subscription.pickup_point, date).pk,
        now=PARIS_NOW,
    )


# The day's pickup list


def test_the_pickup_list_says_who_collects_each_basket_brought(point, contract):
    member_of(contract, point, "Alice Martin")
    bruno = member_of(contract, point, "Bruno Absent")
    chloe = member_of(contract, point, "Chloé Dubois")
    david = member_of(contract, point, "David Leroy")
    emma = member_of(contract, point, "Emma Petit")
    fanny = member_of(contract, point, "Fanny Roux")
    skip(bruno, DEC_8)
    give(chloe, DEC_8, "named", "Zoé Voisin")
    claim_basket(emma.member, give(david, DEC_8, "offered").pk, now=PARIS_NOW)
    give(fanny, DEC_8, "food_aid")
    generate_basket_deliveries([point.pk], DEC_8, DEC_8)

    rows = pickup_list_baskets(day_on(point, DEC_8))

    assert [row.collector for row in rows] == [
        "Alice Martin",
        PARTNER,
        "Emma Petit",
        "Emma Petit",
        "Zoé Voisin",
    ]
    assert {row.holder: (row.collector, row.status, row.transfer_kind) for row in rows} == {
        "Alice Martin": ("Alice Martin", "to_collect", ""),
        "Chloé Dubois": ("Zoé Voisin", "transferred", "named"),
        "David Leroy": ("Emma Petit", "transferred", "offered"),
        "Emma Petit": ("Emma Petit", "to_collect", ""),
        "Fanny Roux": (PARTNER, "transferred", "food_aid"),
    }
    assert "Bruno Absent" not in {row.holder for row in rows}


def test_the_pickup_list_carries_the_composition_announced_for_the_plan_and_date(
    point, contract, producer
):
    member_of(contract, point, "Alice Martin")
    eggs = member_of(season(point, plan__producer=producer, plan__name="Œufs"), point)
    this_week = announce_composition(
        producer, contract.plan.pk, DEC_8, [("Carottes", Decimal("1.5"), "kg")]
    )
    announce_composition(producer, contract.plan.pk, DEC_15, [("Poireaux", Decimal("1"), "kg")])
    generate_basket_deliveries([point.pk], DEC_8, DEC_8)

    rows = pickup_list_baskets(day_on(point, DEC_8))

    by_plan = {row.plan: row.composition for row in rows}
    assert by_plan == {"Petit panier": this_week, eggs.contract.plan.name: None}
    assert [line.name for line in by_plan["Petit panier"].lines.all()] == ["Carottes"]


def test_the_pickup_list_reads_the_same_number_of_queries_for_3_or_30_subscriptions(
    point, contract, producer, django_assert_max_num_queries
):
    eggs = season(point, plan__name="Œufs")
    kinds = itertools.cycle(["named", "offered", "food_aid", None])

    def sign_up(count):
        for _ in range(count):
            subscription = member_of(contract, point, "Membre Anonyme")
            kind = next(kinds)
            if kind == "offered":
                neighbour = member_of(eggs, point).member
                claim_basket(neighbour, give(subscription, DEC_8, kind).pk, now=PARIS_NOW)
            elif kind:
                give(subscription, DEC_8, kind, "Zoé Voisin")
        generate_basket_deliveries([point.pk], DEC_8, DEC_8)

    announce_composition(producer, contract.plan.pk, DEC_8, [("Carottes", Decimal("1.5"), "kg")])
    sign_up(3)
    day = day_on(point, DEC_8)
    with CaptureQueriesContext(connection) as few:
        assert len(pickup_list_baskets(day)) == 3 + 1  # and the one who took the offered basket
    sign_up(27)

    day = day_on(point, DEC_8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(pickup_list_baskets(day)) == 30 + 8  # and the 8 who took those offered


# The producer's counts


def test_basket_counts_add_up_what_the_producer_brings_per_day_point_and_plan(
    point, contract, producer
):
    big = season(point, plan__producer=producer, plan__name="Grand panier")
    somebody_elses = season(point, plan__name="Pain")
    member_of(contract, point, quantity=2)
    skipped = member_of(contract, point, quantity=1)
    given = member_of(contract, point, quantity=3)
    member_of(big, point)
    member_of(somebody_elses, point, quantity=5)
    skip(skipped, DEC_8)
    give(given, DEC_8, "named", "Zoé Voisin")
    generate_basket_deliveries([point.pk], DEC_1, DEC_15)

    counts = basket_counts(producer, DEC_1, DEC_8)

    assert counts == [
        BasketCount(DEC_1, point.name, "Grand panier", baskets=1, transferred=0),
        BasketCount(DEC_1, point.name, "Petit panier", baskets=6, transferred=0),
        BasketCount(DEC_8, point.name, "Grand panier", baskets=1, transferred=0),
        BasketCount(DEC_8, point.name, "Petit panier", baskets=5, transferred=3),
    ]


# The member's page


def test_the_member_sees_their_coming_deliveries_and_absences_used(point, contract):
    subscription = member_of(contract, point, "Alice Martin")
    skip(subscription, DEC_8)
    give(subscription, DEC_15, "named", "Zoé Voisin")

    (entry,) = member_subscriptions(subscription.member, now=PARIS_NOW)

    assert entry.subscription == subscription
    coming = [(delivery.day.date, delivery.status) for delivery in entry.deliveries]
    assert coming[:4] == [
        (DEC_1, "to_collect"),
        (DEC_8, "skipped"),
        (DEC_15, "transferred"),
        (DEC_22, "to_collect"),
    ]
    assert {status for _date, status in coming[4:]} == {"to_collect"}
    assert entry.deliveries[2].transfer.recipient_name == "Zoé Voisin"
    assert entry.absences_used == 1
    assert entry.absences_left == contract.absence_allowance - 1


def test_a_waiting_member_sees_no_coming_delivery(point, contract):
    ContractPickupPoint.objects.filter(contract=contract).update(capacity=1)
    member_of(contract, point)
    waiting = member_of(contract, point)

    (entry,) = member_subscriptions(waiting.member, now=PARIS_NOW)

    assert (entry.subscription.state, entry.deliveries) == ("waiting", [])


def test_an_offered_basket_is_listed_to_members_of_its_point_only(point, contract):
    giver = member_of(contract, point)
    neighbour = member_of(season(point, plan__name="Œufs"), point).member
    elsewhere = tuesdays(PickupPointFactory())
    stranger = member_of(season(elsewhere), elsewhere).member
    offered = give(giver, DEC_8, "offered")

    listed = offered_baskets_for(neighbour, now=PARIS_NOW)

    assert [basket.transfer for basket in listed] == [offered]
    assert listed[0].opens_at == offered.created_at
    assert offered_baskets_for(stranger, now=PARIS_NOW) == []
    assert offered_baskets_for(giver.member, now=PARIS_NOW) == []


def test_the_members_page_reads_as_many_queries_with_one_basket_given_or_several(
    point, contract, django_assert_max_num_queries
):
    subscription = member_of(contract, point, "Alice Martin")
    neighbour = member_of(season(point, plan__name="Œufs"), point).member
    give(subscription, DEC_8, "named", "Zoé Voisin")
    with CaptureQueriesContext(connection) as one:
        member_subscriptions(subscription.member, now=PARIS_NOW)

    claim_basket(neighbour, give(subscription, DEC_15, "offered").pk, now=PARIS_NOW)
    give(subscription, DEC_22, "food_aid")
    give(subscription, dt.date(2026, 12, 29), "offered")

    with django_assert_max_num_queries(len(one.captured_queries)):
        (entry,) = member_subscriptions(subscription.member, now=PARIS_NOW)
    assert [delivery.status for delivery in entry.deliveries][1:5] == ["transferred"] * 4


def test_a_shared_basket_shows_whose_turn_it_is(point, contract):
    member = UserFactory(first_name="Léa", last_name="Guérin")
    neighbour = UserFactory(first_name="Hugo", last_name="Le Bihan")
    other = UserFactory(first_name="Inès", last_name="Morvan")
    subscribe_shared(
        member,
        contract,
        point,
        agreed=True,
        co_holder=neighbour,
        sharing="alternate",
        today=SIGN_UP_DAY,
    )
    subscribe_shared(
        other, contract, point, agreed=True, co_holder=member, sharing="split", today=SIGN_UP_DAY
    )
    generate_basket_deliveries([point.pk], DEC_1, DEC_8)

    on_dec_1 = {row.holder for row in pickup_list_baskets(day_on(point, DEC_1))}
    on_dec_8 = {row.holder for row in pickup_list_baskets(day_on(point, DEC_8))}

    # 1 December is the season's first delivery: the holder's turn; the second, the co-holder's.
    assert on_dec_1 == {"Léa Guérin", "Inès Morvan / Léa Guérin"}
    assert on_dec_8 == {"Hugo Le Bihan", "Inès Morvan / Léa Guérin"}
