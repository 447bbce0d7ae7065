"""Reads about basket subscriptions, their related rows fetched in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from baskets.models import (
    BROUGHT_STATUSES,
    HOLDING_STATES,
    BasketDelivery,
    BasketPlan,
    BasketTransfer,
    Contract,
    ContractKind,
    ContractPickupPoint,
    DeliveryComposition,
    DeliveryStatus,
    PlanFrequency,
    Sharing,
    Subscription,
    SubscriptionState,
    TransferKind,
)
from baskets.services.absences import MEMBERS_FIRST
from baskets.services.choices import choice_of, choices_for, unit_prices
from baskets.services.holding import change_deadline
from baskets.services.seasons import contract_delivery_dates
from deliveries.models import DayState, DistributionDay

CALENDAR_WEEKS = 8


def person_name(user) -> str:
    """How a member appears to other members and volunteers."""
    if user is None:
        return ""
    return display_name(user.first_name, user.last_name, user.email)


def display_name(first_name: str, last_name: str, email: str) -> str:
    return f"{first_name} {last_name}".strip() or (email or "").split("@")[0]


def open_contracts(today: date | None = None):
    """Contracts members can sign up for today, with their plan, producer and pickup points."""
    today = today or timezone.localdate()
    return (
        Contract.objects.filter(
            signup_opens_on__lte=today,
            signup_closes_on__gte=today,
            ends_on__gte=today,
            plan__is_active=True,
        )
        .select_related("plan__producer")
        .prefetch_related("places__pickup_point")
        .order_by("plan__producer__name", "plan__name", "starts_on")
    )


@dataclass
class ChosenProduct:
    product_id: int
    title: str
    unit_price: Decimal
    quantity: int = 0


def plan_products(plan_ids) -> dict[int, list[ChosenProduct]]:
    """The products members of the plans' variable contracts choose from, with their prices.
    Two queries."""
    by_plan: dict[int, list[ChosenProduct]] = defaultdict(list)
    rows = list(
        BasketPlan.products.through.objects.filter(basketplan_id__in=plan_ids)
        .select_related("product")
        .order_by("product__title")
    )
    prices = unit_prices({row.product_id for row in rows})
    for row in rows:
        by_plan[row.basketplan_id].append(
            ChosenProduct(row.product_id, row.product.title, prices.get(row.product_id, Decimal(0)))
        )
    return by_plan


def chosen_lines(chosen: dict[int, int], offered: list[ChosenProduct]) -> list[ChosenProduct]:
    return [
        ChosenProduct(p.product_id, p.title, p.unit_price, chosen[p.product_id])
        for p in offered
        if chosen.get(p.product_id)
    ]


def compositions_for(plan_ids, dates) -> dict[tuple[int, date], DeliveryComposition]:
    compositions = DeliveryComposition.objects.filter(
        plan_id__in=plan_ids, date__in=dates
    ).prefetch_related("lines")
    return {(composition.plan_id, composition.date): composition for composition in compositions}


@dataclass
class ComingDelivery:
    day: DistributionDay
    status: str
    deadline: datetime
    transfer: BasketTransfer | None = None
    composition: DeliveryComposition | None = None
    now: datetime | None = None
    chosen: list["ChosenProduct"] = field(default_factory=list)

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
    products: list["ChosenProduct"] = field(default_factory=list)
    usual: list["ChosenProduct"] = field(default_factory=list)

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
class PickupListBasket:
    """One line of a day's pickup list for baskets: who collects what."""

    delivery_id: int
    holder: str
    collector: str
    plan: str
    producer: str
    quantity: int
    status: str
    transfer_kind: str = ""
    composition: DeliveryComposition | None = None
    chosen: list[ChosenProduct] = field(default_factory=list)  # variable contracts
    collector_key: str = ""  # who collects, as a person: two Léa G. stay two households

    @property
    def is_transferred(self) -> bool:
        return self.status == DeliveryStatus.TRANSFERRED


def holder_on(subscription: Subscription, day: date) -> str:
    """Who holds a shared basket that day: both households when they split it, one then the
    other, week by week (even ISO weeks the member, odd ones the co-holder), when they take
    turns."""
    co_holder = person_name(subscription.co_holder) if subscription.co_holder_id else ""
    return shared_holder(person_name(subscription.member), co_holder, subscription.sharing, day)


def shared_holder(member: str, co_holder: str, sharing: str, day: date) -> str:
    if not co_holder or sharing == Sharing.ALONE:
        return member
    if sharing == Sharing.SPLIT:
        return f"{member} / {co_holder}"
    return member if day.isocalendar().week % 2 == 0 else co_holder


