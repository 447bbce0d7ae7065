"""A member away for a while (a pause) or giving a basket to someone else (a transfer), and
members taking the baskets others offer."""

import datetime as dt
import threading
from functools import partial

import pytest
from django.db import connection

from baskets.errors import AbsenceRefused, TransferRefused
from baskets.models import (
    Absence,
    BasketDelivery,
    BasketTransfer,
    SubscriptionState,
    TransferKind,
)
from baskets.services import (
    claim_basket,
    generate_basket_deliveries,
    pause_subscription,
    refresh_subscription_states,
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
from tests.factories import PickupPointFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

# Two absences a season, 48 hours before.
season = partial(season, absence_allowance=2)


@pytest.fixture
def contract(point):
    # One household's place: whoever signs up after the holder waits.
    return season(point, capacity=1)


def member_of(contract, point, member=None):
    member = member or UserFactory()
    return subscribe(member, contract, point, agreed=True, today=SIGN_UP_DAY)


@pytest.fixture
def subscription(contract, point):
    return member_of(contract, point)


def day_on(point, date):
    return DistributionDay.objects.get(pickup_point=point, date=date)


def statuses(subscription):
    return dict(
        BasketDelivery.objects.filter(subscription=subscription).values_list(
            "distribution_day__date", "status"
        )
    )


def state_of(subscription):
    subscription.refresh_from_db()
    return subscription.state


# Pauses


def test_a_pause_skips_each_delivery_in_its_range(point, subscription):
    generate_basket_deliveries([point.pk], SIGN_UP_DAY, DEC_8)

    pause_subscription(subscription.member, subscription.pk, DEC_8, DEC_15, now=PARIS_NOW)
    generate_basket_deliveries([point.pk], SIGN_UP_DAY, DEC_22)

    assert statuses(subscription) == {
        DEC_1: "to_collect",
        DEC_8: "skipped",
        DEC_15: "skipped",
        DEC_22: "to_collect",
    }
    assert state_of(subscription) == SubscriptionState.ACTIVE


def test_a_pause_longer_than_the_allowance_is_refused_and_creates_nothing(point, subscription):
    generate_basket_deliveries([point.pk], SIGN_UP_DAY, DEC_22)

    with pytest.raises(AbsenceRefused):
        pause_subscription(subscription.member, subscription.pk, DEC_8, DEC_22, now=PARIS_NOW)

    assert not Absence.objects.exists()
    assert set(statuses(subscription).values()) == {"to_collect"}


def test_a_pause_counts_each_delivery_against_the_allowance(point, subscription):
    member = subscription.member
    skip_delivery(member, subscription.pk, day_on(point, DEC_1).pk, now=PARIS_NOW)

    with pytest.raises(AbsenceRefused):
        pause_subscription(member, subscription.pk, DEC_8, DEC_15, now=PARIS_NOW)
    pause_subscription(member, subscription.pk, DEC_8, DEC_8, now=PARIS_NOW)
    with pytest.raises(AbsenceRefused):
        skip_delivery(member, subscription.pk, day_on(point, DEC_15).pk, now=PARIS_NOW)

    assert Absence.objects.count() == 2


def test_a_pause_must_start_before_its_first_deliverys_deadline(point, subscription):
    member = subscription.member
    # Tuesday 1 December 18:00 in Paris; changes close 48 hours before, on Sunday 17:00 UTC.
    late = dt.datetime(2026, 11, 29, 17, 30, tzinfo=dt.UTC)

    with pytest.raises(AbsenceRefused):
        pause_subscription(member, subscription.pk, DEC_1, DEC_8, now=late)
    assert not Absence.objects.exists()

    pause_subscription(member, subscription.pk, DEC_8, DEC_15, now=late)
    assert Absence.objects.count() == 1


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        (dt.date(2026, 12, 2), dt.date(2026, 12, 7)),  # Wednesday to Monday: no distribution
        (DEC_15, DEC_8),  # ends before it starts
    ],
)
def test_a_pause_without_delivery_or_ending_before_it_starts_is_refused(
    subscription, starts_on, ends_on
):
    with pytest.raises(AbsenceRefused):
        pause_subscription(subscription.member, subscription.pk, starts_on, ends_on, now=PARIS_NOW)

    assert not Absence.objects.exists()


