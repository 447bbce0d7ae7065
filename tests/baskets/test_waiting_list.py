"""The waiting list: who gets a place that frees up, the offer's deadline, its emails."""

import datetime as dt

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from baskets.errors import NotYourSubscription, PlaceRefused
from baskets.models import ContractPickupPoint, Subscription, SubscriptionState
from baskets.services import OFFER_HOURS, accept_offered_place, leave_contract, subscribe
from baskets.tasks import offer_free_places
from tests.baskets.calendar import PARIS_NOW
from tests.factories import UserFactory, contract_at

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

SIGN_UP_DAY = dt.date(2026, 11, 23)
SEASON_STARTS = dt.date(2026, 12, 1)


@pytest.fixture
def contract(point):
    """One household's place at the point, the season starting on Tuesday 1 December."""
    return contract_at(
        point,
        capacity=1,
        starts_on=SEASON_STARTS,
        ends_on=dt.date(2027, 2, 23),
        signup_opens_on=dt.date(2026, 11, 1),
        signup_closes_on=dt.date(2026, 12, 15),
    )


def sign_up(contract, point, **kwargs):
    return subscribe(UserFactory(), contract, point, agreed=True, today=SIGN_UP_DAY, **kwargs)


@pytest.fixture
def holder(contract, point, clock):
    return sign_up(contract, point)


@pytest.fixture
def first_waiting(holder, contract, point):
    return sign_up(contract, point)


@pytest.fixture
def second_waiting(first_waiting, contract, point):
    return sign_up(contract, point)


def place_of(contract, point):
    return ContractPickupPoint.objects.get(contract=contract, pickup_point=point)


def state_of(subscription):
    subscription.refresh_from_db()
    return subscription.state


def deadline_as_written(expires_at):
    with translation.override("fr"):
        return date_format(timezone.localtime(expires_at), "l j F, H:i")


def test_members_past_capacity_go_on_the_waiting_list(holder, first_waiting, second_waiting):
    assert [holder.state, first_waiting.state, second_waiting.state] == [
        SubscriptionState.ACTIVE,
        SubscriptionState.WAITING,
        SubscriptionState.WAITING,
    ]
    assert first_waiting.offer_expires_at is None


def test_a_newcomer_does_not_jump_ahead_of_those_waiting_when_a_place_frees_up(
    holder, first_waiting, contract, point
):
    leave_contract(holder.member, holder.pk, today=SIGN_UP_DAY)

    newcomer = sign_up(contract, point)
    offer_free_places([place_of(contract, point).pk])

    assert newcomer.state == SubscriptionState.WAITING
    first_waiting.refresh_from_db()
    newcomer.refresh_from_db()
    assert first_waiting.offer_expires_at is not None
    assert newcomer.offer_expires_at is None


def test_leaving_before_the_season_offers_the_place_to_the_first_person_waiting(
    holder, first_waiting, second_waiting, clock, mailoutbox
):
    leave_contract(holder.member, holder.pk, today=SIGN_UP_DAY)

    offered = offer_free_places()

    assert offered == 1
    assert state_of(holder) == SubscriptionState.CANCELLED
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert first_waiting.offer_expires_at == clock.now + dt.timedelta(hours=OFFER_HOURS)
    assert second_waiting.offer_expires_at is None
    assert [mail.to for mail in mailoutbox] == [[first_waiting.member.email]]
    assert deadline_as_written(first_waiting.offer_expires_at) in mailoutbox[0].body


