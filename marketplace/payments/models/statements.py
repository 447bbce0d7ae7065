"""A producer's monthly statement as a PDF, built in the background and kept until its figures
change."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatementFile(models.Model):
    """The PDF of one producer's statement for one month, with the fingerprint of the figures
    and language it was built from (``services.statements.pdf_fingerprint``): when they change,
    it is stale and built again. Kept in the database, not in MEDIA_ROOT: the site serves media to anyone, and a
    statement only to its producer and the treasurer; any worker can build it, any web
    process serve it."""

    producer = models.ForeignKey(
        "producers.Producer",
        on_delete=models.CASCADE,
        related_name="statement_files",
        verbose_name=_("producer"),
    )
    month = models.DateField(_("month"), help_text=_("Its first day."))
    fingerprint = models.CharField(_("figures built from"), max_length=64, blank=True)
    pdf = models.BinaryField(_("PDF"), blank=True, default=b"")
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    # What was last asked for: the page shows "being prepared" until it is built.
    requested_fingerprint = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField(_("asked at"), null=True, blank=True)

    class Meta:
        ordering = ["producer", "-month"]
        verbose_name = _("statement PDF")
        verbose_name_plural = _("statement PDFs")
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "month"], name="one_statement_file_per_producer_and_month"
            ),
        ]

    def __str__(self):
        return f"{self.producer} {self.month:%Y-%m}"

    def is_ready_for(self, fingerprint: str) -> bool:
        return bool(self.built_at) and self.fingerprint == fingerprint

    def is_being_prepared_for(self, fingerprint: str) -> bool:
        return self.requested_fingerprint == fingerprint and not self.is_ready_for(fingerprint)
