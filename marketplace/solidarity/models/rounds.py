"""Contribution rounds (free-price seasons): a contract's budget for the season, covered by what
each household pledges per basket between a minimum and a maximum.

A round is open until its deadline, then closed: covered when the pledges times each pledging
subscription's baskets of the season reach the budget (each pledge then becomes its
subscription's price per basket, ``PledgedPrice``), short otherwise (the shortfall is kept, and
the coordinator may open the next round on the same contract). At most one round is open per
contract. Amounts are euros to the cent.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoundState(models.TextChoices):
    OPEN = "open", _("open")
    COVERED = "closed_covered", _("closed: budget covered")
    SHORT = "closed_short", _("closed: budget not covered")


def euros_field(verbose_name, *, max_digits: int = 10, **kwargs):
    return models.DecimalField(verbose_name, max_digits=max_digits, decimal_places=2, **kwargs)


class ContributionRound(models.Model):
    contract = models.ForeignKey(
        "baskets.Contract",
        on_delete=models.PROTECT,
        related_name="contribution_rounds",
        verbose_name=_("contract"),
    )
    number = models.PositiveSmallIntegerField(_("round"), default=1)
    budget = euros_field(_("season budget (€)"))
    min_pledge = euros_field(_("lowest pledge per basket (€)"), max_digits=8)
    max_pledge = euros_field(_("highest pledge per basket (€)"), max_digits=8)
    deadline = models.DateTimeField(_("pledges until"))
    state = models.CharField(
        _("state"), max_length=16, choices=RoundState.choices, default=RoundState.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # What the close counted, kept as it counted it: the pledges times their baskets, what was
    # missing (0 when covered), and every holder's baskets of the season (for the average a
    # next round would need per basket).
    pledged_total = euros_field(_("pledged for the season (€)"), max_digits=14, null=True)
    shortfall = euros_field(_("shortfall (€)"), max_digits=14, null=True, blank=True)
    season_baskets = models.PositiveIntegerField(_("holders' baskets of the season"), null=True)

    class Meta:
        ordering = ["contract", "number"]
        verbose_name = _("contribution round")
        verbose_name_plural = _("contribution rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"], name="one_contribution_round_per_number"
            ),
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(state="open"),
                name="one_open_contribution_round_per_contract",
            ),
            models.CheckConstraint(
                condition=Q(budget__gt=0), name="contribution_round_budget_positive"
            ),
            models.CheckConstraint(
                condition=Q(min_pledge__gt=0, max_pledge__gte=F("min_pledge")),
                name="contribution_round_bounds_in_order",
            ),
            models.CheckConstraint(
                condition=Q(shortfall__isnull=True) | Q(shortfall__gte=0),
                name="contribution_round_shortfall_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.contract} – {self.number}"

    @property
    def is_open(self) -> bool:
        return self.state == RoundState.OPEN


class Pledge(models.Model):
    """What a subscription's household pledges per basket in a round; changed until the
    deadline."""

    round = models.ForeignKey(
        ContributionRound,
        on_delete=models.CASCADE,
        related_name="pledges",
        verbose_name=_("round"),
    )
    subscription = models.ForeignKey(
        "baskets.Subscription",
        on_delete=models.CASCADE,
        related_name="pledges",
        verbose_name=_("subscription"),
    )
    amount = euros_field(_("pledge per basket (€)"), max_digits=8)
    created_at = models.DateTimeField(_("pledged at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["round", "pk"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "subscription"], name="one_pledge_per_round_and_subscription"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive"),
        ]

    def __str__(self):
        return f"{self.round}: {self.subscription_id} → {self.amount}"


class PledgedPrice(models.Model):
    """A subscription's price per basket set by the covered round of its contract: what its
    household pays for each basket from then on, instead of the plan's reference price
    (payments reads it through an argument: ``selectors.rounds.pledged_prices``)."""

    subscription = models.OneToOneField(
        "baskets.Subscription",
        on_delete=models.CASCADE,
        related_name="pledged_price",
        verbose_name=_("subscription"),
    )
    round = models.ForeignKey(
        ContributionRound,
        on_delete=models.PROTECT,
        related_name="prices",
        verbose_name=_("round"),
    )
    price = euros_field(_("price per basket (€)"), max_digits=8)
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("pledged price")
        verbose_name_plural = _("pledged prices")
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="pledged_price_positive"),
        ]

    def __str__(self):
        return f"{self.subscription_id}: {self.price}"
