class DeliveriesError(Exception):
    """Something about pickup points or distribution days that cannot be done; the message is
    for the person who asked."""


class DayNotOpenForOrders(DeliveriesError):
    pass


class TooLateToCancel(DeliveriesError):
    pass


class DayCancellationRefused(DeliveriesError):
    """A coordinator's cancellation of a distribution day that cannot be done."""
