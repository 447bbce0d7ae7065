"""Buttons with consequences ask first, on a real page that works without JavaScript.

The form that asks posts as it always did; without ``confirm=1`` the view answers with a page
saying what will happen, whose own form posts the same fields again with ``confirm=1`` (sent
by its confirm button only, so another button on that page can post them back for changes)."""

from django.http import QueryDict

CONFIRM = "confirm"


def is_confirmed(post: QueryDict) -> bool:
    return post.get(CONFIRM) == "1"


def resent_fields(post: QueryDict) -> list[tuple[str, str]]:
    """The fields the person sent, to post again from the confirmation page."""
    return [
        (name, value)
        for name, values in post.lists()
        for value in values
        if name not in ("csrfmiddlewaretoken", CONFIRM)
    ]
