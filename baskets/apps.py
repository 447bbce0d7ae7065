from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BasketsConfig(AppConfig):
    """Basket plans, contracts and subscriptions (the AMAP side); built by the next issues."""

    name = "baskets"
    verbose_name = _("Basket subscriptions")
