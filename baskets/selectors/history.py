"""A member's past baskets and what became of each, as the pickup list recorded it."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baskets.models import BasketDelivery, BasketTransfer, DeliveryStatus, TransferKind
from baskets.selectors.common import person_name


@dataclass
class PastDelivery:
    delivery: BasketDelivery
    outcome: str


def past_deliveries(member, now=None, weeks: int = 4) -> list[PastDelivery]:
    """The member's baskets of the last weeks and what became of each: collected, skipped,
    given away, or, when nobody collected it, the fate the volunteers recorded. Two queries."""
    now = now or timezone.now()
    deliveries = (
        BasketDelivery.objects.filter(
            Q(subscription__member=member) | Q(subscription__co_holder=member),
            distribution_day__starts_at__lt=now,
            distribution_day__starts_at__gte=now - timedelta(weeks=weeks),
        )
        .select_related(
            "distribution_day__pickup_point", "subscription__contract__plan", "handover"
        )
        .order_by("-distribution_day__starts_at", "pk")
    )
    deliveries = list(deliveries)
    transfers = {
        (t.subscription_id, t.distribution_day_id): t
        for t in BasketTransfer.objects.filter(
            subscription_id__in={d.subscription_id for d in deliveries},
            distribution_day_id__in={d.distribution_day_id for d in deliveries},
        ).select_related("claimed_by")
    }
    result = []
    for delivery in deliveries:
        handover = getattr(delivery, "handover", None)
        transfer = transfers.get((delivery.subscription_id, delivery.distribution_day_id))
        point = delivery.distribution_day.pickup_point
        if delivery.status == DeliveryStatus.SKIPPED:
            outcome = _("Skipped")
        elif delivery.status == DeliveryStatus.NOT_BROUGHT:
            outcome = _("Not brought by the producer")
        elif transfer is not None:
            outcome = _given_away_outcome(transfer, handover, point)
        elif handover is not None and handover.collected_at:
            outcome = _("Collected")
        elif handover is not None and handover.fate:
            outcome = _("Not collected: %(fate)s") % {"fate": _fate(handover, point)}
        else:
            outcome = _("Not recorded")
        result.append(PastDelivery(delivery, outcome))
    return result


def _given_away_outcome(transfer: BasketTransfer, handover, point) -> str:
    """What became of a basket its holder gave away, as the pickup list recorded it: collected
    by the person it was given to, or not, and then what the volunteers did with it."""
    if transfer.kind == TransferKind.OFFERED and not transfer.claimed_by_id:
        given = _("Offered to other members, nobody took it")
    else:
        given = _given_to(transfer, point)
    if handover is None or not (handover.collected_at or handover.fate):
        return _("%(given)s (not recorded)") % {"given": given}
    if handover.collected_at:
        return _("%(given)s: collected") % {"given": given}
    if transfer.kind == TransferKind.OFFERED and not transfer.claimed_by_id:
        return _("%(given)s: %(fate)s at the close") % {
            "given": given,
            "fate": _fate(handover, point),
        }
    return _("%(given)s, who did not come: %(fate)s at the close") % {
        "given": given,
        "fate": _fate(handover, point),
    }


def _given_to(transfer: BasketTransfer, point) -> str:
    if transfer.kind == TransferKind.NAMED:
        return _("Given to %(name)s") % {"name": transfer.recipient_name}
    if transfer.kind == TransferKind.FOOD_AID:
        return _("Given to %(partner)s") % {"partner": point.food_aid_partner}
    return _("Taken by %(name)s") % {"name": person_name(transfer.claimed_by)}


def _fate(handover, point) -> str:
    if handover.fate == "food_aid" and point.food_aid_partner:
        return _("given to %(partner)s") % {"partner": point.food_aid_partner}
    if handover.fate_recipient:
        return _("given to %(name)s") % {"name": handover.fate_recipient}
    return handover.get_fate_display()
