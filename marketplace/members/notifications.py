"""The emails of signing up and signing in, sent by Celery tasks (marketplace.members.tasks) so
that a page answers as fast whether or not the address it was given has an account."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from oscar.core.loading import get_class

from marketplace.core.emails import compose, send_all
from marketplace.members.services import address_confirmation_tokens, is_awaiting_confirmation

PasswordResetForm = get_class("customer.forms", "PasswordResetForm")


def send_address_confirmation(user_id: int, next_url: str = "") -> int:
    """The link that opens a new account. Nothing if the account is open already (a second
    registration, or a re-run of the task after it was confirmed)."""
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    if user is None or not is_awaiting_confirmation(user):
        return 0
    link = settings.SITE_URL + reverse(
        "members:confirm-address",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": address_confirmation_tokens.make_token(user),
        },
    )
    if next_url and next_url != settings.LOGIN_REDIRECT_URL:
        link += "?" + urlencode({"next": next_url})
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    context = {"user": user, "confirm_url": link, "days": days}
    return send_all([compose("members/email/confirm_address", context, [user.email])])


def warn_of_registration_attempt(user_id: int) -> int:
    """Someone registered with the address of an account that exists: its owner hears of it,
    with the ways in, instead of the person registering being told the address is taken."""
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    context = {
        "user": user,
        "login_url": settings.SITE_URL + reverse("customer:login"),
        "reset_url": settings.SITE_URL + reverse("password-reset"),
    }
    return send_all([compose("members/email/registration_attempt", context, [user.email])])


def send_password_reset(email: str) -> int:
    """Oscar's password reset email to each active account of ``email`` (none: nothing)."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(form.cleaned_data["email"]))
    form.save(request=None)
    return len(users)
