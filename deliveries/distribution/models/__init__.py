"""What happens on a distribution day: volunteers' shifts and the handovers they tick."""

from deliveries.distribution.models.handovers import Handover, HandoverTick, LeftoverFate
from deliveries.distribution.models.shifts import VolunteerShift

__all__ = ["Handover", "HandoverTick", "LeftoverFate", "VolunteerShift"]
