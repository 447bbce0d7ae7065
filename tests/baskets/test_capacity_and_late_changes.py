"""A contract's capacity counts baskets, not households; a change that reaches a day whose
baskets are already prepared applies from the next open day and says so; the baskets others
took from a holder who stops are kept (days already prepared) or dropped with an email (days
still open), and the pickup list, the producer's counts and the claims agree."""

import datetime as dt
import html

import pytest
from django.urls import reverse

from baskets.models import (
    BasketDelivery,
    BasketTransfer,
    ContractPickupPoint,
    Subscription,
    SubscriptionState,
    TransferKind,
)
from baskets.selectors import basket_counts, pickup_list_baskets
from baskets.services import (
    claim_basket,
    end_commitment,
    generate_basket_deliveries,
    leave_contract,
    subscribe,
    transfer_delivery,
    waiting_position,
)
from baskets.tasks import generate_chunk_deliveries, offer_free_places
from deliveries.models import DistributionDay
from marketplace.shop_setup import ensure_shop_basics
from tests.baskets.calendar import DEC_1, DEC_8, DEC_15, PARIS_NOW, SIGN_UP_DAY, season
from tests.baskets.test_confirmations import english
from tests.clock import PARIS
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

# Monday 30 November, 10:00: Tuesday 1 December's baskets are prepared (its deadline, 48 hours
# before 18:00, passed on Sunday evening); 8 December is still open.
AFTER_DEC_1_DEADLINE = dt.datetime(2026, 11, 30, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


def text(response) -> str:
    return html.unescape(response.content.decode())


def sign_up(contract, point, quantity=1, member=None):
    return subscribe(
        member or UserFactory(),
        contract,
        point,
        quantity=quantity,
        agreed=True,
        today=SIGN_UP_DAY,
    )


def place_of(contract, point):
    return ContractPickupPoint.objects.get(contract=contract, pickup_point=point)


def day_on(point, date):
    return DistributionDay.objects.get(pickup_point=point, date=date)


def delivered_dates(subscription):
    return sorted(
        BasketDelivery.objects.filter(subscription=subscription).values_list(
            "distribution_day__date", flat=True
        )
    )


def beat_generation(point):
    generate_chunk_deliveries([point.pk])


# Capacity in baskets


def test_a_household_taking_three_baskets_uses_three_places(point):
    contract = season(point, capacity=4)

    three = sign_up(contract, point, quantity=3)
    one = sign_up(contract, point, quantity=1)
    another = sign_up(contract, point, quantity=1)

    assert [three.state, one.state, another.state] == ["active", "active", "waiting"]


def test_asking_for_more_baskets_than_are_left_goes_on_the_waiting_list_and_lets_smaller_ones_in(
    point,
):
    contract = season(point, capacity=3)
    sign_up(contract, point, quantity=2)

    too_many = sign_up(contract, point, quantity=2)
    fits = sign_up(contract, point, quantity=1)

    assert too_many.state == SubscriptionState.WAITING
    assert fits.state == SubscriptionState.ACTIVE  # the one basket left was not kept unsold
    assert waiting_position(too_many) == 1


def test_free_baskets_go_to_the_first_waiting_whose_baskets_fit_and_the_others_keep_their_rank(
    point, mailoutbox
):
    contract = season(point, capacity=4)
    small_holder = sign_up(contract, point, quantity=1)
    large_holder = sign_up(contract, point, quantity=3)
    wants_three = sign_up(contract, point, quantity=3)
    wants_one = sign_up(contract, point, quantity=1)
    also_one = sign_up(contract, point, quantity=1)

    leave_contract(small_holder.member, small_holder.pk, today=SIGN_UP_DAY)
    offer_free_places([place_of(contract, point).pk])

    for subscription in (wants_three, wants_one, also_one):
        subscription.refresh_from_db()
    assert wants_one.offer_expires_at is not None
    assert wants_three.offer_expires_at is None and also_one.offer_expires_at is None
    assert waiting_position(wants_three) == 1

    leave_contract(large_holder.member, large_holder.pk, today=SIGN_UP_DAY)
    offer_free_places([place_of(contract, point).pk])

    wants_three.refresh_from_db()
    also_one.refresh_from_db()
    assert wants_three.offer_expires_at is not None  # three free at once: their turn first
    assert also_one.offer_expires_at is None
    assert [mail.to for mail in mailoutbox] == [
        [wants_one.member.email],
        [wants_three.member.email],
    ]


def test_contract_pages_and_coordination_count_places_left_in_baskets(client, point):
    contract = season(point, capacity=5)
    coordinator = UserFactory()
    contract.coordinators.add(coordinator)
    sign_up(contract, point, quantity=3)
    sign_up(contract, point, quantity=1)
    english(client).force_login(UserFactory())

    assert "1 basket left" in text(client.get(reverse("baskets:contracts")))
    assert "1 basket left" in text(
        client.get(reverse("baskets:contract", kwargs={"pk": contract.pk}))
    )

    waiting = UserFactory()
    client.force_login(waiting)
    response = client.post(
        reverse("baskets:contract", kwargs={"pk": contract.pk}),
        {"pickup_point": point.pk, "quantity": 2, "agreed": "on"},
        follow=True,
    )

    assert Subscription.objects.get(member=waiting).state == SubscriptionState.WAITING
    assert "Only 1 basket is left at" in text(response)
    assert "fewer than the 2 you asked for" in text(response)
    client.force_login(coordinator)
    coordination = text(client.get(reverse("baskets:coordination")))
    assert "4 baskets taken of 5" in coordination
    assert "1 basket left" in coordination
    assert "2 baskets" in coordination  # what the person waiting asks for


# Late changes apply from the next open day


def test_a_member_joining_after_a_days_deadline_gets_baskets_from_the_next_open_day(point, clock):
    contract = season(point)
    clock.now = AFTER_DEC_1_DEADLINE

    late = subscribe(UserFactory(), contract, point, agreed=True)
    beat_generation(point)

    assert late.first_delivery_on == dt.date(2026, 12, 2)
    assert DEC_1 not in delivered_dates(late)
    assert delivered_dates(late)[0] == DEC_8
    assert basket_counts(contract.plan.producer, DEC_1, DEC_1) == []


def test_the_subscription_message_says_when_the_first_basket_is(client, point, clock):
    contract = season(point)
    clock.now = AFTER_DEC_1_DEADLINE
    english(client).force_login(UserFactory())

    response = client.post(
        reverse("baskets:contract", kwargs={"pk": contract.pk}),
        {"pickup_point": point.pk, "quantity": 1, "agreed": "on"},
        follow=True,
    )

    page = text(response)
    assert "Your first basket: Tuesday 8 December." in page
    assert "The basket of Tuesday 1 December was already prepared before you joined." in page


def test_a_place_accepted_after_a_days_deadline_starts_at_the_next_open_day(client, point, clock):
    contract = season(point, capacity=1)
    holder = sign_up(contract, point)
    waiting = sign_up(contract, point)
    leave_contract(holder.member, holder.pk, today=SIGN_UP_DAY)
    clock.now = AFTER_DEC_1_DEADLINE - dt.timedelta(hours=20)  # offered on Sunday afternoon
    offer_free_places([place_of(contract, point).pk])
    clock.now = AFTER_DEC_1_DEADLINE  # accepted on Monday morning
    english(client).force_login(waiting.member)

    response = client.post(reverse("baskets:accept", kwargs={"pk": waiting.pk}), follow=True)
    beat_generation(point)

    waiting.refresh_from_db()
    assert waiting.state == SubscriptionState.ACTIVE
    assert delivered_dates(waiting)[0] == DEC_8
    assert "Your first basket: Tuesday 8 December." in text(response)


def test_ending_a_commitment_after_a_days_deadline_keeps_that_days_baskets_and_says_so(
    client, point, clock, mailoutbox, django_capture_on_commit_callbacks
):
    contract = season(point)
    coordinator = UserFactory()
    contract.coordinators.add(coordinator)
    holder = sign_up(contract, point, quantity=2)
    clock.now = AFTER_DEC_1_DEADLINE
    beat_generation(point)
    assert delivered_dates(holder)[:2] == [DEC_1, DEC_8]
    english(client).force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("baskets:end-commitment", kwargs={"pk": holder.pk}),
            {"confirm": "1"},
            follow=True,
        )
    beat_generation(point)

    holder.refresh_from_db()
    assert holder.state == SubscriptionState.ENDED
    assert delivered_dates(holder) == [DEC_1]  # prepared: still brought, still theirs
    counts = {row.date: row.baskets for row in basket_counts(contract.plan.producer, DEC_1, DEC_15)}
    assert counts == {DEC_1: 2}
    assert [row.holder for row in pickup_list_baskets(day_on(point, DEC_1))] == [
        f"{holder.member.first_name} {holder.member.last_name}".strip()
    ]
    assert (
        "It ends after the distribution of Tuesday 1 December: the baskets of Tuesday "
        "1 December are already prepared and remain theirs to collect."
    ) in text(response)
    told = [mail for mail in mailoutbox if mail.to == [holder.member.email]]
    assert len(told) == 1 and "1 décembre" in told[0].body


