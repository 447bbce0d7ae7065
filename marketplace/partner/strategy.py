"""Prices members see: the producer's price including VAT, at the product's own VAT rate.

Producers type the price a customer pays (TTC); the tax part is derived from the product's VAT
rate (5.5% for most food). Availability comes from the producer's stock record. The solidarity
issue adjusts prices per member tier here.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from oscar.apps.partner import availability, prices, strategy

CENT = Decimal("0.01")


def split_vat(price_incl_tax: Decimal, rate_percent: Decimal) -> tuple[Decimal, Decimal]:
    """Return (price excluding tax, tax) for a price including tax, to the cent."""
    excl = (price_incl_tax / (1 + rate_percent / 100)).quantize(CENT, rounding=ROUND_HALF_UP)
    return excl, price_incl_tax - excl


def vat_rate_of(product) -> Decimal:
    sheet = getattr(product, "sheet", None)
    return sheet.vat_rate if sheet is not None else settings.DEFAULT_VAT_RATE


class LocalProducerStrategy(
    strategy.UseFirstStockRecord, strategy.StockRequired, strategy.Structured
):
    def pricing_policy(self, product, stockrecord):
        if not stockrecord or stockrecord.price is None:
            return prices.Unavailable()
        excl, tax = split_vat(stockrecord.price, vat_rate_of(product))
        return prices.TaxInclusiveFixedPrice(
            currency=stockrecord.price_currency, excl_tax=excl, tax=tax
        )

    def parent_pricing_policy(self, product, children_stock):
        stockrecords = [sr for _, sr in children_stock if sr is not None]
        if not stockrecords:
            return prices.Unavailable()
        stockrecord = stockrecords[0]
        excl, tax = split_vat(stockrecord.price, vat_rate_of(product))
        return prices.TaxInclusiveFixedPrice(
            currency=stockrecord.price_currency, excl_tax=excl, tax=tax
        )

    def availability_policy(self, product, stockrecord):
        if not product.is_public:
            return availability.Unavailable()
        return super().availability_policy(product, stockrecord)


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return LocalProducerStrategy(request)
