"""The "Mes paniers" page kept short on a phone: coming deliveries by month, the next few open
and later months folded; and what an action did, told next to what was tapped.

A member's action redirects to an anchor of the page (a delivery, a subscription, the baskets
taken); its message carries that anchor as an extra tag, and the page shows it there instead of
at the top, thousands of pixels above. A message whose place is no longer on the page (a
subscription just left) stays at the top.
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib import messages
from django.contrib.messages.storage.base import Message

NEXT_FEW = 3  # the months holding the next three deliveries are shown unfolded
ANCHOR_TAG = "anchor-"


def anchor_tag(anchor: str) -> str:
    """The extra tag that sends an action's message to the page's element of that id."""
    return f"{ANCHOR_TAG}{anchor}"


def tell_member_near(request, level: int, text: str, anchor: str) -> None:
    """Queue a message for the next page, to be shown next to the element ``anchor``."""
    messages.add_message(request, level, text, extra_tags=anchor_tag(anchor))


def _anchor_of(message: Message) -> str | None:
    for tag in (message.extra_tags or "").split():
        if tag.startswith(ANCHOR_TAG):
            return tag.removeprefix(ANCHOR_TAG)
    return None


def place_messages(request, anchors: set[str]) -> tuple[dict[str, list[Message]], list[Message]]:
    """The request's messages, each by the anchor it belongs to when the page has it; the
    others (no anchor, or one the page no longer shows) in a list for the top of the page."""
    placed: dict[str, list[Message]] = {}
    elsewhere: list[Message] = []
    for message in messages.get_messages(request):
        anchor = _anchor_of(message)
        if anchor in anchors:
            placed.setdefault(anchor, []).append(message)
        else:
            if anchor is not None:  # its tag would only make a stray CSS class at the top
                message.extra_tags = " ".join(
                    tag for tag in message.extra_tags.split() if not tag.startswith(ANCHOR_TAG)
                )
            elsewhere.append(message)
    return placed, elsewhere


@dataclass
class MonthOfDeliveries:
    starts_on: date  # the first delivery's date: the template writes its month and year
    deliveries: list = field(default_factory=list)
    is_open: bool = False


def deliveries_by_month(
    deliveries: list, open_anchors: set[str] = frozenset()
) -> list[MonthOfDeliveries]:
    """The coming deliveries (in date order) in months; a month is open when it holds one of
    the next few deliveries, or one whose anchor is in ``open_anchors`` (just acted on)."""
    months: list[MonthOfDeliveries] = []
    for position, delivery in enumerate(deliveries):
        day = delivery.day.date
        if not months or (months[-1].starts_on.year, months[-1].starts_on.month) != (
            day.year,
            day.month,
        ):
            months.append(MonthOfDeliveries(starts_on=day))
        month = months[-1]
        month.deliveries.append(delivery)
        if position < NEXT_FEW or getattr(delivery, "anchor", None) in open_anchors:
            month.is_open = True
    return months