def test_leaving_before_the_season_after_the_first_deadline_keeps_the_first_basket(
    client, point, clock
):
    contract = season(point)
    holder = sign_up(contract, point)
    clock.now = AFTER_DEC_1_DEADLINE
    beat_generation(point)
    english(client).force_login(holder.member)

    response = client.post(reverse("baskets:leave", kwargs={"pk": holder.pk}), follow=True)
    beat_generation(point)

    holder.refresh_from_db()
    assert holder.state == SubscriptionState.ENDED
    assert delivered_dates(holder) == [DEC_1]
    assert "the basket of Tuesday 1 December is already prepared and remains yours" in text(
        response
    )


def test_ending_before_any_deadline_drops_every_coming_basket(point):
    contract = season(point)
    coordinator = UserFactory()
    contract.coordinators.add(coordinator)
    holder = sign_up(contract, point)
    generate_basket_deliveries([point.pk], SIGN_UP_DAY, DEC_15)

    end_commitment(coordinator, holder.pk)
    beat_generation(point)

    holder.refresh_from_db()
    assert holder.state == SubscriptionState.CANCELLED
    assert delivered_dates(holder) == []


# Baskets taken from a holder who stops


@pytest.fixture
def taken_baskets(point, clock):
    """A holder gives away three baskets on 23 November: 1 December's, taken by one
    neighbour, 8 December's, taken by another, 15 December's to a person they name. Then
    the clock moves to 30 November, past 1 December's deadline."""
    contract = season(point)
    coordinator = UserFactory()
    contract.coordinators.add(coordinator)
    holder = sign_up(contract, point)
    first_taker = sign_up(contract, point).member
    second_taker = sign_up(contract, point).member
    generate_basket_deliveries([point.pk], SIGN_UP_DAY, DEC_15)
    for date in (DEC_1, DEC_8):
        transfer_delivery(holder.member, holder.pk, day_on(point, date).pk, TransferKind.OFFERED)
    transfer_delivery(
        holder.member, holder.pk, day_on(point, DEC_15).pk, TransferKind.NAMED, "Mamie Jeanne"
    )
    claim_basket(first_taker, BasketTransfer.objects.get(distribution_day__date=DEC_1).pk)
    claim_basket(second_taker, BasketTransfer.objects.get(distribution_day__date=DEC_8).pk)
    clock.now = AFTER_DEC_1_DEADLINE
    return contract, coordinator, holder, first_taker, second_taker


