"""The staples a fund's coordinators open to its reduced tier à la carte (bread, vegetables,
eggs...): the shop's strategy gives the fund's reduced-tier members the reduced price on them."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.core import catalogue_cache
from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.models import EligibleProduct, Fund
from marketplace.solidarity.selectors.access import coordinates_fund
from marketplace.solidarity.selectors.staples import eligible_product_ids, public_products


def _not_in_catalogue() -> SolidarityRefused:
    return SolidarityRefused(
        _("A product chosen is not in the catalogue (any more): reload the page and choose again.")
    )


def _product_ids(values: Iterable) -> set[int]:
    try:
        return {int(value) for value in values}
    except (TypeError, ValueError):
        raise _not_in_catalogue() from None


@transaction.atomic
def set_eligible_products(user, fund: Fund, product_ids: Iterable, *, now=None) -> tuple[int, int]:
    """The fund opens exactly ``product_ids`` to its reduced tier: returns how many products
    were added and how many removed. A product newly added must be public; one already open
    that its producer has since unpublished may stay (the shop does not sell it meanwhile).
    Cached catalogue pages render afresh after a change."""
    if not coordinates_fund(user, fund):
        raise SolidarityRefused(
            _(
                "Only the coordinators of the fund's pickup points may choose the products "
                "open to its reduced tier."
            )
        )
    wanted = _product_ids(product_ids)
    # The fund's row keeps two coordinators saving at once from interleaving their changes.
    Fund.objects.select_for_update().filter(pk=fund.pk).first()
    current = eligible_product_ids(fund)
    to_add, to_remove = wanted - current, current - wanted
    if to_add and public_products().filter(pk__in=to_add).count() != len(to_add):
        raise _not_in_catalogue()
    if to_remove:
        EligibleProduct.objects.filter(fund=fund, product_id__in=to_remove).delete()
    if to_add:
        marked_at = now or timezone.now()
        EligibleProduct.objects.bulk_create(
            EligibleProduct(fund=fund, product_id=pk, marked_by=user, marked_at=marked_at)
            for pk in sorted(to_add)
        )
    if to_add or to_remove:
        transaction.on_commit(catalogue_cache.bump_version)
    return len(to_add), len(to_remove)
