"""Who may do what with payments: the pages ask here."""

from baskets.models import Subscription
from producers.selectors import producer_of

HAND_OVER_PERMISSION = "payments.hand_over_payments"


def is_treasurer(user) -> bool:
    """Hands cheques and cash over to producers, sees every overdue instalment: staff, and
    whoever holds the permission."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.has_perm(HAND_OVER_PERMISSION))
    )


def may_record_for_subscription(user, subscription: Subscription) -> bool:
    """The contract's coordinators (référents), the treasurer and staff record its members'
    payments."""
    if not (user.is_authenticated and user.is_active):
        return False
    return is_treasurer(user) or subscription.contract.coordinators.filter(pk=user.pk).exists()


def may_record_for_order(user, order) -> bool:
    """The coordinators of the pickup point where the order is collected, the treasurer and
    staff."""
    if not (user.is_authenticated and user.is_active):
        return False
    if is_treasurer(user):
        return True
    pickup = getattr(order, "pickup", None)
    return (
        pickup is not None
        and pickup.distribution_day.pickup_point.coordinators.filter(pk=user.pk).exists()
    )


def may_see_statements_of(user, producer) -> bool:
    """A producer's statements: the producer's own people, the treasurer and staff."""
    if not (user.is_authenticated and user.is_active):
        return False
    if is_treasurer(user):
        return True
    own = producer_of(user)
    return own is not None and own.pk == producer.pk


def may_manage_stripe_account_of(user, producer) -> bool:
    """Opening and following a producer's Stripe account: the producer's own people and staff
    (not the treasurer: it is the producer's bank account)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    own = producer_of(user)
    return own is not None and own.pk == producer.pk
