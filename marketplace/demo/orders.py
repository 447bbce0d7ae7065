"""Demo orders: members ordering for the coming distribution days, and one day already past its
cut-off with its packing lists built, so that every role has something to look at."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.apps.order.exceptions import UnableToPlaceOrder
from oscar.core.loading import get_model

from deliveries.network.models import DayState, DistributionDay
from marketplace.checkout.services import place_order_for_day
from producers.packing import build_packing_lists

User = get_user_model()
Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")

DEMO_MEMBERS = [
    ("Léa", "Guérin"),
    ("Hugo", "Le Bihan"),
    ("Inès", "Morvan"),
    ("Lucas", "Rolland"),
    ("Chloé", "Tanguy"),
    ("Mathis", "Hamon"),
    ("Manon", "Jégou"),
    ("Nathan", "Cadiou"),
    ("Jade", "Le Gall"),
    ("Théo", "Riou"),
    ("Zoé", "Bouvier"),
]
DEMO_DOMAIN = "demo.circuit-court.fr"


def demo_members(first_member) -> list:
    members = [first_member]
    for first, last in DEMO_MEMBERS:
        email = f"{first.lower()}.{last.lower().replace(' ', '')}@{DEMO_DOMAIN}"
        email = email.replace("é", "e").replace("è", "e").replace("ï", "i")
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                username=email.split("@")[0][:150],
                email=email,
                password=None,  # demo neighbours: they cannot sign in
                first_name=first,
                last_name=last,
            )
        members.append(user)
    return members


def ensure_demo_orders(first_member, first_producer, rng: random.Random, per_day: int = 4) -> int:
    """Orders on each pickup point's next two open days and on the last day whose orders just
    closed (placed before its cut-off), whose packing lists are then built; every order of that
    day has something from the demo producer's farm, so their packing list shows. Once only: nothing
    happens if demo members already ordered. Returns how many orders were placed."""
    if Order.objects.filter(user__email__endswith=f"@{DEMO_DOMAIN}").exists():
        return 0
    members = demo_members(first_member)
    products = list(
        Product.objects.filter(is_public=True, stockrecords__num_in_stock__gt=20)
        .select_related("sheet")
        .order_by("pk")
    )
    own = [product for product in products if product.sheet.producer_id == first_producer.pk]
    if not products or not own:
        return 0
    now = timezone.now()
    just_closed = (
        DistributionDay.objects.filter(
            state__in=(DayState.OPEN, DayState.CLOSED), cutoff_at__lte=now, starts_at__gt=now
        )
        .order_by("cutoff_at")
        .last()
    ) or _close_soonest_day_early(now)
    days, per_point = [], {}
    for day in DistributionDay.objects.open_for_orders(now).order_by("starts_at", "pk"):
        per_point[day.pickup_point_id] = per_point.get(day.pickup_point_id, 0) + 1
        if per_point[day.pickup_point_id] <= 2:  # each point's next two days
            days.append(day)
    placed = 0
    for day in days + [just_closed] * bool(just_closed):
        at = min(day.cutoff_at, now) - timedelta(hours=20) if day is just_closed else None
        for member in rng.sample(members, min(per_day, len(members))):
            chosen = rng.sample(products, min(3, len(products)))
            if day is just_closed and not any(p in own for p in chosen):
                chosen[0] = rng.choice(own)
            items = [(product, rng.randint(1, 3)) for product in chosen]
            try:
                place_order_for_day(member, items, day.pk, at=at)
            except UnableToPlaceOrder:  # sold out meanwhile: this neighbour orders nothing
                continue
            placed += 1
    if just_closed is not None:
        DistributionDay.objects.filter(pk=just_closed.pk).update(state=DayState.CLOSED)
        build_packing_lists(just_closed.pk)
    return placed


def _close_soonest_day_early(now) -> DistributionDay | None:
    """From Friday evening to Sunday evening no distribution's orders have closed yet (each
    closes 48 h before): the demo closes the soonest one's orders early, so that its producers
    have a packing list to look at whatever the day. Its cut-off stays as the calendar set it,
    which the calendar leaves alone; only the state says orders are closed."""
    day = DistributionDay.objects.open_for_orders(now).order_by("starts_at", "pk").first()
    if day is not None:
        day.state = DayState.CLOSED
        day.save(update_fields=["state"])
    return day
