"""Pickup points (with their schedules and closures) and the distribution days made from them."""

from deliveries.network.models.days import (
    DayState,
    DistributionDay,
    DistributionDayQuerySet,
    PickupOrder,
)
from deliveries.network.models.points import (
    Closure,
    Collective,
    Frequency,
    GeocodingStatus,
    Located,
    PickupPoint,
    Schedule,
    VolunteerSignUp,
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
    "Located",
    "PickupOrder",
    "PickupPoint",
    "Schedule",
    "VolunteerSignUp",
    "Weekday",
]
