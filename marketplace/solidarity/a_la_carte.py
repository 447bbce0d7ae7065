"""The reduced tier à la carte: a member on it pays the fund's reduced rate on the products its
coordinators opened to it (``EligibleProduct``), and the producer still receives their price.

- ``SolidarityPrices`` is the shop strategy's adjuster (``partner.member_prices``, registered
  in ``SolidarityConfig.ready``): for a member with a reduced tier à la carte, the reduced
  price of the fund's staples at the rate in force today. What a member's tier is comes from
  the cache (one round trip per page), read afresh each day and whenever a tier changes
  (``forget_member_prices``), so that members on the standard tier cost the catalogue nothing.
- ``record_reduced_lines`` (on Oscar's ``order_placed``): each line bought below its
  reference price on a staple is written with both prices, for the nightly settlement to pay
  the producer the difference once the distribution has begun.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from marketplace.solidarity.models import EligibleProduct, MemberTier, ReducedLine, Tier
from marketplace.solidarity.pricing import member_price
from marketplace.solidarity.selectors.reviews import rate_in_force

VERSION_KEY = "solidarity:a-la-carte:version"
DAY = 60 * 60 * 24
NOBODY = "standard"  # cached for a member on no reduced tier à la carte


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


def reduced_terms(member) -> tuple[int, Decimal] | None:
    """The fund and the rate in force today of the member's reduced tier à la carte, or None.
    Two queries at most."""
    tier = (
        MemberTier.objects.filter(member=member, tier=Tier.REDUCED).select_related("fund").first()
    )
    if tier is None:
        return None
    return tier.fund_id, rate_in_force(tier.fund, timezone.localdate())


def _cached_terms(member) -> tuple[int, Decimal] | None:
    today = timezone.localdate().isoformat()
    version = cache.get(VERSION_KEY) or 1
    key = _member_key(member.pk, version)
    found = cache.get(key)
    if isinstance(found, tuple) and found[0] == today:
        return None if found[1] == NOBODY else found[1]
    terms = reduced_terms(member)
    cache.set(key, (today, NOBODY if terms is None else terms), DAY)
    return terms


@dataclass
class ReducedStaples:
    fund_id: int
    rate: Decimal
    _eligible: set[int] | None = field(default=None, repr=False)

    @property
    def variant(self) -> str:
        return f"solidarity:{self.fund_id}:{self.rate}"

    def price(self, product, price: Decimal) -> Decimal | None:
        if self._eligible is None:
            self._eligible = set(
                EligibleProduct.objects.filter(fund_id=self.fund_id).values_list(
                    "product_id", flat=True
                )
            )
        if product.pk not in self._eligible and product.parent_id not in self._eligible:
            return None
        return member_price(price, Tier.REDUCED, self.rate)


class SolidarityPrices:
    def for_user(self, user) -> ReducedStaples | None:
        terms = _cached_terms(user)
        return None if terms is None else ReducedStaples(*terms)


def record_reduced_lines(sender, order, user=None, **kwargs) -> int:
    """The order's lines bought at the reduced price on the member's fund's staples, each with
    its reference price (the stock record's, which priced it). Returns how many."""
    if order.user_id is None:
        return 0
    terms = reduced_terms(order.user)
    if terms is None:
        return 0
    fund_id, _rate = terms
    eligible = set(
        EligibleProduct.objects.filter(fund_id=fund_id).values_list("product_id", flat=True)
    )
    rows = [
        ReducedLine(
            line=line,
            fund_id=fund_id,
            reference_unit_price=line.stockrecord.price,
            member_unit_price=line.unit_price_incl_tax,
        )
        for line in order.lines.select_related("stockrecord", "product")
        if line.stockrecord is not None
        and line.product is not None
        and (line.product_id in eligible or line.product.parent_id in eligible)
        and line.unit_price_incl_tax < line.stockrecord.price
    ]
    ReducedLine.objects.bulk_create(rows)
    return len(rows)


def reference_totals(line_ids: list[int]) -> dict[int, Decimal]:
    """What the producer is owed for these lines bought at the reduced price: their own price
    (``producers.line_prices``). One query."""
    return {
        line_id: reference * quantity
        for line_id, reference, quantity in ReducedLine.objects.filter(
            line_id__in=line_ids
        ).values_list("line_id", "reference_unit_price", "line__quantity")
    }
