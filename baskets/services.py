"""Things that happen to basket subscriptions. One transaction each."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baskets.errors import AbsenceRefused, NotYourSubscription, SubscriptionRefused
from baskets.models import (
    HOLDING_STATES,
    Absence,
    BasketDelivery,
    Contract,
    ContractPickupPoint,
    DeliveryStatus,
    PlanFrequency,
    Sharing,
    Subscription,
    SubscriptionState,
)
from deliveries.models import DayState, DistributionDay
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


GENERATION_WEEKS = 2
POINTS_PER_CHUNK = 50


@transaction.atomic
def generate_basket_deliveries(pickup_point_ids: list[int], first: date, last: date) -> int:
    """Make the basket deliveries of some pickup points' distribution days between two dates:
    one per holding subscription whose contract delivers that day at that point, skipped where
    an absence covers it, priced at the plan's reference price. Idempotent (a second run creates
    nothing) and a fixed number of queries whatever the number of subscriptions or points: a
    chunk of the beat task. Returns how many deliveries were created."""
    days = list(
        DistributionDay.objects.filter(
            pickup_point_id__in=pickup_point_ids,
            date__range=(first, last),
            state__in=(DayState.OPEN, DayState.CLOSED),
        ).select_related("pickup_point")
    )
    if not days:
        return 0
    days_of: dict[int, list] = {}
    for day in days:
        days_of.setdefault(day.pickup_point_id, []).append(day)
    places = ContractPickupPoint.objects.filter(
        pickup_point_id__in=days_of, contract__starts_on__lte=last, contract__ends_on__gte=first
    ).select_related("contract__plan", "pickup_point")
    # (contract, point) -> the dates it delivers there
    delivering: dict[tuple[int, int], set[date]] = {}
    for place in places:
        contract = place.contract
        if contract.plan.frequency == PlanFrequency.EVERY_OTHER_DAY:
            dates = set(contract_delivery_dates(contract, place.pickup_point))
        else:
            dates = {
                day.date
                for day in days_of[place.pickup_point_id]
                if contract.starts_on <= day.date <= contract.ends_on
            }
        delivering[contract.pk, place.pickup_point_id] = dates
    subscriptions = list(
        Subscription.objects.filter(
            contract_id__in={contract_id for contract_id, _point in delivering},
            pickup_point_id__in=days_of,
            state__in=HOLDING_STATES,
        ).values_list(
            "pk", "contract_id", "pickup_point_id", "quantity", "contract__plan__reference_price"
        )
    )
    absences: dict[int, list[tuple[date, date]]] = {}
    for subscription_id, starts_on, ends_on in Absence.objects.filter(
        subscription__contract_id__in={contract_id for contract_id, _point in delivering},
        subscription__pickup_point_id__in=days_of,
        starts_on__lte=last,
        ends_on__gte=first,
    ).values_list("subscription_id", "starts_on", "ends_on"):
        absences.setdefault(subscription_id, []).append((starts_on, ends_on))
    existing = set(
        BasketDelivery.objects.filter(distribution_day__in=days).values_list(
            "subscription_id", "distribution_day_id"
        )
    )
    new = []
    for pk, contract_id, point_id, quantity, price in subscriptions:
        dates = delivering.get((contract_id, point_id), ())
        for day in days_of[point_id]:
            if day.date not in dates or (pk, day.pk) in existing:
                continue
            away = any(start <= day.date <= end for start, end in absences.get(pk, ()))
            new.append(
                BasketDelivery(
                    subscription_id=pk,
                    distribution_day_id=day.pk,
                    quantity=quantity,
                    price=price * quantity,
                    status=DeliveryStatus.SKIPPED if away else DeliveryStatus.TO_COLLECT,
                )
            )
    # ignore_conflicts: a chunk run twice at once; the unique constraint keeps one of each.
    BasketDelivery.objects.bulk_create(new, ignore_conflicts=True, batch_size=5000)
    return len(new)


def generation_chunks(size: int | None = None) -> list[list[int]]:
    """The pickup points where a contract runs, in chunks the workers share."""
    size = size or POINTS_PER_CHUNK
    point_ids = sorted(
        set(ContractPickupPoint.objects.values_list("pickup_point_id", flat=True).distinct())
    )
    return [point_ids[i : i + size] for i in range(0, len(point_ids), size)]


def skipped_dates(subscription: Subscription, delivery_dates: list[date]) -> list[date]:
    """The delivery dates an absence of the subscription covers."""
    ranges = list(subscription.absences.values_list("starts_on", "ends_on"))
    return [day for day in delivery_dates if any(start <= day <= end for start, end in ranges)]


@transaction.atomic
def skip_delivery(member, subscription_id: int, day_id: int, now=None) -> Absence:
    """A member skips one delivery: before the contract's deadline, within its allowance. The
    basket delivery, if already made, shows as skipped. The subscription's row is locked while
    counting, so two skips at once cannot both use the last one allowed."""
    now = now or timezone.now()
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("contract__plan", "pickup_point")
        .filter(pk=subscription_id, member=member)
        .first()
    )
    if subscription is None:
        raise NotYourSubscription(_("This subscription is not yours."))
    if subscription.state not in HOLDING_STATES:
        raise AbsenceRefused(_("Only a running subscription has deliveries to skip."))
    day = DistributionDay.objects.filter(pk=day_id, pickup_point=subscription.pickup_point).first()
    contract = subscription.contract
    dates = contract_delivery_dates(contract, subscription.pickup_point)
    if day is None or day.state == DayState.CANCELLED or day.date not in dates:
        raise AbsenceRefused(_("There is no delivery of this contract on that day."))
    deadline = day.starts_at - timedelta(hours=contract.absence_deadline_hours)
    if now >= deadline:
        raise AbsenceRefused(
            _("Too late to skip this delivery: absences close %(hours)s hours before.")
            % {"hours": contract.absence_deadline_hours}
        )
    skipped = skipped_dates(subscription, dates)
    if day.date in skipped:
        raise AbsenceRefused(_("You already skip this delivery."))
    if len(skipped) >= contract.absence_allowance:
        raise AbsenceRefused(
            _("You have used the %(allowance)s absences this contract allows.")
            % {"allowance": contract.absence_allowance}
        )
    absence = Absence.objects.create(
        subscription=subscription, starts_on=day.date, ends_on=day.date
    )
    BasketDelivery.objects.filter(subscription=subscription, distribution_day=day).update(
        status=DeliveryStatus.SKIPPED
    )
    return absence
