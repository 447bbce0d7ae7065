"""A fund's rate reviews: each records what it read, the rate it set and why. One per fund and
period: running a review twice for the same period changes nothing (``marketplace.solidarity
.rates`` writes them)."""

from dataclasses import fields
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.solidarity.models.funds import Fund, percent_field


class RateReview(models.Model):
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("fund")
    )
    period_start = models.DateField(_("period starting"))
    # Balance, contributions expected, reductions committed, deliveries counted...: what the
    # review read, as it read it (amounts as strings, to the cent).
    inputs = models.JSONField(_("what the review read"), default=dict, blank=True)
    rate_before = percent_field(_("rate before (%)"))
    rate_after = percent_field(_("rate after (%)"))
    reason = models.TextField(_("reason"))
    applies_from = models.DateField(_("new rate applies from"))
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    open_to_requests_after = models.BooleanField(_("open to new reduced-tier requests after"))
    created_at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    class Meta:
        ordering = ["fund", "-period_start"]
        verbose_name = _("rate review")
        verbose_name_plural = _("rate reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "period_start"], name="one_rate_review_per_fund_and_period"
            )
        ]

    def __str__(self):
        return f"{self.fund} {self.period_start:%Y-%m-%d}: {self.rate_before} → {self.rate_after} %"

    def explanation(self) -> str:
        """Why, in the reader's language: the review made again from its recorded figures (it
        is pure arithmetic); the sentence recorded at the time when they cannot be read."""
        from marketplace.solidarity.rates import ReviewInputs, review

        try:
            names = [field.name for field in fields(ReviewInputs)]
            values = {
                name: int(self.inputs[name]) if name == "periods" else Decimal(self.inputs[name])
                for name in names
                if name in self.inputs
            }
            return review(ReviewInputs(**values)).explanation
        except (KeyError, TypeError, ValueError, ArithmeticError):
            return self.reason
