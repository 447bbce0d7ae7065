from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from oscar.apps.shipping.methods import Free, NoShippingRequired  # noqa: F401


class CollectAtPickupPoint(Free):
    """Collected at a distribution point, on distribution day: nothing posted, nothing charged."""

    code = "pickup"
    name = _("Collect at the distribution point")
    description = _("You collect your order at your distribution point on distribution day.")


PICKUP_SLOT_PREFIX = "pickup-"


class PickupSlot(CollectAtPickupPoint):
    """One distribution day at one pickup point, before its cut-off."""

    def __init__(self, day):
        self.day = day
        self.code = f"{PICKUP_SLOT_PREFIX}{day.pk}"
        point = day.pickup_point
        # Stored on the order as its shipping method: on the Paris wall clock, not in UTC.
        starts = formats.date_format(timezone.localtime(day.starts_at), "l j F, H:i")
        self.name = f"{point.name} — {starts}"
        self.description = _("%(address)s, %(town)s. Order until %(cutoff)s.") % {
            "address": point.address,
            "town": point.town,
            "cutoff": formats.date_format(timezone.localtime(day.cutoff_at), "l j F, H:i"),
        }


def day_id_of(method_code: str) -> int | None:
    if method_code and method_code.startswith(PICKUP_SLOT_PREFIX):
        suffix = method_code[len(PICKUP_SLOT_PREFIX) :]
        return int(suffix) if suffix.isdigit() else None
    return None