def test_the_subscription_is_paused_while_the_pause_runs_and_ends_with_its_contract(
    subscription,
):
    pause_subscription(subscription.member, subscription.pk, DEC_8, DEC_15, now=PARIS_NOW)

    assert refresh_subscription_states(dt.date(2026, 12, 7)) == 0
    assert state_of(subscription) == SubscriptionState.ACTIVE

    assert refresh_subscription_states(dt.date(2026, 12, 10)) == 1
    assert state_of(subscription) == SubscriptionState.PAUSED
    assert refresh_subscription_states(dt.date(2026, 12, 10)) == 0

    assert refresh_subscription_states(dt.date(2026, 12, 16)) == 1
    assert state_of(subscription) == SubscriptionState.ACTIVE

    assert refresh_subscription_states(dt.date(2027, 2, 24)) == 1
    assert state_of(subscription) == SubscriptionState.ENDED
    assert refresh_subscription_states(dt.date(2027, 2, 24)) == 0


# Transfers


def test_a_named_transfer_needs_a_name(point, subscription):
    with pytest.raises(TransferRefused):
        transfer_delivery(
            subscription.member,
            subscription.pk,
            day_on(point, DEC_8).pk,
            TransferKind.NAMED,
            recipient_name="  ",
            now=PARIS_NOW,
        )

    assert not BasketTransfer.objects.exists()
    assert not Absence.objects.exists()


def test_a_named_transfer_makes_the_delivery_transferred(point, subscription):
    member = subscription.member
    generate_basket_deliveries([point.pk], SIGN_UP_DAY, DEC_8)

    transfer_delivery(
        member, subscription.pk, day_on(point, DEC_8).pk, "named", "Zoé Voisin", now=PARIS_NOW
    )
    transfer_delivery(
        member, subscription.pk, day_on(point, DEC_15).pk, "named", "Zoé Voisin", now=PARIS_NOW
    )
    generate_basket_deliveries([point.pk], SIGN_UP_DAY, DEC_22)

    assert statuses(subscription) == {
        DEC_1: "to_collect",
        DEC_8: "transferred",
        DEC_15: "transferred",
        DEC_22: "to_collect",
    }
    assert set(BasketTransfer.objects.values_list("recipient_name", flat=True)) == {"Zoé Voisin"}


def test_a_transfer_does_not_use_the_allowance(point):
    subscription = member_of(season(point, absence_allowance=1), point)
    member = subscription.member

    skip_delivery(member, subscription.pk, day_on(point, DEC_1).pk, now=PARIS_NOW)
    transfer_delivery(
        member, subscription.pk, day_on(point, DEC_8).pk, "named", "Zoé Voisin", now=PARIS_NOW
    )
    with pytest.raises(AbsenceRefused):
        skip_delivery(member, subscription.pk, day_on(point, DEC_15).pk, now=PARIS_NOW)

    assert BasketTransfer.objects.count() == 1
    assert sorted(Absence.objects.values_list("starts_on", flat=True)) == [DEC_1, DEC_8]


def test_transferring_the_same_basket_twice_is_refused(point, subscription):
    day = day_on(point, DEC_8)
    transfer_delivery(
        subscription.member, subscription.pk, day.pk, "named", "Zoé Voisin", now=PARIS_NOW
    )

    with pytest.raises(TransferRefused):
        transfer_delivery(subscription.member, subscription.pk, day.pk, "offered", now=PARIS_NOW)

    assert BasketTransfer.objects.get().kind == TransferKind.NAMED


