"""Signing up, the waiting list, leaving, and the states that follow the calendar. One
transaction each."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from baskets.errors import NotYourSubscription, PlaceRefused, SubscriptionRefused
from baskets.models import (
    HOLDING_STATES,
    Absence,
    AbsenceKind,
    Contract,
    ContractKind,
    ContractPickupPoint,
    Sharing,
    Subscription,
    SubscriptionState,
)
from baskets.services.capacity import baskets_left, committed, first_who_fit, queued
from baskets.services.choices import checked_choice, record_usual_choice
from baskets.services.co_holding import finish_ended_sharings, invite_co_holder
from baskets.services.endings import end_deliveries, had_a_delivery
from baskets.services.generation import GENERATION_WEEKS, generate_basket_deliveries
from baskets.services.prepared_days import first_open_date
from baskets.services.seasons import contract_delivery_dates
from marketplace.core.tasks import queue_on_commit

# How long someone at the head of the waiting list has to accept a place that freed up.
OFFER_HOURS = 48


@transaction.atomic
def subscribe(
    member,
    contract: Contract,
    pickup_point,
    *,
    quantity: int = 1,
    agreed: bool,
    co_holder_email: str = "",
    sharing: str = Sharing.ALONE,
    choice: dict[int, int] | None = None,
    today: date | None = None,
) -> Subscription:
    """A member signs up for a contract at a pickup point: active if their baskets fit in
    those left there (``baskets_left``: those already waiting go first), on the waiting list
    otherwise, even when a few baskets are left but fewer than they ask for. The place's row
    is locked while counting, so two members never both get the last place. A holder's
    baskets start at the first day whose baskets are not prepared yet (``first_delivery_on``).
    A co-holder's address is invited (``invite_co_holder``): the subscription is shared only
    once they accept."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    if not agreed:
        raise SubscriptionRefused(_("Please read and accept the contract's terms."))
    if quantity is None or quantity < 1:
        raise SubscriptionRefused(_("Choose at least one basket per delivery."))
    if not contract.signup_opens_on <= today <= contract.signup_closes_on:
        raise SubscriptionRefused(
            _("Sign-up for this contract is open from %(opens)s to %(closes)s.")
            % {
                "opens": contract.signup_opens_on.strftime("%d/%m/%Y"),
                "closes": contract.signup_closes_on.strftime("%d/%m/%Y"),
            }
        )
    co_holder_email = (co_holder_email or "").strip()
    if co_holder_email.casefold() == (member.email or "").casefold() and co_holder_email:
        raise SubscriptionRefused(_("The co-holder must be another household."))
    place = (
        ContractPickupPoint.objects.select_for_update()
        .filter(contract=contract, pickup_point=pickup_point)
        .first()
    )
    if place is None:
        raise SubscriptionRefused(_("This contract is not delivered at this pickup point."))
    opens_on = first_open_date(Subscription(contract=contract, pickup_point=pickup_point), now)
    opens_on = max(opens_on, today)
    if not [day for day in contract_delivery_dates(contract, pickup_point) if day >= opens_on]:
        raise SubscriptionRefused(
            _("This contract has no delivery date left at this pickup point.")
        )
    if live_subscription(member, contract) is not None:
        raise SubscriptionRefused(_("You are already subscribed to this contract."))
    if contract.kind == ContractKind.VARIABLE:
        choice = checked_choice(contract, choice or {})
    # Those already waiting go first, even if baskets have freed up and not yet been offered.
    fits = quantity <= baskets_left([place], now)[place.pk]
    state = SubscriptionState.ACTIVE if fits else SubscriptionState.WAITING
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(
                contract=contract,
                pickup_point=pickup_point,
                member=member,
                quantity=quantity,
                state=state,
                agreed_at=now,
                first_delivery_on=opens_on if fits else None,
            )
    except IntegrityError as error:  # the same member signing up twice at once
        raise SubscriptionRefused(_("You are already subscribed to this contract.")) from error
    if co_holder_email:
        invite_co_holder(subscription, co_holder_email, sharing, now)
    if contract.kind == ContractKind.VARIABLE:
        record_usual_choice(subscription, choice)
    if state == SubscriptionState.ACTIVE:
        _make_coming_deliveries(subscription, today)
    return subscription


def live_subscription(member, contract: Contract) -> Subscription | None:
    return (
        Subscription.objects.filter(contract=contract, member=member)
        .exclude(state__in=(SubscriptionState.CANCELLED, SubscriptionState.ENDED))
        .first()
    )


def _lock_place(contract_id: int, pickup_point_id: int) -> ContractPickupPoint:
    return ContractPickupPoint.objects.select_for_update().get(
        contract_id=contract_id, pickup_point_id=pickup_point_id
    )


