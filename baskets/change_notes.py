"""What members and coordinators are told about when a change to a subscription applies: a
change never reaches a day whose baskets the producer has already prepared (its change
deadline has passed), so a new holder's first basket, or a leaving holder's last ones, are
named in the message that confirms it."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from baskets.models import ContractPickupPoint, Subscription
from baskets.selectors.contracts import first_basket
from baskets.services.capacity import baskets_left
from baskets.services.endings import baskets_kept
from baskets.services.subscriptions import waiting_position


def _days(dates: list[date]) -> str:
    return ", ".join(date_format(day, "l j F") for day in dates)


def first_basket_note(subscription: Subscription) -> str:
    """``Your first basket: Tuesday 8 December.``, and the days already prepared when the
    member took the place, if the season had one left."""
    start = first_basket(subscription)
    if start.on is None:
        return ""
    note = _("Your first basket: %(date)s.") % {"date": date_format(start.on, "l j F")}
    if start.already_prepared:
        note += " " + ngettext(
            "The basket of %(days)s was already prepared before you joined.",
            "The baskets of %(days)s were already prepared before you joined.",
            len(start.already_prepared) * subscription.quantity,
        ) % {"days": _days(start.already_prepared)}
    return note


def kept_baskets_note(subscription: Subscription, *, yours: bool) -> str:
    """The baskets of a holder who stops that were already prepared and remain to collect,
    said to the member (``yours``) or to a coordinator."""
    kept = [day.date for day in baskets_kept(subscription)]
    if not kept:
        return ""
    values = {"last": date_format(kept[-1], "l j F"), "days": _days(kept)}
    baskets = len(kept) * subscription.quantity
    if yours:
        return (
            ngettext(
                "It ends after the distribution of %(last)s: the basket of %(days)s is "
                "already prepared and remains yours to collect.",
                "It ends after the distribution of %(last)s: the baskets of %(days)s are "
                "already prepared and remain yours to collect.",
                baskets,
            )
            % values
        )
    return (
        ngettext(
            "It ends after the distribution of %(last)s: the basket of %(days)s is already "
            "prepared and remains theirs to collect.",
            "It ends after the distribution of %(last)s: the baskets of %(days)s are already "
            "prepared and remain theirs to collect.",
            baskets,
        )
        % values
    )


def waiting_list_note(subscription: Subscription) -> str:
    """Why a member who just signed up is on the waiting list: the contract is full at their
    point, or fewer baskets are left than they asked for."""
    position = waiting_position(subscription)
    place = ContractPickupPoint.objects.get(
        contract_id=subscription.contract_id, pickup_point_id=subscription.pickup_point_id
    )
    left = baskets_left([place])[place.pk]
    if not left:
        return _(
            "The contract is full at %(point)s: you are number %(n)s on the waiting "
            "list. We will email you when a place frees up."
        ) % {"point": subscription.pickup_point.name, "n": position}
    return ngettext(
        "Only %(left)s basket is left at %(point)s, fewer than the %(quantity)s you asked "
        "for: you are number %(n)s on the waiting list, and we will email you when enough "
        "places free up. To take the basket left now, leave the waiting list on your baskets "
        "page and subscribe for fewer.",
        "Only %(left)s baskets are left at %(point)s, fewer than the %(quantity)s you asked "
        "for: you are number %(n)s on the waiting list, and we will email you when enough "
        "places free up. To take the baskets left now, leave the waiting list on your "
        "baskets page and subscribe for fewer.",
        left,
    ) % {
        "left": left,
        "point": subscription.pickup_point.name,
        "quantity": subscription.quantity,
        "n": position,
    }
