from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SolidarityConfig(AppConfig):
    """Solidarity pricing: the funds that pay producers the part of the reference price reduced
    for low-income households, the members' tiers, and the fund's rate reviews."""

    name = "marketplace.solidarity"
    label = "solidarity"
    verbose_name = _("Solidarity")

    def ready(self):
        from marketplace.payments.member_prices import register_member_pricer
        from marketplace.solidarity.member_prices import solidarity_price

        register_member_pricer(solidarity_price)
