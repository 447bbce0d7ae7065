"""The field our payment records repeat: a link to what a payment or an entry is about, when it
is about that."""

from django.db import models


def optional_link(to, related_name: str, verbose_name, *, on_delete=models.PROTECT):
    """A foreign key that may be empty; kept (PROTECT) while something points at it, unless
    ``on_delete`` says otherwise."""
    return models.ForeignKey(
        to,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
    )
