from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveriesConfig(AppConfig):
    """Pickup points, the distribution calendar and pickup lists; built by the next issues."""

    name = "deliveries"
    verbose_name = _("Deliveries")

    def ready(self):
        from deliveries import finder_cache

        finder_cache.connect_signals()
