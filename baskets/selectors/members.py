"""A member's own baskets: the coming deliveries, the baskets others offer, the past ones."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baskets.models import (
    HOLDING_STATES,
    BasketDelivery,
    BasketTransfer,
    ContractKind,
    DeliveryComposition,
    DeliveryStatus,
    PlanFrequency,
    Subscription,
    SubscriptionState,
    TransferKind,
)
from baskets.selectors.common import (
    ChosenProduct,
    chosen_lines,
    compositions_for,
    person_name,
    plan_products,
)
from baskets.services.absences import MEMBERS_FIRST
from baskets.services.choices import choice_of, choices_for
from baskets.services.holding import change_deadline
from baskets.services.seasons import contract_delivery_dates
from deliveries.models import DayState, DistributionDay

CALENDAR_WEEKS = 8


@dataclass
class ComingDelivery:
    day: DistributionDay
    status: str
    deadline: datetime
    transfer: BasketTransfer | None = None
    composition: DeliveryComposition | None = None
    now: datetime | None = None
    chosen: list[ChosenProduct] = field(default_factory=list)

    @property
    def chosen_quantities(self) -> dict[int, int]:
        return {line.product_id: line.quantity for line in self.chosen}

    @property
    def can_change(self) -> bool:
        return (self.now or timezone.now()) < self.deadline

    @property
    def is_skipped(self) -> bool:
        return self.status == DeliveryStatus.SKIPPED

    @property
    def is_transferred(self) -> bool:
        return self.status == DeliveryStatus.TRANSFERRED

    @property
    def transfer_label(self) -> str:
        return transfer_label(self.transfer, self.day.pickup_point) if self.transfer else ""


def transfer_label(transfer: BasketTransfer, pickup_point) -> str:
    """Where a basket given away goes, as its holder reads it."""
    if transfer.kind == TransferKind.NAMED:
        return _("Collected by %(name)s") % {"name": transfer.recipient_name}
    if transfer.kind == TransferKind.FOOD_AID:
        return _("Given to %(partner)s") % {"partner": pickup_point.food_aid_partner}
    if transfer.claimed_by_id:
        return _("Offered, taken by %(name)s") % {"name": person_name(transfer.claimed_by)}
    return _("Offered to other members, not taken yet")


@dataclass
class MemberSubscription:
    subscription: Subscription
    deliveries: list[ComingDelivery] = field(default_factory=list)
    absences_used: int = 0
    # Variable contracts: the plan's products with their prices, and the member's usual choice.
    products: list[ChosenProduct] = field(default_factory=list)
    usual: list[ChosenProduct] = field(default_factory=list)

    @property
    def usual_quantities(self) -> dict[int, int]:
        return {line.product_id: line.quantity for line in self.usual}

    @property
    def absences_left(self) -> int:
        return max(self.subscription.contract.absence_allowance - self.absences_used, 0)


def member_subscriptions(member, now=None, weeks: int = CALENDAR_WEEKS) -> list[MemberSubscription]:
    """The member's subscriptions (held or shared), with the coming deliveries of the running
    ones: each with its status, the deadline to change it and the announced composition."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    subscriptions = list(
        Subscription.objects.filter(Q(member=member) | Q(co_holder=member))
        .filter(state__in=(*HOLDING_STATES, SubscriptionState.WAITING))
        .select_related("contract__plan__producer", "pickup_point", "member", "co_holder")
        .prefetch_related("absences")
        .order_by("contract__starts_on", "pk")
    )
    running = [sub for sub in subscriptions if sub.state in HOLDING_STATES]
    days = DistributionDay.objects.filter(
        pickup_point_id__in={sub.pickup_point_id for sub in running},
        date__range=(today, today + timedelta(weeks=weeks)),
        starts_at__gt=now,
    ).exclude(state=DayState.CANCELLED)
    days_of = defaultdict(list)
    for day in days.select_related("pickup_point").order_by("starts_at"):
        days_of[day.pickup_point_id].append(day)
    transfers = {
        (transfer.subscription_id, transfer.distribution_day_id): transfer
        for transfer in BasketTransfer.objects.filter(subscription__in=running).select_related(
            "claimed_by", "distribution_day"
        )
    }
    all_dates = {day.date for point_days in days_of.values() for day in point_days}
    compositions = compositions_for({sub.contract.plan_id for sub in running}, all_dates)
    variable = [sub for sub in running if sub.contract.kind == ContractKind.VARIABLE]
    variable_ids = {sub.pk for sub in variable}
    choices, products = {}, {}
    if variable:
        choices = choices_for(
            [sub.pk for sub in variable], [d.pk for ds in days_of.values() for d in ds]
        )
        products = plan_products({sub.contract.plan_id for sub in variable})
    result = []
    for sub in subscriptions:
        entry = MemberSubscription(sub)
        if sub.pk in variable_ids:
            offered = products.get(sub.contract.plan_id, [])
            entry.products = offered
            entry.usual = chosen_lines(choices.get((sub.pk, None), {}), offered)
        result.append(entry)
        if sub.state not in HOLDING_STATES:
            continue
        contract = sub.contract
        ranges = [(absence.starts_on, absence.ends_on) for absence in sub.absences.all()]
        if contract.plan.frequency == PlanFrequency.EVERY_OTHER_DAY:
            season = contract_delivery_dates(contract, sub.pickup_point)
        else:
            season = None
        for day in days_of[sub.pickup_point_id]:
            if not contract.starts_on <= day.date <= contract.ends_on:
                continue
            if season is not None and day.date not in season:
                continue
            transfer = transfers.get((sub.pk, day.pk))
            if transfer is not None:
                status = DeliveryStatus.TRANSFERRED
            elif any(start <= day.date <= end for start, end in ranges):
                status = DeliveryStatus.SKIPPED
            else:
                status = DeliveryStatus.TO_COLLECT
            entry.deliveries.append(
                ComingDelivery(
                    day=day,
                    status=status,
                    deadline=change_deadline(sub, day),
                    transfer=transfer,
                    composition=compositions.get((contract.plan_id, day.date)),
                    now=now,
                    chosen=chosen_lines(choice_of(choices, sub.pk, day.pk), entry.products)
                    if sub.pk in variable_ids
                    else [],
                )
            )
        season = season or contract_delivery_dates(contract, sub.pickup_point)
        transferred_dates = {
            transfer.distribution_day.date
            for (sub_id, _day_id), transfer in transfers.items()
            if sub_id == sub.pk
        }
        entry.absences_used = sum(
            1
            for day in season
            if day not in transferred_dates and any(start <= day <= end for start, end in ranges)
        )
    return result


