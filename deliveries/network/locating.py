"""Locating pickup points: their address turned into a position, in the background.

A point waits in ``PENDING`` while a Celery task asks the configured geocoder; it ends ``OK``
with the position found, or ``TO_CHECK`` when nothing was found or the geocoder stayed down.
Saving a point never waits for the geocoder.
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction

from deliveries.network.geocoding import configured_geocoder
from deliveries.network.models import GeocodingStatus, PickupPoint
from marketplace.core.tasks import queue_on_commit

Address = tuple[str, str, str]


def address_of(point: PickupPoint) -> Address:
    return (point.address, point.postcode, point.town)


def geocoder_query(address: Address) -> str:
    """What the configured geocoder is asked: the street address, except for the offline
    gazetteer, which only knows towns (its position is then the town hall's)."""
    street, postcode, town = address
    town_part = f"{postcode} {town}".strip()
    if settings.GEOCODER == "offline" or not street.strip():
        return town_part
    return f"{street}, {town_part}"


def request_geocoding(point: PickupPoint) -> None:
    """Locate a new point, or one whose address changed, once the current transaction commits."""
    request_geocoding_of([point.pk])
    point.geocoding_status = GeocodingStatus.PENDING


@transaction.atomic
def request_geocoding_of(point_ids: list[int]) -> int:
    """Mark the points as being located and queue one geocoding task each, after commit.

    A broker that is down delays the geocoding (the outbox keeps the tasks), never fails the
    save: the points stay ``PENDING`` until then."""
    count = PickupPoint.objects.filter(pk__in=point_ids).update(
        geocoding_status=GeocodingStatus.PENDING
    )
    for point_id in point_ids:
        queue_on_commit("deliveries.network.tasks.geocode_pickup_point", point_id)
    return count


def geocode_pickup_point(point_id: int) -> GeocodingStatus | None:
    """Ask the geocoder where the point is and record the answer: the position and ``OK``, or
    ``TO_CHECK`` when the geocoder finds nothing. Returns the status written, or None when
    there was nothing to do (the point is gone, already located, or its address changed while
    the geocoder was answering: the newer address has its own task).

    Raises geopy's errors when the geocoder fails: the task retries, then gives up with
    ``mark_address_to_check``. The geocoder is asked outside any transaction, so no row stays
    locked while it answers."""
    point = PickupPoint.objects.filter(pk=point_id).first()
    if point is None or point.geocoding_status == GeocodingStatus.OK:
        return None
    asked = address_of(point)
    location = configured_geocoder().geocode(
        geocoder_query(asked), exactly_one=True, timeout=settings.GEOCODER_TIMEOUT
    )
    with transaction.atomic():
        point = PickupPoint.objects.select_for_update().filter(pk=point_id).first()
        if (
            point is None
            or point.geocoding_status == GeocodingStatus.OK
            or address_of(point) != asked
        ):
            return None
        if location is None:
            point.geocoding_status = GeocodingStatus.TO_CHECK
            point.save(update_fields=["geocoding_status"])
        else:
            point.latitude = Decimal(f"{location.latitude:.6f}")
            point.longitude = Decimal(f"{location.longitude:.6f}")
            point.geocoding_status = GeocodingStatus.OK
            point.save(update_fields=["latitude", "longitude", "geocoding_status"])
    return point.geocoding_status


def mark_address_to_check(point_id: int) -> bool:
    """The geocoder could not be reached or refused the address: a person has to look.

    Only a point still waiting is marked: one located meanwhile (typed coordinates, a newer
    address found) keeps its position and status. Its coordinates are left as they were."""
    updated = PickupPoint.objects.filter(
        pk=point_id, geocoding_status=GeocodingStatus.PENDING
    ).update(geocoding_status=GeocodingStatus.TO_CHECK)
    return updated > 0
