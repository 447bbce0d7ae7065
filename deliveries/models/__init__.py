"""Pickup points and distribution days, one module per part of the day."""

from deliveries.models.days import DayState, DistributionDay, DistributionDayQuerySet, PickupOrder
from deliveries.models.handovers import Handover, HandoverTick, LeftoverFate
from deliveries.models.points import (
    Closure,
    Collective,
    Frequency,
    GeocodingStatus,
    Located,
    PickupPoint,
    Schedule,
    Weekday,
)
from deliveries.models.shifts import VolunteerShift

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
