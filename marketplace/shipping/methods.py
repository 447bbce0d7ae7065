from django.utils.translation import gettext_lazy as _
from oscar.apps.shipping.methods import Free, NoShippingRequired  # noqa: F401


class CollectAtPickupPoint(Free):
    """Everything is collected at a distribution point; nothing is posted, nothing is charged.

    The pickup-points issue turns this into one method per open pickup slot
    (code ``pickup-<distribution day id>``).
    """

    code = "pickup"
    name = _("Collect at the distribution point")
    description = _("You collect your order at your distribution point on distribution day.")
