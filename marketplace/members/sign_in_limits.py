"""How many wrong passwords a sign-in may take (django-axes, settings AXES_*).

Failures are counted per account (``AXES_FAILURE_LIMIT``, 5) and per address
(``SIGN_IN_ADDRESS_FAILURE_LIMIT``, 30), over the cool-off (15 minutes) after the last one.
Axes has one limit for every count; an AMAP's wifi is shared by many members, so the address
gets a higher one: its count is scaled to the account's limit before axes compares them.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from oscar.apps.customer.utils import normalise_email


def attempted_email(request, credentials: dict | None = None) -> str | None:
    """The account a sign-in tried, written one way (Oscar signs in whatever the case of the
    address): "Anne@Example.org" and "anne@example.org" count as one account."""
    if credentials:
        email = credentials.get("username") or credentials.get("email")
    else:
        data = getattr(request, "POST", {})
        email = data.get("login-username") or data.get("username")
    if not email:
        return None
    return normalise_email(str(email).strip()).lower()


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per account and a higher one per address."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        by_account = _failures(recent.filter(username=attempted_email(request, credentials)))
        by_address = _failures(recent.filter(ip_address=request.axes_ip_address))
        # The address locks when its count reaches its own limit: floor(n × a / b) >= a
        # exactly when n >= b.
        scaled = by_address * settings.AXES_FAILURE_LIMIT // settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
        return max(by_account, scaled)

    def user_logged_in(self, sender, request, user, **kwargs):
        """A member who signs in clears their account's failures, not their address's: an
        attacker with an account of their own cannot wipe the count of their guesses. (Axes'
        own reset would look for the username, which is not the address we count by.)"""
        super().user_logged_in(sender, request, user, **kwargs)
        email = attempted_email(request, {"username": user.email})
        if email:
            AccessAttempt.objects.filter(username=email).delete()


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
