"""Members' solidarity tiers and their requests.

A subscription's tier (``SolidarityTier``) and a member's tier for à la carte (``MemberTier``):
no row is the standard tier. The reduced tier pays the reference price less the fund's rate;
the supporter tier pays it plus a percentage or plus an amount per basket.

Only the member, the coordinators of the fund's pickup points and staff may see a member's
tier or request (``selectors.access``): pickup lists, sign-off sheets and producers never do.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketplace.solidarity.models.funds import HUNDRED, Fund


class Tier(models.TextChoices):
    REDUCED = "reduced", pgettext_lazy("solidarity tier", "reduced")
    STANDARD = "standard", pgettext_lazy("solidarity tier", "standard")
    SUPPORTER = "supporter", pgettext_lazy("solidarity tier", "supporter")


def supporter_terms_hold(prefix: str = "") -> Q:
    """A supporter gives a percentage or an amount above the reference price (one, above 0);
    the other tiers neither."""
    percent, amount = f"{prefix}supporter_percent", f"{prefix}supporter_amount"
    as_percent = Q(**{f"{percent}__gt": 0, f"{amount}__isnull": True})
    as_amount = Q(**{f"{amount}__gt": 0, f"{percent}__isnull": True})
    neither = Q(**{f"{percent}__isnull": True, f"{amount}__isnull": True})
    return (Q(tier=Tier.SUPPORTER) & (as_percent | as_amount)) | (~Q(tier=Tier.SUPPORTER) & neither)


class TierChoice(models.Model):
    tier = models.CharField(_("solidarity tier"), max_length=10, choices=Tier.choices)
    supporter_percent = models.DecimalField(
        _("supporter: percentage above the reference price"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(HUNDRED)],
    )
    supporter_amount = models.DecimalField(
        _("supporter: amount above the reference price, per basket (€)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=supporter_terms_hold(), name="%(app_label)s_%(class)s_supporter_terms"
            )
        ]


class SolidarityTier(TierChoice):
    """The tier of a subscription; its fund is the one its pickup point draws on."""

    subscription = models.OneToOneField(
        "baskets.Subscription",
        on_delete=models.CASCADE,
        related_name="solidarity_tier",
        verbose_name=_("subscription"),
    )
    since = models.DateTimeField(_("since"), default=timezone.now)

    class Meta(TierChoice.Meta):
        verbose_name = _("solidarity tier of a subscription")
        verbose_name_plural = _("solidarity tiers of subscriptions")

    def __str__(self):
        return f"{self.subscription} ({self.get_tier_display()})"


class MemberTier(TierChoice):
    """A member's tier for à la carte: the reduced price on products marked as eligible, paid
    by ``fund``."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="solidarity_tier",
        verbose_name=_("member"),
    )
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="member_tiers", verbose_name=_("fund")
    )
    since = models.DateTimeField(_("since"), default=timezone.now)

    class Meta(TierChoice.Meta):
        verbose_name = _("solidarity tier of a member (à la carte)")
        verbose_name_plural = _("solidarity tiers of members (à la carte)")

    def __str__(self):
        return f"{self.member} ({self.get_tier_display()})"


class RequestState(models.TextChoices):
    PENDING = "pending", _("waiting for a coordinator")
    WAITING = "waiting", _("on the waiting list")
    APPROVED = "approved", pgettext_lazy("tier request", "approved")
    REFUSED = "refused", pgettext_lazy("tier request", "refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("tier request", "withdrawn")


OPEN_REQUEST_STATES = (RequestState.PENDING, RequestState.WAITING)


class TierRequest(TierChoice):
    """A member asking for a tier on a subscription (or, without one, for à la carte). A
    reduced-tier request carries the member's short declaration."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="solidarity_requests",
        verbose_name=_("member"),
    )
    subscription = models.ForeignKey(
        "baskets.Subscription",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="solidarity_requests",
        verbose_name=_("subscription"),
        help_text=_("Empty: for à la carte."),
    )
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="requests", verbose_name=_("fund")
    )
    declaration = models.CharField(_("declaration"), max_length=500, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=RequestState.choices, default=RequestState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    answer = models.CharField(_("answer to the member"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("solidarity tier request")
        verbose_name_plural = _("solidarity tier requests")
        constraints = [
            models.CheckConstraint(
                condition=supporter_terms_hold(), name="solidarity_request_supporter_terms"
            ),
            models.CheckConstraint(
                condition=Q(tier=Tier.SUPPORTER) | (Q(tier=Tier.REDUCED) & ~Q(declaration="")),
                name="solidarity_request_reduced_declared",
            ),
            models.UniqueConstraint(
                fields=["member", "subscription"],
                condition=Q(state__in=["pending", "waiting"], subscription__isnull=False),
                name="one_open_solidarity_request_per_subscription",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state__in=["pending", "waiting"], subscription__isnull=True),
                name="one_open_solidarity_request_a_la_carte",
            ),
        ]
        indexes = [models.Index(fields=["fund", "state"], name="solidarity_request_fund_state")]

    def __str__(self):
        return f"{self.member} → {self.get_tier_display()} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_REQUEST_STATES
