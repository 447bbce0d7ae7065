from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Marketplace")

    def ready(self):
        from oscar.apps.analytics import receivers as analytics
        from oscar.apps.catalogue.signals import product_viewed

        from marketplace.core import catalogue_cache

        catalogue_cache.connect_signals()
        # Oscar counts every product view with an UPDATE; that write on each page view is the
        # whole cost of a product page under load. Purchases and cart additions still count.
        product_viewed.disconnect(analytics.receive_product_view)
