"""Writing a fund's ledger: donations, grants and corrections recorded by its coordinators, and
the entries that follow what members pay (contributions, reductions)."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.models import RECORDED_KINDS, Fund, FundEntry, FundEntryKind
from marketplace.solidarity.selectors.access import coordinates_fund
from marketplace.solidarity.services.amounts import checked_euros


def _text(value: str, field: str) -> str:
    text = (value or "").strip()
    if len(text) > FundEntry._meta.get_field(field).max_length:
        raise SolidarityRefused(_("The note or the reference is too long."))
    return text


@transaction.atomic
def record_fund_entry(
    user,
    fund: Fund,
    kind: str,
    amount,
    *,
    on: date | None = None,
    reference: str = "",
    note: str = "",
    now=None,
) -> FundEntry:
    """A donation or a grant (above zero), or a correction (either sign, not zero), recorded by
    one of the fund's coordinators or staff, dated ``on`` (today by default, never later)."""
    now = now or timezone.now()
    if not coordinates_fund(user, fund):
        raise SolidarityRefused(
            _("Only the coordinators of the fund's pickup points may record its entries.")
        )
    if kind not in RECORDED_KINDS:
        raise SolidarityRefused(_("Choose a donation, a grant or a correction."))
    value = checked_euros(amount)
    if kind == FundEntryKind.CORRECTION and value == 0:
        raise SolidarityRefused(_("A correction is an amount above or below zero."))
    if kind != FundEntryKind.CORRECTION and value <= 0:
        raise SolidarityRefused(_("The amount must be above zero."))
    on = on or timezone.localdate(now)
    if on > timezone.localdate(now):
        raise SolidarityRefused(_("An entry cannot be dated later than today."))
    return write_fund_entry(
        fund,
        kind,
        value,
        on=on,
        now=now,
        reference=_text(reference, "reference"),
        note=_text(note, "note"),
        recorded_by=user,
    )


def write_fund_entry(fund: Fund, kind: str, amount, *, on: date, now=None, **links) -> FundEntry:
    """One entry, as the services that follow payments write them (no permission asked: the
    caller is the one who decided). ``links``: subscription, order, member, producer,
    reference, note, recorded_by. Runs in the caller's transaction."""
    return FundEntry.objects.create(
        fund=fund,
        kind=kind,
        amount=amount,
        on=on,
        created_at=now or timezone.now(),
        **links,
    )
