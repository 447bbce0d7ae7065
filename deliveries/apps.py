from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveriesConfig(AppConfig):
    """Pickup points and the distribution calendar (deliveries.network), and the distribution
    day (deliveries.distribution): one app, one migration history, two floors."""

    name = "deliveries"
    verbose_name = _("Deliveries")

    def ready(self):
        from deliveries.distribution.services.shifts import forget_released_shifts
        from deliveries.network import finder_cache
        from deliveries.network.signals import days_reinstated

        finder_cache.connect_signals()
        days_reinstated.connect(forget_released_shifts, dispatch_uid="forget-released-shifts")
