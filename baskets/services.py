"""Things that happen to basket subscriptions. One transaction each."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baskets.errors import SubscriptionRefused
from baskets.models import (
    HOLDING_STATES,
    Contract,
    ContractPickupPoint,
    PlanFrequency,
    Sharing,
    Subscription,
    SubscriptionState,
)
from deliveries.services import closures_by_point, plan_days


def contract_delivery_dates(contract: Contract, pickup_point) -> list[date]:
    """The dates a contract delivers at a pickup point over its whole season: the point's
    distribution dates between the contract's dates, closures left out, every other one for an
    every-other-day plan. Read from the schedules, so the whole season is known before the
    calendar reaches it."""

    closures = closures_by_point([pickup_point], contract.starts_on, contract.ends_on)
    planned = plan_days(
        pickup_point, closures[pickup_point.pk], contract.starts_on, contract.ends_on
    )
    dates = sorted(day for day, plan in planned.items() if not plan.closure_reason)
    if contract.plan.frequency == PlanFrequency.EVERY_OTHER_DAY:
        dates = dates[::2]
    return dates


@transaction.atomic
def subscribe(
    member,
    contract: Contract,
    pickup_point,
    *,
    quantity: int = 1,
    agreed: bool,
    co_holder=None,
    sharing: str = Sharing.ALONE,
    today: date | None = None,
) -> Subscription:
    """A member signs up for a contract at a pickup point: active if there is room there, on
    the waiting list otherwise. The place's row is locked while counting, so two members
    never both get the last place."""
    today = today or timezone.localdate()
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
    if co_holder is not None and co_holder.pk == member.pk:
        raise SubscriptionRefused(_("The co-holder must be another household."))
    if co_holder is None:
        sharing = Sharing.ALONE
    place = (
        ContractPickupPoint.objects.select_for_update()
        .filter(contract=contract, pickup_point=pickup_point)
        .first()
    )
    if place is None:
        raise SubscriptionRefused(_("This contract is not delivered at this pickup point."))
    if not [day for day in contract_delivery_dates(contract, pickup_point) if day >= today]:
        raise SubscriptionRefused(
            _("This contract has no delivery date left at this pickup point.")
        )
    if live_subscription(member, contract) is not None:
        raise SubscriptionRefused(_("You are already subscribed to this contract."))
    taken = Subscription.objects.filter(
        contract=contract, pickup_point=pickup_point, state__in=HOLDING_STATES
    ).count()
    state = SubscriptionState.ACTIVE if taken < place.capacity else SubscriptionState.WAITING
    try:
        with transaction.atomic():
            return Subscription.objects.create(
                contract=contract,
                pickup_point=pickup_point,
                member=member,
                co_holder=co_holder,
                sharing=sharing,
                quantity=quantity,
                state=state,
                agreed_at=timezone.now(),
            )
    except IntegrityError as error:  # the same member signing up twice at once
        raise SubscriptionRefused(_("You are already subscribed to this contract.")) from error


def live_subscription(member, contract: Contract) -> Subscription | None:
    return (
        Subscription.objects.filter(contract=contract, member=member)
        .exclude(state__in=(SubscriptionState.CANCELLED, SubscriptionState.ENDED))
        .first()
    )
