"""Members' subscriptions to a season, their absences, and the household invited to share one."""

from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from baskets.models.plans import Contract


class SubscriptionState(models.TextChoices):
    WAITING = "waiting", _("on the waiting list")
    ACTIVE = "active", _("active")
    PAUSED = "paused", _("paused")
    ENDED = "ended", _("ended")
    CANCELLED = "cancelled", _("cancelled")


HOLDING_STATES = (SubscriptionState.ACTIVE, SubscriptionState.PAUSED)


class Sharing(models.TextChoices):
    ALONE = "alone", _("not shared")
    ALTERNATE = "alternate", _("in turns, one delivery each")
    SPLIT = "split", _("split each basket")


class Subscription(models.Model):
    """A member's commitment to a contract at a pickup point."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("contract")
    )
    pickup_point = models.ForeignKey(
        "deliveries.PickupPoint",
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("pickup point"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("member"),
    )
    co_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shared_subscriptions",
        verbose_name=_("co-holder"),
    )
    sharing = models.CharField(
        _("sharing"), max_length=10, choices=Sharing.choices, default=Sharing.ALONE
    )
    quantity = models.PositiveSmallIntegerField(
        _("baskets per delivery"), default=1, validators=[MinValueValidator(1)]
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=SubscriptionState.choices,
        default=SubscriptionState.ACTIVE,
    )
    agreed_at = models.DateTimeField(_("terms agreed at"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    offer_expires_at = models.DateTimeField(
        _("place offered until"), null=True, blank=True, help_text=_("waiting list")
    )
    # A change never reaches a day whose baskets the producer has already prepared (its change
    # deadline has passed): a holder's baskets start, and stop, at the next open day.
    first_delivery_on = models.DateField(
        _("first delivery on or after"),
        null=True,
        blank=True,
        help_text=_("Set when the place is taken: the first day still open for changes."),
    )
    last_delivery_on = models.DateField(
        _("last delivery on or before"),
        null=True,
        blank=True,
        help_text=_("Set when the commitment ends: the last day already prepared."),
    )
    end_notified_at = models.DateTimeField(_("told of its end at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "member"],
                condition=~Q(state__in=["cancelled", "ended"]),
                name="one_live_subscription_per_member_and_contract",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="subscription_quantity"),
        ]
        indexes = [
            models.Index(
                fields=["contract", "pickup_point", "state"], name="subscription_place_state"
            )
        ]

    def __str__(self):
        return f"{self.member} – {self.contract}"

    def delivers_on(self, day: date) -> bool:
        """Whether a delivery date of its contract falls within the days this subscription
        holds (from when its place was taken to when it ended)."""
        if self.first_delivery_on is not None and day < self.first_delivery_on:
            return False
        return self.last_delivery_on is None or day <= self.last_delivery_on


class AbsenceKind(models.TextChoices):
    SKIP = "skip", _("skipped delivery")
    PAUSE = "pause", _("pause")


class Absence(models.Model):
    """Dates a member does not collect: one skipped delivery (first day = last day) or a pause."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="absences"
    )
    kind = models.CharField(
        _("kind"), max_length=5, choices=AbsenceKind.choices, default=AbsenceKind.SKIP
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="absence_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.subscription}: {self.starts_on} – {self.ends_on}"


class CoHoldingState(models.TextChoices):
    INVITED = "invited", _("invited")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    ENDED = "ended", _("ended")


# An invitation waiting for its answer, or a sharing running: one at a time per subscription.
LIVE_CO_HOLDING_STATES = (CoHoldingState.INVITED, CoHoldingState.ACCEPTED)


class CoHolding(models.Model):
    """A holder's invitation to share a subscription with another household, and the sharing
    that follows once they accept. Until then nothing of the invitee is shown to anyone but the
    address the holder typed, to the holder; ``Subscription.co_holder`` is set on acceptance
    only, and cleared when the sharing ends."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="co_holdings"
    )
    email = models.EmailField(_("invited email"))
    sharing = models.CharField(_("sharing"), max_length=10, choices=Sharing.choices)
    # The secret of the link emailed to the invitee: whoever opens it answers the invitation.
    token = models.CharField(max_length=64, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=CoHoldingState.choices, default=CoHoldingState.INVITED
    )
    invited_at = models.DateTimeField(_("invited at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    co_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="co_holdings",
        verbose_name=_("co-holder"),
    )
    # Ending waits for the days already prepared: the last of them is still shared.
    shared_until = models.DateField(_("shared until"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-invited_at", "-pk"]
        verbose_name = _("co-holding")
        verbose_name_plural = _("co-holdings")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription"],
                condition=Q(state__in=["invited", "accepted"]),
                name="one_live_co_holding_per_subscription",
            ),
        ]

    def __str__(self):
        return f"{self.subscription} + {self.email} ({self.state})"
