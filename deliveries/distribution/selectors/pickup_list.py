"""The pickup list of one distribution day: every household collecting there, what to hand
each of them, and whether it is collected. What volunteers see, nothing more: names (abbreviated
if the pickup point asks) and what to hand over; no tiers, payments or addresses."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from baskets.models import BROUGHT_STATUSES, BasketDelivery, TransferKind
from baskets.selectors import display_name, person_name, pickup_list_baskets
from deliveries.distribution.models import Handover, LeftoverFate, VolunteerShift
from deliveries.distribution.names import short_name, sort_key
from deliveries.network.models import DistributionDay, PickupOrder

Order = get_model("order", "Order")
Line = get_model("order", "Line")


def can_run_pickup_list(user, day: DistributionDay) -> bool:
    """Staff, the pickup point's coordinators and that day's volunteers, once approved (at
    once for members of a point that lets them sign up freely). A sign-up waiting for a
    coordinator, or withdrawn, grants nothing."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return (
        day.pickup_point.coordinators.filter(pk=user.pk).exists()
        or VolunteerShift.objects.filter(
            distribution_day=day, volunteer=user, approved_at__isnull=False
        ).exists()
    )


def prepare_handovers(day: DistributionDay) -> int:
    """One handover per basket brought and per order to collect that day, made once: late
    changes (a basket claimed, an order placed before the cut-off) are added when the list is
    next opened (the page does it as it reads the list: ``pickup_list(add_missing=True)``).
    Returns how many were added. Three reads, and a write only when something is new."""
    baskets = set(
        BasketDelivery.objects.filter(
            distribution_day=day, status__in=BROUGHT_STATUSES
        ).values_list("pk", flat=True)
    )
    orders = set(
        PickupOrder.objects.filter(distribution_day=day)
        .exclude(order__status="cancelled")
        .values_list("pk", flat=True)
    )
    existing = Handover.objects.filter(distribution_day=day).values_list(
        "basket_delivery_id", "pickup_order_id"
    )
    have_baskets = {basket for basket, _order in existing if basket}
    have_orders = {order for _basket, order in existing if order}
    return add_handovers(day, baskets - have_baskets, orders - have_orders)


def add_handovers(day: DistributionDay, basket_ids, order_ids) -> int:
    """The handovers of lines that have none yet; two phones adding the same line at once make
    one (unique basket and order). One write, none when nothing is new."""
    new = [Handover(distribution_day=day, basket_delivery_id=pk) for pk in basket_ids] + [
        Handover(distribution_day=day, pickup_order_id=pk) for pk in order_ids
    ]
    if new:
        Handover.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@dataclass
class HandoverState:
    """A handover as the list shows it (read as values: a list has hundreds)."""

    pk: int
    basket_delivery_id: int | None
    pickup_order_id: int | None
    collected_at: datetime | None
    collected_by: str
    fate: str
    fate_recipient: str

    def get_fate_display(self) -> str:
        return LeftoverFate(self.fate).label if self.fate else ""


HANDOVER_FIELDS = (
    "pk",
    "basket_delivery_id",
    "pickup_order_id",
    "collected_at",
    "collected_by__first_name",
    "collected_by__last_name",
    "collected_by__email",
    "fate",
    "fate_recipient",
)


def handover_states(handovers) -> list[HandoverState]:
    return [
        HandoverState(
            pk,
            basket,
            order,
            collected_at,
            display_name(first or "", last or "", email) if email else "",
            fate,
            recipient,
        )
        for pk, basket, order, collected_at, first, last, email, fate, recipient in (
            handovers.values_list(*HANDOVER_FIELDS)
        )
    ]


@dataclass
class HandoverLine:
    """One thing to hand over: a subscription basket or an order."""

    handover: HandoverState
    kind: str  # "basket" or "order"
    title: str
    details: list[str]
    for_whom: str = ""  # set when someone collects it for someone else
    note: str = ""

    @property
    def is_collected(self) -> bool:
        return self.handover.collected_at is not None

    @property
    def ticked_by(self) -> str:
        handover = self.handover
        if handover.collected_at is None or not handover.collected_by:
            return ""
        return _("ticked by %(name)s at %(time)s") % {
            "name": short_name(handover.collected_by),
            "time": timezone.localtime(handover.collected_at).strftime("%H:%M"),
        }


@dataclass
class Household:
    name: str
    lines: list[HandoverLine] = field(default_factory=list)

    @property
    def is_collected(self) -> bool:
        return all(line.is_collected for line in self.lines)

    @property
    def search_text(self) -> str:
        return " ".join([self.name, *(line.for_whom for line in self.lines)]).casefold()


