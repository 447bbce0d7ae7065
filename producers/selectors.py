"""Reads about producers: the directory, a producer's page, the producer's own space."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from geopy.distance import geodesic
from oscar.core.loading import get_model

from producers.models import Producer

Product = get_model("catalogue", "Product")
Line = get_model("order", "Line")


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
