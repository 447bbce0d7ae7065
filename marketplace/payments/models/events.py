"""Stripe's webhooks as they arrived: each event stored once (by Stripe's id, however often it is
delivered) and applied once (``applied_at``), whatever the order they come in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StripeEvent(models.Model):
    """One event Stripe sent us, its signature verified (``services.webhooks``). Never edited
    but for ``applied_at``, set in the transaction that applied it."""

    event_id = models.CharField(_("Stripe event"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100)
    object_id = models.CharField(
        _("Stripe object"), max_length=255, blank=True, help_text=_("Such as the payment's id.")
    )
    created = models.DateTimeField(_("sent by Stripe at"))
    received_at = models.DateTimeField(_("received at"))
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    payload = models.JSONField(_("event's object"), default=dict)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        indexes = [models.Index(fields=["object_id", "created"], name="stripe_event_object")]

    def __str__(self):
        return f"{self.type} {self.event_id}"
