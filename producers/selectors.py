"""Reads about producers: the directory, a producer's page, the producer's own space."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from geopy.distance import geodesic
from oscar.core.loading import get_model

from producers.models import Producer

Product = get_model("catalogue", "Product")
Line = get_model("order", "Line")


def lines_to_bring(**filters) -> QuerySet:
    """Order lines that still stand (cancelled ones left out), filtered by ``filters``: what
    producers bring, what quotas count, what packing lists hold."""
    from producers.models import LineStatus

    return Line.objects.filter(**filters).exclude(status=LineStatus.CANCELLED)


def producer_of(user) -> Producer | None:
    """The producer a signed-in user works for, if any."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_producer_cache", False)
    if cached is not False:
        return cached
    producer = Producer.objects.filter(partner__users=user).select_related("partner").first()
    user._producer_cache = producer
    return producer


def featured_producers(limit: int) -> list[Producer]:
    return list(
        Producer.objects.filter(is_active=True).prefetch_related("labels").order_by("name")[:limit]
    )


@dataclass
class DirectoryEntry:
    producer: Producer
    distance_km: Decimal | None


def producer_directory(
    *, query: str = "", label: str = "", category=None, near: tuple[float, float] | None = None
) -> list[DirectoryEntry]:
    """Active producers filtered by text, label and production type; nearest first when `near`."""
    producers = Producer.objects.filter(is_active=True)
    if query.strip():
        text = query.strip()
        producers = producers.filter(
            Q(name__icontains=text) | Q(story__icontains=text) | Q(town__icontains=text)
        )
    if label:
        producers = producers.filter(labels__slug=label)
    if category is not None:
        producers = producers.filter(
            categories__in=category.get_descendants_and_self().values("pk")
        ).distinct()
    producers = producers.prefetch_related("labels", "categories").annotate(
        product_count=Count(
            "sheets",
            filter=Q(sheets__product__is_public=True),
            distinct=True,
        )
    )
    entries = [DirectoryEntry(p, None) for p in producers.order_by("name")]
    if near is not None:
        for entry in entries:
            if entry.producer.has_location:
                km = geodesic(
                    near, (float(entry.producer.latitude), float(entry.producer.longitude))
                ).km
                entry.distance_km = Decimal(str(round(km, 1)))
        entries.sort(key=lambda e: (e.distance_km is None, e.distance_km or 0, e.producer.name))
    return entries


def producer_products(producer: Producer) -> QuerySet:
    """Every product of a producer, for their own space, with stock and sheet."""
    return (
        Product.objects.filter(sheet__producer=producer)
        .select_related("sheet", "product_class")
        .prefetch_related("stockrecords", "images", "categories")
        .order_by("title")
    )


def producer_order_lines(producer: Producer) -> QuerySet:
    """Order lines for this producer's products only, never another producer's."""
    return (
        Line.objects.filter(partner_id=producer.partner_id)
        .select_related("order", "order__user", "product")
        .order_by("-order__date_placed", "pk")
    )


@dataclass
class QuotaRow:
    day: object
    quota: int | None
    ordered: int


def quota_rows(product, weeks: int = 3) -> list[QuotaRow]:
    """The distribution days still open for orders in the coming weeks, with the product's
    quota and what members ordered of it for each day."""
    from deliveries.network.selectors import open_pickup_slots
    from producers.models import DayQuota

    days = sorted(open_pickup_slots(weeks=weeks), key=lambda day: (day.starts_at, day.pk))
    quotas = dict(
        DayQuota.objects.filter(product=product, distribution_day__in=days).values_list(
            "distribution_day_id", "quantity"
        )
    )
    ordered = dict(
        lines_to_bring(product=product, order__pickup__distribution_day__in=days)
        .values("order__pickup__distribution_day_id")
        .order_by()
        .annotate(total=Sum("quantity"))
        .values_list("order__pickup__distribution_day_id", "total")
    )
    return [QuotaRow(day, quotas.get(day.pk), ordered.get(day.pk, 0)) for day in days]


def producer_packing_lists(producer: Producer, since_days: int = 14) -> QuerySet:
    """The producer's packing lists, from two weeks ago on, soonest distribution first."""
    from datetime import timedelta

    from django.utils import timezone

    from producers.models import PackingList

    return (
        PackingList.objects.filter(
            producer=producer,
            distribution_day__date__gte=timezone.localdate() - timedelta(days=since_days),
        )
        .select_related("distribution_day__pickup_point")
        .order_by("distribution_day__starts_at", "distribution_day__pickup_point__name")
    )
