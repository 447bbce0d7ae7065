"""Baskets on distribution day: the pickup list's rows and the producer's counts."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from baskets.models import (
    BROUGHT_STATUSES,
    BasketDelivery,
    BasketTransfer,
    Contract,
    ContractKind,
    DeliveryComposition,
    DeliveryStatus,
    Sharing,
    TransferKind,
)
from baskets.selectors.common import (
    ChosenProduct,
    chosen_lines,
    compositions_for,
    display_name,
    person_name,
    plan_products,
)
from baskets.services.choices import choice_of, choices_for
from baskets.services.seasons import is_co_holders_turn, season_turns
from deliveries.network.models import DayState, DistributionDay


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


def shared_holder(member: str, co_holder: str, sharing: str, co_holders_turn: bool) -> str:
    """Who holds a shared basket on a day: both households when they split it, the one whose
    turn it is when they alternate (``season_turns``)."""
    if not co_holder or sharing == Sharing.ALONE:
        return member
    if sharing == Sharing.SPLIT:
        return f"{member} / {co_holder}"
    return co_holder if co_holders_turn else member


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
    "subscription__contract_id",
    "subscription__contract__plan_id",
    "subscription__contract__plan__name",
    "subscription__contract__plan__producer__name",
)


def pickup_list_baskets(day: DistributionDay) -> list[PickupListBasket]:
    """The baskets handed out on a distribution day, sorted by the name of who collects them:
    a transferred basket says who collects it for whom. Skipped baskets are left out. A fixed
    number of queries (five, two more with variable contracts) whatever the number of baskets;
    rows are read as values, not model objects: a pickup list has hundreds. Four more queries
    when households alternate, to know whose turn it is."""
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
    compositions = compositions_for({row[14] for row in deliveries}, [day.date])
    partner = day.pickup_point.food_aid_partner if deliveries else ""
    alternating = {row[13] for row in deliveries if row[11] == Sharing.ALTERNATE and row[10]}
    turns = (
        season_turns(
            Contract.objects.filter(pk__in=alternating).select_related("plan"), day.pickup_point
        )
        if alternating
        else {}
    )
    variable = [(row[3], row[14]) for row in deliveries if row[12] == ContractKind.VARIABLE]
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
        contract_id,
        plan_id,
        plan,
        producer,
    ) in deliveries:
        co_holder = display_name(co_first or "", co_last or "", co_email) if co_email else ""
        co_holders_turn = is_co_holders_turn(turns.get(contract_id, {}), day.date)
        holder = shared_holder(
            display_name(first, last, email), co_holder, sharing, co_holders_turn
        )
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
