"""How members are named to other members, volunteers and coordinators (no queries); one who
closed their account is a "former member" (marketplace/core/former_members.py)."""

from marketplace.core.former_members import former_member_name, is_former_member_email


def person_name(user) -> str:
    """How a member appears to other members and volunteers."""
    if user is None:
        return ""
    return display_name(user.first_name, user.last_name, user.email)


def display_name(first_name: str, last_name: str, email: str) -> str:
    if is_former_member_email(email):
        return former_member_name()
    return f"{first_name} {last_name}".strip() or (email or "").split("@")[0]
