"""What happens to a member's own details: given at registration or when asked, and the one
time an account without a name is asked for it."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from marketplace.members.models import MemberProfile


def has_name(user) -> bool:
    return bool(user.first_name.strip() and user.last_name.strip())


@transaction.atomic
def save_member_details(user, *, first_name: str, last_name: str, phone: str = "") -> None:
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.save(update_fields=["first_name", "last_name"])
    MemberProfile.objects.update_or_create(user=user, defaults={"phone": phone.strip()})


@transaction.atomic
def request_name_once(user, now: datetime | None = None) -> bool:
    """True the first time an account without a name signs in: it is recorded, so the next
    sign-ins go straight on. No query for an account that has a name."""
    if has_name(user):
        return False
    profile, _ = MemberProfile.objects.select_for_update().get_or_create(user=user)
    if profile.name_requested_at is not None:
        return False
    profile.name_requested_at = now or timezone.now()
    profile.save(update_fields=["name_requested_at"])
    return True
