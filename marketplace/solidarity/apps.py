from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SolidarityConfig(AppConfig):
    """Solidarity pricing: the funds that pay producers the part of the reference price reduced
    for low-income households, the members' tiers, and the fund's rate reviews."""

    name = "marketplace.solidarity"
    label = "solidarity"
    verbose_name = _("Solidarity")

    def ready(self):
        from oscar.apps.order.signals import order_placed

        from marketplace.partner.member_prices import register_price_adjuster
        from marketplace.payments.member_prices import register_member_pricer
        from marketplace.solidarity.a_la_carte import (
            SolidarityPrices,
            record_solidarity_lines,
            reference_totals,
        )
        from marketplace.solidarity.member_prices import solidarity_price
        from producers.line_prices import register_line_reference

        register_member_pricer(solidarity_price)
        register_price_adjuster(SolidarityPrices())
        register_line_reference(reference_totals)
        order_placed.connect(record_solidarity_lines, dispatch_uid="solidarity_lines")
