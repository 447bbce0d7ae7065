"""The solidarity tiers à la carte: a member on the reduced tier pays the fund's reduced rate on
the products its coordinators opened to its tiers (``EligibleProduct``), a supporter their
percentage above; the producer still receives their own price.

- ``SolidarityPrices`` is the shop strategy's adjuster (``partner.member_prices``, registered
  in ``SolidarityConfig.ready``): for a member with a tier à la carte, their price of the
  fund's staples (at the rate in force today). What a member's tier is comes from the cache
  (one round trip per page), read afresh each day and whenever a tier or a rate changes
  (``forget_member_prices``), so that members on the standard tier cost the catalogue nothing.
- ``record_solidarity_lines`` (on Oscar's ``order_placed``): each line bought at another price
  than its reference price on a staple is written with both prices, for the nightly
  settlement to write the fund's part once the distribution has begun.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from marketplace.solidarity.models import EligibleProduct, MemberTier, SolidarityLine, Tier
from marketplace.solidarity.pricing import member_price
from marketplace.solidarity.selectors.reviews import rate_in_force

VERSION_KEY = "solidarity:a-la-carte:version"
DAY = 60 * 60 * 24
NOBODY = "standard"  # cached for a member on the standard tier à la carte
ZERO = Decimal("0")


def _member_key(member_id: int, version) -> str:
    return f"solidarity:a-la-carte:{version}:{member_id}"


def forget_member_prices() -> None:
    """After the commit: every member's tier à la carte is read afresh (a tier set or taken
    away, a fund's rate reviewed)."""

    def bump():
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.add(VERSION_KEY, 2, timeout=None)

    transaction.on_commit(bump)


@dataclass(frozen=True)
class TierTerms:
    fund_id: int
    tier: str
    percent: Decimal  # the reduced rate in force, or the supporter's percentage


def a_la_carte_terms(member) -> TierTerms | None:
    """The member's tier à la carte, with the rate in force today for the reduced tier; None
    for the standard tier. Two queries at most."""
    tier = (
        MemberTier.objects.filter(member=member, tier__in=(Tier.REDUCED, Tier.SUPPORTER))
        .select_related("fund")
        .first()
    )
    if tier is None:
        return None
    if tier.tier == Tier.REDUCED:
        return TierTerms(tier.fund_id, Tier.REDUCED, rate_in_force(tier.fund, timezone.localdate()))
    if tier.supporter_percent is None:  # à la carte a supporter gives a percentage
        return None
    return TierTerms(tier.fund_id, Tier.SUPPORTER, tier.supporter_percent)


def _cached_terms(member) -> TierTerms | None:
    today = timezone.localdate().isoformat()
    version = cache.get(VERSION_KEY) or 1
    key = _member_key(member.pk, version)
    found = cache.get(key)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == today:
        return None if found[1] == NOBODY else found[1]
    terms = a_la_carte_terms(member)
    cache.set(key, (today, NOBODY if terms is None else terms), DAY)
    return terms


def staple_price(terms: TierTerms, price: Decimal) -> Decimal:
    if terms.tier == Tier.REDUCED:
        return member_price(price, Tier.REDUCED, terms.percent)
    return member_price(price, Tier.SUPPORTER, ZERO, supporter_percent=terms.percent)


def _staples(fund_id: int) -> set[int]:
    return set(EligibleProduct.objects.filter(fund_id=fund_id).values_list("product_id", flat=True))


@dataclass
class StaplePrices:
    terms: TierTerms
    _eligible: set[int] | None = field(default=None, repr=False)

    @property
    def variant(self) -> str:
        return f"solidarity:{self.terms.fund_id}:{self.terms.tier}:{self.terms.percent}"

    def price(self, product, price: Decimal) -> Decimal | None:
        if self._eligible is None:
            self._eligible = _staples(self.terms.fund_id)
        if product.pk not in self._eligible and product.parent_id not in self._eligible:
            return None
        return staple_price(self.terms, price)


class SolidarityPrices:
    def for_user(self, user) -> StaplePrices | None:
        terms = _cached_terms(user)
        return None if terms is None else StaplePrices(terms)


def record_solidarity_lines(sender, order, user=None, **kwargs) -> int:
    """The order's lines bought at the member's tier's price on their fund's staples, each with
    its reference price (the stock record's, which priced it). Returns how many."""
    if order.user_id is None:
        return 0
    terms = a_la_carte_terms(order.user)
    if terms is None:
        return 0
    eligible = _staples(terms.fund_id)
    rows = [
        SolidarityLine(
            line=line,
            fund_id=terms.fund_id,
            reference_unit_price=line.stockrecord.price,
            member_unit_price=line.unit_price_incl_tax,
        )
        for line in order.lines.select_related("stockrecord", "product")
        if line.stockrecord is not None
        and line.product is not None
        and (line.product_id in eligible or line.product.parent_id in eligible)
        and line.unit_price_incl_tax != line.stockrecord.price
    ]
    SolidarityLine.objects.bulk_create(rows)
    return len(rows)


def reference_totals(line_ids: list[int]) -> dict[int, Decimal]:
    """What the producer is owed for these lines bought at a tier's price: their own price
    (``producers.line_prices``). One query."""
    return {
        line_id: reference * quantity
        for line_id, reference, quantity in SolidarityLine.objects.filter(
            line_id__in=line_ids
        ).values_list("line_id", "reference_unit_price", "line__quantity")
    }
