"""What cannot be done on a distribution day; the message is for the person who asked."""

from deliveries.network.errors import DeliveriesError


class HandoverRefused(DeliveriesError):
    """A tick or a day's closing on the pickup list that cannot be taken."""


class ShiftRefused(DeliveriesError):
    """Signing up for a volunteer shift, or withdrawing from one, that cannot be done."""
