"""The contribution rounds a member may pledge in, for the pages of other apps (their basket
page): ``{% load solidarity_rounds %}{% rounds_to_pledge as rounds %}``."""

from django import template
from django.utils import timezone

from marketplace.solidarity.selectors.rounds import rounds_to_pledge_in

register = template.Library()


@register.simple_tag(takes_context=True)
def rounds_to_pledge(context) -> list:
    """The open rounds on the contracts the signed-in person holds a place in, each as
    ``(round, their pledge or None)``."""
    request = context.get("request")
    if request is None:
        return []
    return rounds_to_pledge_in(request.user, timezone.now())