PICKUP_LIST_FIELDS = (
    "pk",
    "quantity",
    "status",
    "subscription_id",
    "subscription__member_id",
    "subscription__member__first_name",
    "subscription__member__last_name",
    "subscription__member__email",
    "subscription__co_holder__first_name",
    "subscription__co_holder__last_name",
    "subscription__co_holder__email",
    "subscription__sharing",
    "subscription__contract__kind",
    "subscription__contract__plan_id",
    "subscription__contract__plan__name",
    "subscription__contract__plan__producer__name",
)


def pickup_list_baskets(day: DistributionDay) -> list[PickupListBasket]:
    """The baskets handed out on a distribution day, sorted by the name of who collects them:
    a transferred basket says who collects it for whom. Skipped baskets are left out. A fixed
    number of queries (five, two more with variable contracts) whatever the number of baskets;
    rows are read as values, not model objects: a pickup list has hundreds."""
    deliveries = list(
        BasketDelivery.objects.filter(distribution_day=day, status__in=BROUGHT_STATUSES)
        .order_by("pk")
        .values_list(*PICKUP_LIST_FIELDS)
    )
    transfers = {
        transfer.subscription_id: transfer
        for transfer in BasketTransfer.objects.filter(distribution_day=day).select_related(
            "claimed_by"
        )
    }
    compositions = compositions_for({row[13] for row in deliveries}, [day.date])
    partner = day.pickup_point.food_aid_partner if deliveries else ""
    variable = [(row[3], row[13]) for row in deliveries if row[12] == ContractKind.VARIABLE]
    choices = choices_for([sub for sub, _plan in variable], [day.pk]) if variable else {}
    products = plan_products({plan for _sub, plan in variable}) if variable else {}
    rows = []
    for (
        pk,
        quantity,
        status,
        sub_id,
        member_id,
        first,
        last,
        email,
        co_first,
        co_last,
        co_email,
        sharing,
        kind,
        plan_id,
        plan,
        producer,
    ) in deliveries:
        co_holder = display_name(co_first or "", co_last or "", co_email) if co_email else ""
        holder = shared_holder(display_name(first, last, email), co_holder, sharing, day.date)
        collector, collector_key = holder, f"member:{member_id}"
        transfer = transfers.get(sub_id) if status == DeliveryStatus.TRANSFERRED else None
        if transfer is not None:
            if transfer.kind == TransferKind.NAMED:
                collector = transfer.recipient_name
                collector_key = f"named:{collector.casefold()}"
            elif transfer.kind == TransferKind.FOOD_AID:
                collector, collector_key = partner or _("food-aid partner"), "food_aid"
            elif transfer.claimed_by_id:
                collector = person_name(transfer.claimed_by)
                collector_key = f"member:{transfer.claimed_by_id}"
            else:
                collector, collector_key = _("offered, not taken yet"), f"offered:{pk}"
        rows.append(
            PickupListBasket(
                delivery_id=pk,
                holder=holder,
                collector=collector,
                plan=plan,
                producer=producer,
                quantity=quantity,
                status=status,
                transfer_kind=transfer.kind if transfer else "",
                composition=compositions.get((plan_id, day.date)),
                chosen=chosen_lines(choice_of(choices, sub_id, day.pk), products.get(plan_id, []))
                if kind == ContractKind.VARIABLE
                else [],
                collector_key=collector_key,
            )
        )
    rows.sort(key=lambda row: (row.collector.casefold(), row.plan))
    return rows


@dataclass
class BasketCount:
    date: date
    pickup_point: str
    plan: str
    baskets: int
    transferred: int


def basket_counts(producer, first: date, last: date) -> list[BasketCount]:
    """How many baskets of each of the producer's plans go to each pickup point on each day
    (those given to someone else included, skipped ones not). One query."""
    rows = (
        BasketDelivery.objects.filter(
            subscription__contract__plan__producer=producer,
            distribution_day__date__range=(first, last),
            status__in=BROUGHT_STATUSES,
        )
        .exclude(distribution_day__state=DayState.CANCELLED)
        .values(
            "distribution_day__date",
            "distribution_day__pickup_point_id",
            "distribution_day__pickup_point__name",
            "subscription__contract__plan_id",
            "subscription__contract__plan__name",
        )
        .annotate(
            baskets=Sum("quantity"),
            transferred=Sum("quantity", filter=Q(status=DeliveryStatus.TRANSFERRED)),
        )
        .order_by(
            "distribution_day__date",
            "distribution_day__pickup_point__name",
            "distribution_day__pickup_point_id",
            "subscription__contract__plan__name",
            "subscription__contract__plan_id",
        )
    )
    return [
        BasketCount(
            date=row["distribution_day__date"],
            pickup_point=row["distribution_day__pickup_point__name"],
            plan=row["subscription__contract__plan__name"],
            baskets=row["baskets"],
            transferred=row["transferred"] or 0,
        )
        for row in rows
    ]