@dataclass
class PickupList:
    day: DistributionDay
    households: list[Household]

    @property
    def lines(self) -> list[HandoverLine]:
        return [line for household in self.households for line in household.lines]

    @property
    def collected(self) -> int:
        return sum(line.is_collected for line in self.lines)

    @property
    def remaining(self) -> int:
        return len(self.lines) - self.collected


def pickup_list(day: DistributionDay, *, add_missing: bool = False) -> PickupList:
    """Every household collecting on the day, by name, with what to hand each one: baskets
    with the week's composition (a transferred one "for" its holder), orders with their lines.
    ``add_missing`` makes the handovers of lines that have none yet (a basket claimed or an
    order placed since the list was last opened) on the way. A fixed number of queries
    whatever the number of households, and no write when nothing is new."""
    point = day.pickup_point
    name = short_name if point.abbreviate_names else (lambda full: full)
    rows = pickup_list_baskets(day)
    pickups = list(
        PickupOrder.objects.filter(distribution_day=day)
        .exclude(order__status="cancelled")
        .select_related("order__user")
        .only(
            "order__number",
            "order__guest_email",
            "order__user__first_name",
            "order__user__last_name",
            "order__user__email",
        )
        .prefetch_related(
            Prefetch("order__lines", queryset=Line.objects.only("order_id", "quantity", "title"))
        )
    )
    handovers = handover_states(Handover.objects.filter(distribution_day=day))
    by_basket = {h.basket_delivery_id: h for h in handovers if h.basket_delivery_id}
    by_order = {h.pickup_order_id: h for h in handovers if h.pickup_order_id}
    if add_missing:
        new_baskets = [row.delivery_id for row in rows if row.delivery_id not in by_basket]
        new_orders = [pickup.pk for pickup in pickups if pickup.pk not in by_order]
        if add_handovers(day, new_baskets, new_orders):
            for handover in handover_states(
                Handover.objects.filter(distribution_day=day).filter(
                    Q(basket_delivery_id__in=new_baskets) | Q(pickup_order_id__in=new_orders)
                )
            ):
                if handover.basket_delivery_id:
                    by_basket[handover.basket_delivery_id] = handover
                else:
                    by_order[handover.pickup_order_id] = handover
    households: dict[str, Household] = {}

    def household(key: str, collector: str) -> Household:
        return households.setdefault(key, Household(collector))

    contents: dict[int, list[str]] = {}
    for row in rows:
        handover = by_basket.get(row.delivery_id)
        if handover is None:  # made since; the next opening with add_missing adds it
            continue
        if row.chosen:
            details = [f"{line.title} × {line.quantity}" for line in row.chosen]
        elif row.composition is not None:
            composition = row.composition  # the same few for hundreds of baskets: read once
            if composition.pk not in contents:
                contents[composition.pk] = [str(line) for line in composition.lines.all()]
            details = contents[composition.pk]
        else:
            details = []
        collector = (
            row.collector if row.transfer_kind == TransferKind.FOOD_AID else name(row.collector)
        )
        title = row.plan if row.quantity == 1 else f"{row.quantity} × {row.plan}"
        household(row.collector_key, collector).lines.append(
            HandoverLine(
                handover,
                "basket",
                title,
                details,
                for_whom=name(row.holder) if row.collector != row.holder else "",
                note=row.producer,
            )
        )
    for pickup in pickups:
        if pickup.pk not in by_order:
            continue
        order = pickup.order
        collector = name(person_name(order.user) if order.user else order.email.split("@")[0])
        key = f"member:{order.user_id}" if order.user_id else f"email:{order.email}"
        household(key, collector).lines.append(
            HandoverLine(
                by_order[pickup.pk],
                "order",
                _("Order %(number)s") % {"number": order.number},
                [f"{line.quantity} × {line.title}" for line in order.lines.all()],
            )
        )
    ordered = sorted(households.values(), key=lambda h: sort_key(h.name))
    return PickupList(day, ordered)


def pickup_list_state(day: DistributionDay) -> dict:
    """What phones poll: each handover's state, who ticked it, and the counts. One query."""
    rows = (
        Handover.objects.filter(distribution_day=day)
        .filter(
            Q(basket_delivery__status__in=BROUGHT_STATUSES)
            | (Q(pickup_order__isnull=False) & ~Q(pickup_order__order__status="cancelled"))
        )
        .values_list("pk", "collected_at", "collected_by__first_name", "collected_by__last_name")
    )
    items = {
        str(pk): {
            "collected": collected_at is not None,
            "by": short_name(f"{first or ''} {last or ''}".strip()) if collected_at else "",
        }
        for pk, collected_at, first, last in rows
    }
    collected = sum(item["collected"] for item in items.values())
    return {"items": items, "collected": collected, "remaining": len(items) - collected}
