class BasketError(Exception):
    """Something about a basket subscription that cannot be done; the message is for the
    person who asked."""


class SubscriptionRefused(BasketError):
    pass


class AbsenceRefused(BasketError):
    pass


class NotYourSubscription(BasketError):
    pass


class TransferRefused(BasketError):
    pass


class PlaceRefused(BasketError):
    """Accepting or declining a place offered from the waiting list."""


class CompositionRefused(BasketError):
    pass


class ChoiceRefused(BasketError):
    """A variable contract's choice of products that cannot be taken."""


class CoHoldingRefused(BasketError):
    """Inviting a co-holder, answering an invitation, ending a sharing."""


class NotBroughtRefused(BasketError):
    """Recording that a producer could not bring a contract's baskets on a day."""