def test_leaving_offers_the_place_once_the_leave_is_committed(
    holder, first_waiting, second_waiting, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        leave_contract(holder.member, holder.pk, today=SIGN_UP_DAY)

    assert len(callbacks) == 1
    first_waiting.refresh_from_db()
    assert first_waiting.offer_expires_at is not None
    assert [mail.to for mail in mailoutbox] == [[first_waiting.member.email]]


def test_offering_twice_sends_nothing_more(holder, first_waiting, second_waiting, mailoutbox):
    leave_contract(holder.member, holder.pk, today=SIGN_UP_DAY)
    offer_free_places()
    first_waiting.refresh_from_db()
    expires_at = first_waiting.offer_expires_at

    assert offer_free_places() == 0

    assert len(mailoutbox) == 1
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert first_waiting.offer_expires_at == expires_at
    assert second_waiting.offer_expires_at is None


def test_the_person_offered_a_place_accepts_it_before_the_deadline(
    holder, first_waiting, second_waiting, clock, mailoutbox
):
    leave_contract(holder.member, holder.pk, today=SIGN_UP_DAY)
    offer_free_places()

    accept_offered_place(
        first_waiting.member, first_waiting.pk, now=clock.now + dt.timedelta(hours=OFFER_HOURS - 1)
    )

    first_waiting.refresh_from_db()
    assert first_waiting.state == SubscriptionState.ACTIVE
    assert first_waiting.offer_expires_at is None
    assert offer_free_places() == 0
    assert state_of(second_waiting) == SubscriptionState.WAITING
    assert len(mailoutbox) == 1


def test_an_offer_not_accepted_in_time_lapses_and_goes_to_the_next_person(
    holder, first_waiting, second_waiting, clock, mailoutbox
):
    leave_contract(holder.member, holder.pk, today=SIGN_UP_DAY)
    offer_free_places()
    first_waiting.refresh_from_db()
    too_late = first_waiting.offer_expires_at + dt.timedelta(minutes=1)

    with pytest.raises(PlaceRefused):
        accept_offered_place(first_waiting.member, first_waiting.pk, now=too_late)
    assert state_of(first_waiting) == SubscriptionState.WAITING

    clock.now = too_late
    assert offer_free_places() == 1

    assert state_of(first_waiting) == SubscriptionState.CANCELLED
    second_waiting.refresh_from_db()
    assert second_waiting.state == SubscriptionState.WAITING
    assert second_waiting.offer_expires_at == too_late + dt.timedelta(hours=OFFER_HOURS)
    later_mails = mailoutbox[1:]
    assert sorted(mail.to[0] for mail in later_mails) == sorted(
        [first_waiting.member.email, second_waiting.member.email]
    )
    to_second = next(mail for mail in later_mails if mail.to == [second_waiting.member.email])
    assert deadline_as_written(second_waiting.offer_expires_at) in to_second.body


def test_declining_an_offered_place_passes_it_to_the_next_person(
    holder, first_waiting, second_waiting, mailoutbox, django_capture_on_commit_callbacks
):
    leave_contract(holder.member, holder.pk, today=SIGN_UP_DAY)
    offer_free_places()

    with django_capture_on_commit_callbacks(execute=True):
        leave_contract(first_waiting.member, first_waiting.pk, today=SIGN_UP_DAY)

    assert state_of(first_waiting) == SubscriptionState.CANCELLED
    second_waiting.refresh_from_db()
    assert second_waiting.offer_expires_at is not None
    assert [mail.to for mail in mailoutbox] == [
        [first_waiting.member.email],
        [second_waiting.member.email],
    ]


def test_accepting_when_no_place_was_offered_is_refused(holder, first_waiting):
    with pytest.raises(PlaceRefused):
        accept_offered_place(first_waiting.member, first_waiting.pk, now=PARIS_NOW)

    assert state_of(first_waiting) == SubscriptionState.WAITING
    assert state_of(holder) == SubscriptionState.ACTIVE


def test_leaving_after_the_season_started_is_refused_and_changes_nothing(
    holder, first_waiting, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(PlaceRefused),
    ):
        leave_contract(holder.member, holder.pk, today=SEASON_STARTS)

    assert callbacks == []
    assert state_of(holder) == SubscriptionState.ACTIVE
    first_waiting.refresh_from_db()
    assert first_waiting.offer_expires_at is None
    assert mailoutbox == []


def test_nobody_accepts_or_leaves_someone_elses_subscription(holder, first_waiting):
    with pytest.raises(NotYourSubscription):
        leave_contract(first_waiting.member, holder.pk, today=SIGN_UP_DAY)
    with pytest.raises(NotYourSubscription):
        accept_offered_place(holder.member, first_waiting.pk, now=PARIS_NOW)

    assert list(Subscription.objects.order_by("pk").values_list("state", flat=True)) == [
        SubscriptionState.ACTIVE,
        SubscriptionState.WAITING,
    ]