def places_taken(contract_ids) -> dict[tuple[int, int], int]:
    """Places held or waited for, per contract and pickup point: what sign-up counts against
    capacity. One query."""
    rows = (
        Subscription.objects.filter(
            contract_id__in=contract_ids, state__in=(*HOLDING_STATES, SubscriptionState.WAITING)
        )
        .values("contract_id", "pickup_point_id")
        .annotate(taken=Count("pk"))
    )
    return {(row["contract_id"], row["pickup_point_id"]): row["taken"] for row in rows}


@dataclass
class ManagedPlace:
    place: ContractPickupPoint
    holders: list[Subscription] = field(default_factory=list)
    waiting: list[Subscription] = field(default_factory=list)

    @property
    def left(self) -> int:
        return max(self.place.capacity - len(self.holders), 0)


def _managed(user, today: date):
    places = ContractPickupPoint.objects.filter(contract__ends_on__gte=today)
    if user.is_staff:
        return places
    return places.filter(
        Q(contract__coordinators=user)
        | Q(pickup_point__coordinators=user)
        | Q(contract__plan__producer__partner__users=user)
    ).distinct()


def manages_any_contract(user) -> bool:
    return _managed(user, timezone.localdate()).exists()


def managed_places(user, today: date | None = None) -> list[ManagedPlace]:
    """The contracts' pickup points a coordinator, a pickup point's coordinator or the plan's
    producer looks after, with their members and waiting lists. Two queries."""
    today = today or timezone.localdate()
    places = list(
        _managed(user, today)
        .select_related("contract__plan__producer", "pickup_point")
        .order_by("contract__starts_on", "contract__plan__name", "pickup_point__name")
    )
    by_key = {(p.contract_id, p.pickup_point_id): ManagedPlace(p) for p in places}
    subscriptions = (
        Subscription.objects.filter(
            contract_id__in={p.contract_id for p in places},
            pickup_point_id__in={p.pickup_point_id for p in places},
            state__in=(*HOLDING_STATES, SubscriptionState.WAITING),
        )
        .select_related("member", "co_holder")
        .order_by("created_at", "pk")
    )
    for sub in subscriptions:
        entry = by_key.get((sub.contract_id, sub.pickup_point_id))
        if entry is None:
            continue
        (entry.waiting if sub.state == SubscriptionState.WAITING else entry.holders).append(sub)
    for entry in by_key.values():
        entry.holders.sort(key=lambda sub: (sub.member.last_name.casefold(), sub.member.email))
    return list(by_key.values())


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


@dataclass
class CollectedCount:
    date: date
    pickup_point: str
    plan: str
    brought: int
    collected: int
    left: int


def collected_counts(producer, first: date, last: date) -> list[CollectedCount]:
    """What became of the producer's baskets on past distribution days: brought, collected
    (ticked on the pickup list), left at the end. One query."""
    rows = (
        BasketDelivery.objects.filter(
            subscription__contract__plan__producer=producer,
            distribution_day__date__range=(first, last),
            status__in=BROUGHT_STATUSES,
            handover__isnull=False,
        )
        .values(
            "distribution_day__date",
            "distribution_day__pickup_point_id",
            "distribution_day__pickup_point__name",
            "subscription__contract__plan_id",
            "subscription__contract__plan__name",
        )
        .annotate(
            brought=Sum("quantity"),
            collected=Sum("quantity", filter=Q(handover__collected_at__isnull=False)),
        )
        .order_by(
            "-distribution_day__date",
            "distribution_day__pickup_point__name",
            "subscription__contract__plan__name",
        )
    )
    return [
        CollectedCount(
            date=row["distribution_day__date"],
            pickup_point=row["distribution_day__pickup_point__name"],
            plan=row["subscription__contract__plan__name"],
            brought=row["brought"],
            collected=row["collected"] or 0,
            left=row["brought"] - (row["collected"] or 0),
        )
        for row in rows
    ]
