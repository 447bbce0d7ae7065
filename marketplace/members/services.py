"""What happens to a member's own details: registering (an account opens once its address is
confirmed), the details given then or when asked, and the one time an account without a name
is asked for it."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from marketplace.core.tasks import queue_on_commit
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


class AddressConfirmationTokens(PasswordResetTokenGenerator):
    """The link that confirms a new account's address: dead once the account is open, once its
    password changes, and after PASSWORD_RESET_TIMEOUT (3 days)."""

    key_salt = "marketplace.members.address_confirmation"

    def _make_hash_value(self, user, timestamp) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


address_confirmation_tokens = AddressConfirmationTokens()


def is_awaiting_confirmation(user) -> bool:
    """Registered, and the address never confirmed: no one has used the account yet."""
    return not user.is_active and user.last_login is None


@transaction.atomic
def register_member(
    *, email: str, password: str, first_name: str, last_name: str, phone: str = "", next_url=""
) -> None:
    """Someone registers: an account opens once the address is confirmed by the link we email
    to it. When the address has an account already, its owner is told instead. The person
    registering sees the same page either way, after about the same work (hashing the
    password), so registration does not tell who has an account."""
    User = get_user_model()
    existing = User._default_manager.filter(email__iexact=email).order_by("pk").first()
    if existing is not None and not is_awaiting_confirmation(existing):
        make_password(password)
        queue_on_commit("marketplace.members.tasks.warn_of_registration_attempt", existing.pk)
        return
    # A new account, or one that was never confirmed: the latest registration is the one the
    # link confirms (the mailbox's owner decides), earlier links die with the old password.
    user = existing or User(email=email, is_active=False)
    if hasattr(user, "username") and not user.username:
        user.username = get_random_string(30)  # Oscar signs in by email; Django wants one
    user.set_password(password)
    user.save()
    save_member_details(user, first_name=first_name, last_name=last_name, phone=phone)
    queue_on_commit("marketplace.members.tasks.send_address_confirmation", user.pk, next_url)


@transaction.atomic
def confirm_address(user) -> None:
    """The owner of the address followed the link: the account opens."""
    user.is_active = True
    user.save(update_fields=["is_active"])