def test_a_basket_goes_to_food_aid_only_where_the_point_has_a_partner(point, subscription):
    generate_basket_deliveries([point.pk], SIGN_UP_DAY, DEC_8)
    day = day_on(point, DEC_8)

    with pytest.raises(TransferRefused):
        transfer_delivery(subscription.member, subscription.pk, day.pk, "food_aid", now=PARIS_NOW)
    assert not BasketTransfer.objects.exists()

    point.food_aid_partner = "Banque alimentaire d'Ille-et-Vilaine"
    point.save()
    transfer_delivery(subscription.member, subscription.pk, day.pk, "food_aid", now=PARIS_NOW)

    assert BasketTransfer.objects.get().kind == TransferKind.FOOD_AID
    assert statuses(subscription)[DEC_8] == "transferred"


# Offered baskets


@pytest.fixture
def offered(point, subscription):
    return transfer_delivery(
        subscription.member, subscription.pk, day_on(point, DEC_8).pk, "offered", now=PARIS_NOW
    )


@pytest.fixture
def eggs(point):
    """Another contract at the same point: its members are members of the point too."""
    return season(point, plan__name="Œufs")


def claimer(offered):
    offered.refresh_from_db()
    return offered.claimed_by


def test_a_member_of_the_pickup_point_claims_an_offered_basket(offered, eggs, point):
    neighbour = member_of(eggs, point).member
    when = PARIS_NOW + dt.timedelta(hours=1)

    claim_basket(neighbour, offered.pk, now=when)

    offered.refresh_from_db()
    assert (offered.claimed_by, offered.claimed_at) == (neighbour, when)


def test_an_offered_basket_is_claimed_only_once(offered, eggs, point):
    first, second = member_of(eggs, point).member, member_of(eggs, point).member
    claim_basket(first, offered.pk, now=PARIS_NOW)

    with pytest.raises(TransferRefused):
        claim_basket(second, offered.pk, now=PARIS_NOW)

    assert claimer(offered) == first


def test_the_giver_cannot_claim_their_own_basket(offered, subscription):
    with pytest.raises(TransferRefused):
        claim_basket(subscription.member, offered.pk, now=PARIS_NOW)

    assert claimer(offered) is None


def test_a_member_of_another_pickup_point_cannot_claim(offered):
    elsewhere = tuesdays(PickupPointFactory())
    stranger = member_of(season(elsewhere), elsewhere).member

    with pytest.raises(TransferRefused):
        claim_basket(stranger, offered.pk, now=PARIS_NOW)
    with pytest.raises(TransferRefused):
        claim_basket(UserFactory(), offered.pk, now=PARIS_NOW)

    assert claimer(offered) is None


def test_the_waiting_list_may_claim_24_hours_after_the_offer(offered, contract, point):
    waiting = member_of(contract, point)
    assert waiting.state == SubscriptionState.WAITING

    with pytest.raises(TransferRefused):
        claim_basket(waiting.member, offered.pk, now=PARIS_NOW + dt.timedelta(hours=23))
    assert claimer(offered) is None

    claim_basket(waiting.member, offered.pk, now=PARIS_NOW + dt.timedelta(hours=24))
    assert claimer(offered) == waiting.member


def test_claiming_after_the_distribution_is_refused(offered, eggs, point):
    neighbour = member_of(eggs, point).member

    with pytest.raises(TransferRefused):
        claim_basket(neighbour, offered.pk, now=day_on(point, DEC_8).ends_at)

    assert claimer(offered) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_members_claiming_the_same_basket_at_once_only_one_gets_it(offered, eggs, point):
    neighbours = [member_of(eggs, point).member, member_of(eggs, point).member]
    barrier = threading.Barrier(2)
    outcomes = []

    def claim(member):
        barrier.wait()
        try:
            claim_basket(member, offered.pk, now=PARIS_NOW + dt.timedelta(hours=1))
            outcomes.append("claimed")
        except TransferRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(m,)) for m in neighbours]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["claimed", "refused"]
    assert claimer(offered) in neighbours
