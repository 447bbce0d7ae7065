"""Who may do what with a fund, and who may see a member's tier: the services and the pages ask
here.

A fund's coordinators are the coordinators of the pickup points that draw on it (the
référents who record payments at those points, as ``payments.selectors.access`` has it for
orders); staff may do everything. Nobody else sees who is on which tier.
"""

from deliveries.network.models import PickupPoint
from marketplace.solidarity.models import Fund


def _is_active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def coordinates_fund(user, fund: Fund) -> bool:
    """Records the fund's donations and grants, sets its bounds, decides its members' requests
    and sees their tiers."""
    if not _is_active(user):
        return False
    if user.is_staff:
        return True
    return PickupPoint.objects.filter(solidarity_fund_point__fund=fund, coordinators=user).exists()


def coordinates_point(user, point: PickupPoint) -> bool:
    if not _is_active(user):
        return False
    return user.is_staff or point.coordinators.filter(pk=user.pk).exists()


def may_see_tier_of(user, member, fund: Fund) -> bool:
    """A member's tier and requests: the member, the fund's coordinators and staff."""
    if not _is_active(user):
        return False
    return user.pk == member.pk or coordinates_fund(user, fund)


def coordinates_contract(user, contract) -> bool:
    """Opens and closes a contract's contribution rounds: the contract's référents, the
    coordinators of its pickup points, and staff."""
    if not _is_active(user):
        return False
    if user.is_staff or contract.coordinators.filter(pk=user.pk).exists():
        return True
    return PickupPoint.objects.filter(contracts=contract, coordinators=user).exists()