def _own_subscription(member, subscription_id: int) -> Subscription:
    subscription = (
        Subscription.objects.select_related("contract__plan", "pickup_point")
        .filter(pk=subscription_id, member=member)
        .first()
    )
    if subscription is None:
        raise NotYourSubscription(_("This subscription is not yours."))
    return subscription


@transaction.atomic
def offer_free_place(place_id: int, now=None) -> tuple[list[Subscription], list[Subscription]]:
    """At one contract's pickup point: offers nobody accepted in time lapse (their waiting
    entries are cancelled), then the free baskets are offered down the waiting list to each
    person whose baskets fit (``first_who_fit``), for ``OFFER_HOURS``. Pending offers hold
    their baskets, so running it twice offers nothing more. Returns the subscriptions newly
    offered a place, and those whose offer lapsed, to email."""
    now = now or timezone.now()
    place = (
        ContractPickupPoint.objects.select_for_update(of=("self",))
        .select_related("contract")
        .filter(pk=place_id)
        .first()
    )
    if place is None:
        return [], []
    waiting = Subscription.objects.filter(
        contract_id=place.contract_id,
        pickup_point_id=place.pickup_point_id,
        state=SubscriptionState.WAITING,
    )
    lapsed = list(waiting.filter(offer_expires_at__lt=now))
    waiting.filter(pk__in=[sub.pk for sub in lapsed]).update(state=SubscriptionState.CANCELLED)
    if place.contract.ends_on < timezone.localdate(now):
        return [], lapsed
    used = committed(place.contract_id, place.pickup_point_id, now).aggregate(n=Sum("quantity"))
    free = place.capacity - (used["n"] or 0)
    if free <= 0:
        return [], lapsed
    offered = first_who_fit(queued(place.contract_id, place.pickup_point_id), free)
    expires_at = now + timedelta(hours=OFFER_HOURS)
    Subscription.objects.filter(pk__in=[sub.pk for sub in offered]).update(
        offer_expires_at=expires_at
    )
    for subscription in offered:
        subscription.offer_expires_at = expires_at
    return offered, lapsed


def places_with_waiting_lists() -> list[int]:
    waiting = Subscription.objects.filter(
        contract_id=OuterRef("contract_id"),
        pickup_point_id=OuterRef("pickup_point_id"),
        state=SubscriptionState.WAITING,
    )
    return list(ContractPickupPoint.objects.filter(Exists(waiting)).values_list("pk", flat=True))


@transaction.atomic
def accept_offered_place(member, subscription_id: int, now=None) -> Subscription:
    """The member takes the place offered to them before it lapses: they become active."""
    now = now or timezone.now()
    subscription = _own_subscription(member, subscription_id)
    _lock_place(subscription.contract_id, subscription.pickup_point_id)
    subscription.refresh_from_db()
    if subscription.state != SubscriptionState.WAITING or subscription.offer_expires_at is None:
        if subscription.state in HOLDING_STATES:
            raise PlaceRefused(_("You already have your place in this contract."))
        if subscription.state == SubscriptionState.WAITING:
            raise PlaceRefused(
                _("No place has been offered to you yet: you are number %(n)s on the waiting list.")
                % {"n": waiting_position(subscription)}
            )
        raise PlaceRefused(_("This place is no longer offered to you."))
    if subscription.offer_expires_at < now:
        raise PlaceRefused(
            _("This offer lapsed on %(when)s and went to the next person waiting.")
            % {"when": date_format(timezone.localtime(subscription.offer_expires_at), "l j F, H:i")}
        )
    today = timezone.localdate(now)
    subscription.state = SubscriptionState.ACTIVE
    subscription.offer_expires_at = None
    subscription.first_delivery_on = max(first_open_date(subscription, now), today)
    subscription.save(update_fields=["state", "offer_expires_at", "first_delivery_on"])
    _make_coming_deliveries(subscription, today)
    return subscription


