"""A member's own baskets: the coming deliveries, the baskets others offer, the past ones."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baskets.models import (
    HOLDING_STATES,
    Absence,
    AbsenceKind,
    BasketTransfer,
    ContractKind,
    DeliveryComposition,
    DeliveryStatus,
    PlanFrequency,
    Sharing,
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
from baskets.services.choices import choice_of, choices_for
from baskets.services.holding import change_deadline
from baskets.services.seasons import contract_delivery_dates, is_co_holders_turn, season_turns
from baskets.services.transfers import MEMBERS_FIRST
from deliveries.network.models import DayState, DistributionDay

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
    turn_of: object = None  # the household whose turn it is, when two alternate

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

    @property
    def can_take_back(self) -> bool:
        return self.can_change and self.transfer is not None and not self.transfer.claimed_by_id


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
    pauses: list[Absence] = field(default_factory=list)  # coming or running

    @property
    def usual_quantities(self) -> dict[int, int]:
        return {line.product_id: line.quantity for line in self.usual}

    @property
    def absences_left(self) -> int:
        return max(self.subscription.contract.absence_allowance - self.absences_used, 0)


def member_subscriptions(member, now=None, weeks: int = CALENDAR_WEEKS) -> list[MemberSubscription]:
    """The member's subscriptions (held or shared), with the coming deliveries of the running
    ones: each with its status, the deadline to change it and the announced composition. A
    commitment that ended is listed while baskets prepared before its end remain to collect."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    subscriptions = list(
        Subscription.objects.filter(Q(member=member) | Q(co_holder=member))
        .filter(
            Q(state__in=(*HOLDING_STATES, SubscriptionState.WAITING))
            | Q(state=SubscriptionState.ENDED, last_delivery_on__gte=today)
        )
        .select_related("contract__plan__producer", "pickup_point", "member", "co_holder")
        .prefetch_related("absences")
        .order_by("contract__starts_on", "pk")
    )
    running = [sub for sub in subscriptions if sub.state != SubscriptionState.WAITING]
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
    turns = _alternation_turns(running)
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
        if sub not in running:
            continue
        contract = sub.contract
        ranges = [(absence.starts_on, absence.ends_on) for absence in sub.absences.all()]
        entry.pauses = [
            absence
            for absence in sub.absences.all()
            if absence.kind == AbsenceKind.PAUSE and absence.ends_on >= today
        ]
        if contract.plan.frequency == PlanFrequency.EVERY_OTHER_DAY:
            season = contract_delivery_dates(contract, sub.pickup_point)
        else:
            season = None
        for day in days_of[sub.pickup_point_id]:
            if not contract.starts_on <= day.date <= contract.ends_on:
                continue
            if season is not None and day.date not in season:
                continue
            if not sub.delivers_on(day.date):  # joined, or ended, with the day prepared
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
                    turn_of=_turn_of(sub, turns, day.date),
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


def _alternation_turns(subscriptions) -> dict[tuple[int, int], dict]:
    """(contract, pickup point) → the season's turns, for the subscriptions two households
    alternate (three queries a pickup point, only then)."""
    alternating = defaultdict(dict)
    for sub in subscriptions:
        if sub.sharing == Sharing.ALTERNATE and sub.co_holder_id:
            alternating[sub.pickup_point_id][sub.contract_id] = sub
    turns = {}
    for subs in alternating.values():
        point = next(iter(subs.values())).pickup_point
        for contract_id, contract_turns in season_turns(
            [sub.contract for sub in subs.values()], point
        ).items():
            turns[contract_id, point.pk] = contract_turns
    return turns


def _turn_of(sub: Subscription, turns: dict, day):
    contract_turns = turns.get((sub.contract_id, sub.pickup_point_id))
    if contract_turns is None:
        return None
    return sub.co_holder if is_co_holders_turn(contract_turns, day) else sub.member


@dataclass
class TakenBasket:
    """A basket someone offered that the member took: theirs to collect, for its holder."""

    transfer: BasketTransfer
    deadline: datetime
    composition: DeliveryComposition | None
    now: datetime | None = None

    @property
    def holder(self) -> str:
        return person_name(self.transfer.subscription.member)

    @property
    def can_release(self) -> bool:
        return (self.now or timezone.now()) < self.deadline


def taken_baskets_for(member, now=None) -> list[TakenBasket]:
    """The offered baskets the member took and has still to collect. Two queries."""
    now = now or timezone.now()
    transfers = list(
        BasketTransfer.objects.filter(claimed_by=member, distribution_day__ends_at__gt=now)
        .exclude(distribution_day__state=DayState.CANCELLED)
        .select_related(
            "subscription__contract__plan__producer",
            "subscription__member",
            "distribution_day__pickup_point",
        )
        .order_by("distribution_day__starts_at", "pk")
    )
    compositions = compositions_for(
        {transfer.subscription.contract.plan_id for transfer in transfers},
        {transfer.distribution_day.date for transfer in transfers},
    )
    return [
        TakenBasket(
            transfer,
            change_deadline(transfer.subscription, transfer.distribution_day),
            compositions.get(
                (transfer.subscription.contract.plan_id, transfer.distribution_day.date)
            ),
            now,
        )
        for transfer in transfers
    ]


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
