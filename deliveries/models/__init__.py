"""The models of the deliveries app, as Django loads them: they live on their floor
(deliveries.network.models, deliveries.distribution.models) and are registered here. Code of the
project imports them from their floor; this module is for Django (and tests)."""

from deliveries.distribution.models import Handover, HandoverTick, LeftoverFate, VolunteerShift
from deliveries.network.models import (
    Closure,
    Collective,
    DayState,
    DistributionDay,
    DistributionDayQuerySet,
    Frequency,
    GeocodingStatus,
    Located,
    PickupOrder,
    PickupPoint,
    Schedule,
    Weekday,
)

__all__ = [
    "Closure",
    "Collective",
    "DayState",
    "DistributionDay",
    "DistributionDayQuerySet",
    "Frequency",
    "GeocodingStatus",
    "Handover",
    "HandoverTick",
    "LeftoverFate",
    "Located",
    "PickupOrder",
    "PickupPoint",
    "Schedule",
    "VolunteerShift",
    "Weekday",
]
