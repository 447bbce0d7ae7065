"""Prices members see: the producer's price including VAT, at the product's own VAT rate.

Producers type the price a customer pays (TTC); the tax part is derived from the product's VAT
rate (5.5% for most food). Availability comes from the producer's stock record. A member may
pay another price on some products when a layer above says so (``member_prices``: the
solidarity fund's reduced tier on staples); ``price_variant`` names the prices a member sees,
for the caches of catalogue pages.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from oscar.apps.partner import availability, prices, strategy

from marketplace.partner.member_prices import pricings_for

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
    def __init__(self, request=None, user=None):
        super().__init__(request)
        if user is not None and user.is_authenticated:
            self.user = user
        self._pricings = None

    @property
    def member_pricings(self) -> list:
        if self._pricings is None:
            self._pricings = pricings_for(self.user)
        return self._pricings

    @property
    def price_variant(self) -> str:
        """The prices this member sees, by name: "" when they are everyone's."""
        return "|".join(pricing.variant for pricing in self.member_pricings)

    def member_price(self, product, price: Decimal) -> Decimal:
        for pricing in self.member_pricings:
            found = pricing.price(product, price)
            if found is not None:
                return found
        return price

    def _price(self, product, stockrecord):
        price = self.member_price(product, stockrecord.price)
        excl, tax = split_vat(price, vat_rate_of(product))
        return prices.TaxInclusiveFixedPrice(
            currency=stockrecord.price_currency, excl_tax=excl, tax=tax
        )

    def pricing_policy(self, product, stockrecord):
        if not stockrecord or stockrecord.price is None:
            return prices.Unavailable()
        return self._price(product, stockrecord)

    def parent_pricing_policy(self, product, children_stock):
        stockrecords = [sr for _, sr in children_stock if sr is not None]
        if not stockrecords:
            return prices.Unavailable()
        return self._price(product, stockrecords[0])

    def availability_policy(self, product, stockrecord):
        if not product.is_public:
            return availability.Unavailable()
        return super().availability_policy(product, stockrecord)


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return LocalProducerStrategy(request, user=user)
