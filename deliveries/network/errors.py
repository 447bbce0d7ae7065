class DeliveriesError(Exception):
    """Something about pickup points or distribution days that cannot be done; the message is
    for the person who asked."""


class DayNotOpenForOrders(DeliveriesError):
    pass


class TooLateToCancel(DeliveriesError):
    pass


class HandoverRefused(DeliveriesError):
    """A tick or a day's closing on the pickup list that cannot be taken."""


class ShiftRefused(DeliveriesError):
    """Signing up for a volunteer shift, or withdrawing from one, that cannot be done."""


class DayCancellationRefused(DeliveriesError):
    """A coordinator's cancellation of a distribution day that cannot be done."""