def test_a_basket_taken_for_a_prepared_day_is_kept_for_its_taker(
    point, taken_baskets, django_capture_on_commit_callbacks
):
    contract, coordinator, holder, first_taker, _second_taker = taken_baskets

    with django_capture_on_commit_callbacks(execute=True):
        end_commitment(coordinator, holder.pk)

    transfer = BasketTransfer.objects.get(subscription=holder, distribution_day__date=DEC_1)
    assert transfer.claimed_by == first_taker
    rows = [row for row in pickup_list_baskets(day_on(point, DEC_1)) if row.is_transferred]
    assert [(row.collector, row.quantity) for row in rows] == [
        (f"{first_taker.first_name} {first_taker.last_name}".strip(), 1)
    ]
    dec_1 = [row for row in basket_counts(contract.plan.producer, DEC_1, DEC_1)]
    assert [(row.baskets, row.transferred) for row in dec_1] == [(3, 1)]


def test_baskets_taken_for_open_days_are_dropped_and_their_takers_told(
    point, taken_baskets, mailoutbox, django_capture_on_commit_callbacks
):
    contract, coordinator, holder, first_taker, second_taker = taken_baskets

    with django_capture_on_commit_callbacks(execute=True):
        end_commitment(coordinator, holder.pk)
    beat_generation(point)

    assert not BasketTransfer.objects.filter(
        subscription=holder, distribution_day__date__gt=DEC_1
    ).exists()
    assert not BasketDelivery.objects.filter(
        subscription=holder, distribution_day__date__gt=DEC_1
    ).exists()
    for date in (DEC_8, DEC_15):
        rows = pickup_list_baskets(day_on(point, date))
        assert [row.collector for row in rows if row.is_transferred] == []
        assert sum(row.quantity for row in rows) == 2  # the two neighbours' own baskets
    counts = {
        row.date: (row.baskets, row.transferred)
        for row in basket_counts(contract.plan.producer, DEC_8, DEC_15)
    }
    assert counts == {DEC_8: (2, 0), DEC_15: (2, 0)}
    dropped = [mail for mail in mailoutbox if mail.to == [second_taker.email]]
    assert len(dropped) == 1
    assert "8 décembre" in dropped[0].subject + dropped[0].body
    assert not [mail for mail in mailoutbox if mail.to == [first_taker.email]]
    # The holder is told; the person they named is theirs to tell.
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(
        [holder.member.email, second_taker.email]
    )


def test_the_emails_about_an_ending_are_sent_once(
    point, taken_baskets, mailoutbox, django_capture_on_commit_callbacks
):
    from baskets.tasks import notify_ending

    _contract, coordinator, holder, _first_taker, second_taker = taken_baskets
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        end_commitment(coordinator, holder.pk)
    sent = len(mailoutbox)

    claims = [[second_taker.pk, day_on(point, DEC_8).pk]]
    assert notify_ending(holder.pk, claims, True) == 0

    assert sent == 2 and len(mailoutbox) == 2
    assert len(callbacks) == 2  # the emails, and the place offered to the waiting list
