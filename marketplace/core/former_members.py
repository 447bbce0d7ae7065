"""Members who closed their account keep their place in the records (orders, baskets, the
pickup lists and packing lists of past days) under an email address that routes nowhere, and
are named "former member" wherever a name is shown (baskets/people.py, the packing lists)."""

from django.utils.translation import pgettext

# RFC 2606 reserves ".invalid": no mail is ever delivered there.
FORMER_MEMBER_DOMAIN = "former-member.invalid"


def former_member_email(user_id: int) -> str:
    """The unique address that replaces a closed account's email."""
    return f"closed-{user_id}@{FORMER_MEMBER_DOMAIN}"


def is_former_member_email(email: str | None) -> bool:
    return (email or "").endswith("@" + FORMER_MEMBER_DOMAIN)


def former_member_name() -> str:
    return pgettext("person", "former member")
