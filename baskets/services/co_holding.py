"""Sharing a subscription with another household, with their consent: the holder invites an
email address, whoever opens the emailed link accepts (signed in) or declines, and either
household ends the sharing later. The answer to the holder never says whether an account exists
for the address; nothing of the invitee shows anywhere until they accept. One transaction each."""

import secrets
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baskets.errors import CoHoldingRefused, NotYourSubscription
from baskets.models import (
    LIVE_CO_HOLDING_STATES,
    BasketDelivery,
    CoHolding,
    CoHoldingState,
    Sharing,
    Subscription,
    SubscriptionState,
)
from baskets.services.prepared_days import prepared_until
from deliveries.network.models import DayState
from marketplace.core.tasks import queue_on_commit

SHARED_WAYS = (Sharing.ALTERNATE, Sharing.SPLIT)
ENDED_STATES = (SubscriptionState.ENDED, SubscriptionState.CANCELLED)


def invite_co_holder(
    subscription: Subscription, email: str, sharing: str, now: datetime
) -> CoHolding:
    """Records the invitation and emails it (after commit), whoever the address belongs to.
    Called inside the caller's transaction (signing up)."""
    email = (email or "").strip()
    if email.casefold() == (subscription.member.email or "").casefold():
        raise CoHoldingRefused(_("The co-holder must be another household."))
    if sharing not in SHARED_WAYS:
        raise CoHoldingRefused(_("Say how you share the basket with your co-holder."))
    try:
        with transaction.atomic():
            co_holding = CoHolding.objects.create(
                subscription=subscription,
                email=email,
                sharing=sharing,
                token=secrets.token_urlsafe(32),
                invited_at=now,
            )
    except IntegrityError as error:
        raise CoHoldingRefused(
            _("This basket is already shared, or an invitation is waiting.")
        ) from error
    queue_on_commit("baskets.tasks.notify_co_holding", co_holding.pk, "invited")
    return co_holding


def _lock_invitation(token: str) -> CoHolding:
    co_holding = (
        CoHolding.objects.select_for_update(of=("self",))
        .select_related("subscription")
        .filter(token=token or "")
        .first()
    )
    if co_holding is None:
        raise CoHoldingRefused(_("This invitation does not exist, or was withdrawn."))
    return co_holding


def _check_open(co_holding: CoHolding) -> None:
    if co_holding.state != CoHoldingState.INVITED:
        raise CoHoldingRefused(_("This invitation has already been answered or withdrawn."))
    if co_holding.subscription.state in ENDED_STATES:
        raise CoHoldingRefused(_("The subscription you were invited to share has ended."))


@transaction.atomic
def accept_co_holding(user, token: str, now: datetime | None = None) -> CoHolding:
    """The invitee, signed in, accepts: the subscription is shared from now on (its turns
    appear when they alternate) and the holder is told who accepted."""
    now = now or timezone.now()
    co_holding = _lock_invitation(token)
    subscription = Subscription.objects.select_for_update(of=("self",)).get(
        pk=co_holding.subscription_id
    )
    co_holding.subscription = subscription
    _check_open(co_holding)
    if user.pk == subscription.member_id:
        raise CoHoldingRefused(_("The co-holder must be another household."))
    co_holding.state = CoHoldingState.ACCEPTED
    co_holding.co_holder = user
    co_holding.answered_at = now
    co_holding.save(update_fields=["state", "co_holder", "answered_at"])
    subscription.co_holder = user
    subscription.sharing = co_holding.sharing
    subscription.save(update_fields=["co_holder", "sharing"])
    queue_on_commit("baskets.tasks.notify_co_holding", co_holding.pk, "accepted")
    return co_holding


@transaction.atomic
def decline_co_holding(token: str, user=None, now: datetime | None = None) -> CoHolding:
    """The invitee declines (no account needed): nothing is shared and the holder is told."""
    now = now or timezone.now()
    co_holding = _lock_invitation(token)
    _check_open(co_holding)
    co_holding.state = CoHoldingState.DECLINED
    co_holding.answered_at = now
    co_holding.save(update_fields=["state", "answered_at"])
    queue_on_commit("baskets.tasks.notify_co_holding", co_holding.pk, "declined")
    return co_holding


def live_co_holding(subscription: Subscription) -> CoHolding | None:
    return (
        CoHolding.objects.filter(subscription=subscription, state__in=LIVE_CO_HOLDING_STATES)
        .select_related("co_holder")
        .first()
    )


@transaction.atomic
def end_co_holding(user, subscription_id: int, now: datetime | None = None) -> CoHolding:
    """The holder withdraws an invitation not answered yet, or either household ends the
    sharing. Days already prepared (their change deadline passed) stay shared as they were;
    from the next open distribution the holder holds alone, and the co-holder at once loses
    the right to change its deliveries. The other household is told."""
    now = now or timezone.now()
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("contract")
        .filter(Q(member=user) | Q(co_holder=user), pk=subscription_id)
        .first()
    )
    if subscription is None:
        raise NotYourSubscription(_("This subscription is not yours."))
    co_holding = (
        CoHolding.objects.select_for_update()
        .filter(subscription=subscription, state__in=LIVE_CO_HOLDING_STATES)
        .first()
    )
    if co_holding is None or co_holding.shared_until is not None:
        raise CoHoldingRefused(_("This basket is not shared any more."))
    if co_holding.state == CoHoldingState.INVITED:
        if user.pk != subscription.member_id:
            raise NotYourSubscription(_("This subscription is not yours."))
        co_holding.state = CoHoldingState.ENDED
        co_holding.ended_at = now
        co_holding.save(update_fields=["state", "ended_at"])
        return co_holding
    co_holding.ended_at = now
    co_holding.shared_until = _last_prepared_delivery(subscription, now)
    co_holding.save(update_fields=["ended_at", "shared_until"])
    if co_holding.shared_until is None:
        _stop_sharing(co_holding, subscription)
    ended_by = "ended_by_holder" if user.pk == subscription.member_id else "ended_by_co_holder"
    queue_on_commit("baskets.tasks.notify_co_holding", co_holding.pk, ended_by)
    return co_holding


def _last_prepared_delivery(subscription: Subscription, now: datetime) -> date | None:
    """The last of the subscription's baskets still to hand out whose day is past its change
    deadline (``prepared_until``): it stays shared as it was."""
    prepared = prepared_until(subscription, now)
    if prepared is None:
        return None
    return (
        BasketDelivery.objects.filter(
            subscription=subscription,
            distribution_day__date__lte=prepared,
            distribution_day__ends_at__gt=now,
        )
        .exclude(distribution_day__state=DayState.CANCELLED)
        .aggregate(last=Max("distribution_day__date"))["last"]
    )


def _stop_sharing(co_holding: CoHolding, subscription: Subscription) -> None:
    co_holding.state = CoHoldingState.ENDED
    co_holding.save(update_fields=["state"])
    subscription.co_holder = None
    subscription.sharing = Sharing.ALONE
    subscription.save(update_fields=["co_holder", "sharing"])


def finish_ended_sharings(today: date) -> int:
    """Sharings ended while some days were already prepared stop once those days are past.
    Runs with the daily refresh of subscription states; running it twice changes nothing."""
    finished = 0
    for co_holding in CoHolding.objects.select_for_update().filter(
        state=CoHoldingState.ACCEPTED, shared_until__lt=today
    ):
        subscription = Subscription.objects.select_for_update().get(pk=co_holding.subscription_id)
        _stop_sharing(co_holding, subscription)
        finished += 1
    return finished