@dataclass
class OfferedBasket:
    transfer: BasketTransfer
    opens_at: datetime
    composition: DeliveryComposition | None
    now: datetime | None = None

    @property
    def is_open(self) -> bool:
        return (self.now or timezone.now()) >= self.opens_at


def offered_baskets_for(member, now=None) -> list[OfferedBasket]:
    """Baskets others offered that the member may take, or soon may: at the pickup points where
    they hold a subscription, then at those where they wait for a place in that contract."""
    now = now or timezone.now()
    theirs = Subscription.objects.filter(Q(member=member) | Q(co_holder=member))
    holding_points = set(
        theirs.filter(state__in=HOLDING_STATES).values_list("pickup_point_id", flat=True)
    )
    waiting = set(
        theirs.filter(state=SubscriptionState.WAITING).values_list("contract_id", "pickup_point_id")
    )
    transfers = list(
        BasketTransfer.objects.filter(
            kind=TransferKind.OFFERED,
            claimed_by__isnull=True,
            distribution_day__ends_at__gt=now,
        )
        .filter(
            Q(subscription__pickup_point_id__in=holding_points)
            | Q(
                subscription__pickup_point_id__in={point for _contract, point in waiting},
                subscription__contract_id__in={contract for contract, _point in waiting},
            )
        )
        .exclude(subscription__member=member)
        .exclude(subscription__co_holder=member)
        .select_related(
            "subscription__contract__plan__producer",
            "subscription__pickup_point",
            "distribution_day",
        )
        .order_by("distribution_day__starts_at", "pk")
    )
    compositions = compositions_for(
        {transfer.subscription.contract.plan_id for transfer in transfers},
        {transfer.distribution_day.date for transfer in transfers},
    )
    offered = []
    for transfer in transfers:
        sub = transfer.subscription
        if sub.pickup_point_id in holding_points:
            opens_at = transfer.created_at
        elif (sub.contract_id, sub.pickup_point_id) in waiting:
            opens_at = transfer.created_at + MEMBERS_FIRST
        else:
            continue
        offered.append(
            OfferedBasket(
                transfer,
                opens_at,
                compositions.get((sub.contract.plan_id, transfer.distribution_day.date)),
                now,
            )
        )
    return offered


@dataclass
class PastDelivery:
    delivery: BasketDelivery
    outcome: str


def past_deliveries(member, now=None, weeks: int = 4) -> list[PastDelivery]:
    """The member's baskets of the last weeks and what became of each: collected, skipped,
    given away, or, when nobody collected it, the fate the volunteers recorded. Two queries."""
    now = now or timezone.now()
    deliveries = (
        BasketDelivery.objects.filter(
            Q(subscription__member=member) | Q(subscription__co_holder=member),
            distribution_day__starts_at__lt=now,
            distribution_day__starts_at__gte=now - timedelta(weeks=weeks),
        )
        .select_related(
            "distribution_day__pickup_point", "subscription__contract__plan", "handover"
        )
        .order_by("-distribution_day__starts_at", "pk")
    )
    deliveries = list(deliveries)
    transfers = {
        (t.subscription_id, t.distribution_day_id): t
        for t in BasketTransfer.objects.filter(
            subscription_id__in={d.subscription_id for d in deliveries},
            distribution_day_id__in={d.distribution_day_id for d in deliveries},
        ).select_related("claimed_by")
    }
    result = []
    for delivery in deliveries:
        handover = getattr(delivery, "handover", None)
        transfer = transfers.get((delivery.subscription_id, delivery.distribution_day_id))
        if delivery.status == DeliveryStatus.SKIPPED:
            outcome = _("Skipped")
        elif transfer is not None:
            outcome = transfer_label(transfer, delivery.distribution_day.pickup_point)
        elif handover is not None and handover.collected_at:
            outcome = _("Collected")
        elif handover is not None and handover.fate:
            outcome = _("Not collected: %(fate)s") % {"fate": handover.get_fate_display()}
            if handover.fate_recipient:
                outcome += f" ({handover.fate_recipient})"
        else:
            outcome = _("Not recorded")
        result.append(PastDelivery(delivery, outcome))
    return result