@transaction.atomic
def leave_contract(member, subscription_id: int, today: date | None = None) -> Subscription:
    """The member leaves the waiting list, declines a place offered, or withdraws before the
    season starts. A place freed is offered to the next person waiting (after commit). Baskets
    already prepared (``end_deliveries``) stay theirs to collect."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    subscription = _own_subscription(member, subscription_id)
    place = _lock_place(subscription.contract_id, subscription.pickup_point_id)
    subscription.refresh_from_db()
    if subscription.state in (SubscriptionState.CANCELLED, SubscriptionState.ENDED):
        raise PlaceRefused(_("This subscription has already ended."))
    if subscription.state in HOLDING_STATES and subscription.contract.starts_on <= today:
        raise PlaceRefused(
            _("Your season has started: ask the contract's coordinator to end your commitment.")
        )
    held = subscription.state in HOLDING_STATES
    frees_a_place = held or subscription.offer_expires_at
    claims = end_deliveries(subscription, now) if held else []
    subscription.state = (
        SubscriptionState.ENDED
        if held and had_a_delivery(subscription)
        else SubscriptionState.CANCELLED
    )
    subscription.offer_expires_at = None
    subscription.save(update_fields=["state", "offer_expires_at", "last_delivery_on"])
    if claims:
        queue_on_commit("baskets.tasks.notify_ending", subscription.pk, claims, False)
    if frees_a_place:
        queue_on_commit("baskets.tasks.offer_free_places", [place.pk])
    return subscription


def waiting_position(subscription: Subscription) -> int:
    """1 for the head of the waiting list of its contract at its pickup point."""
    return (
        Subscription.objects.filter(
            contract_id=subscription.contract_id,
            pickup_point_id=subscription.pickup_point_id,
            state=SubscriptionState.WAITING,
        )
        .filter(
            Q(created_at__lt=subscription.created_at)
            | Q(created_at=subscription.created_at, pk__lt=subscription.pk)
        )
        .count()
        + 1
    )


@transaction.atomic
def refresh_subscription_states(today: date | None = None) -> int:
    """Subscriptions follow the calendar: paused while a pause covers today, active again
    after it, ended once their contract is over (waiting entries too); a sharing ended while
    some days were prepared stops after them. A few queries whatever the number of
    subscriptions; running it twice changes nothing. Returns rows changed."""
    today = today or timezone.localdate()
    pausing = Absence.objects.filter(
        subscription_id=OuterRef("pk"),
        kind=AbsenceKind.PAUSE,
        starts_on__lte=today,
        ends_on__gte=today,
    )
    running = Subscription.objects.filter(contract__ends_on__gte=today)
    changed = running.filter(Exists(pausing), state=SubscriptionState.ACTIVE).update(
        state=SubscriptionState.PAUSED
    )
    changed += running.filter(~Exists(pausing), state=SubscriptionState.PAUSED).update(
        state=SubscriptionState.ACTIVE
    )
    changed += Subscription.objects.filter(
        contract__ends_on__lt=today,
        state__in=(*HOLDING_STATES, SubscriptionState.WAITING),
    ).update(state=SubscriptionState.ENDED, offer_expires_at=None)
    changed += finish_ended_sharings(today)
    return changed


def manages_place(user, contract: Contract, pickup_point) -> bool:
    """Staff, the contract's coordinators, the pickup point's coordinators and the plan's
    producer manage the contract's subscriptions at that point."""
    if user.is_staff:
        return True
    return (
        contract.coordinators.filter(pk=user.pk).exists()
        or pickup_point.coordinators.filter(pk=user.pk).exists()
        or contract.plan.producer.partner.users.filter(pk=user.pk).exists()
    )


@transaction.atomic
def end_commitment(manager, subscription_id: int, today: date | None = None) -> Subscription:
    """A coordinator ends a member's commitment (moving away, a household that stopped): it
    is cancelled before the season starts, ended once it has started; the place freed goes to
    the waiting list (after commit). Baskets already prepared (``end_deliveries``) stay the
    member's to collect; the member, and whoever had taken one of the baskets dropped, are
    emailed (after commit)."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    subscription = (
        Subscription.objects.select_related("contract__plan__producer__partner", "pickup_point")
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None or not manages_place(
        manager, subscription.contract, subscription.pickup_point
    ):
        raise NotYourSubscription(_("You do not manage this contract at this pickup point."))
    place = _lock_place(subscription.contract_id, subscription.pickup_point_id)
    subscription.refresh_from_db()
    if subscription.state in (SubscriptionState.CANCELLED, SubscriptionState.ENDED):
        raise PlaceRefused(_("This subscription has already ended."))
    held = subscription.state in HOLDING_STATES
    claims = end_deliveries(subscription, now) if held else []
    started = subscription.contract.starts_on <= today or had_a_delivery(subscription)
    subscription.state = (
        SubscriptionState.ENDED if started and held else SubscriptionState.CANCELLED
    )
    subscription.offer_expires_at = None
    subscription.save(update_fields=["state", "offer_expires_at", "last_delivery_on"])
    if held:
        queue_on_commit("baskets.tasks.notify_ending", subscription.pk, claims, True)
    queue_on_commit("baskets.tasks.offer_free_places", [place.pk])
    return subscription


def _make_coming_deliveries(subscription: Subscription, today: date) -> None:
    """A new holder's baskets show in the producer's quantities and on the pickup list at once,
    not after the next nightly run: the beat's own generation, for this subscription only, in
    the same transaction (a few queries). It starts at ``first_delivery_on``."""
    generate_basket_deliveries(
        [subscription.pickup_point_id],
        today,
        today + timedelta(weeks=GENERATION_WEEKS),
        subscription_ids=[subscription.pk],
    )
