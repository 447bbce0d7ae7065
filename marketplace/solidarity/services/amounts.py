"""Amounts and percentages as people type them ("12,50", "30"), checked into Decimals, or a
``SolidarityRefused`` saying what to type."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from marketplace.solidarity.errors import SolidarityRefused

CENT = Decimal("0.01")
LARGEST = Decimal("99999999.99")  # what the ledger's amounts hold


def _decimal(value, message: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise SolidarityRefused(message)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise SolidarityRefused(message) from None
    if not number.is_finite():
        raise SolidarityRefused(message)
    return number


def checked_percent(value) -> Decimal:
    """A percentage to two decimal places (range checks are the caller's)."""
    number = _decimal(value, _("Enter a percentage, such as 30 or 12.5."))
    if number != number.quantize(CENT):
        raise SolidarityRefused(_("Enter the percentage to two decimal places at most."))
    return number.quantize(CENT)


def checked_euros(value) -> Decimal:
    """An amount in euros to the cent, of any sign (sign checks are the caller's)."""
    number = _decimal(value, _("Enter an amount in euros, such as 12.50."))
    if number != number.quantize(CENT):
        raise SolidarityRefused(_("Enter the amount to the cent, such as 12.50."))
    if abs(number) > LARGEST:
        raise SolidarityRefused(_("This amount is too large."))
    return number.quantize(CENT)
