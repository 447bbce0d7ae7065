"""Which person's pickup lists a phone may show without signal.

The service worker (templates/deliveries/pickup_list_sw.js) keeps each list a volunteer opens
in a cache named after a random key. The key lives in the session and is mirrored in a cookie
that the service worker can read offline (it cannot read the session cookie, which is
HttpOnly). The server never trusts that cookie: it only tells the service worker which cache
belongs to whoever is signed in on this phone now.

Signing out, another person signing in and an expired session all give a session without the
key: the middleware then deletes the cookie on that very response, so an offline reload finds
no cache for the new person and the previous person's list is not shown. The same when the
person's access changes (a shift withdrawn, refused or approved, a point no longer coordinated):
the key was made for the access they had (``access_fingerprint``), so a list they may no longer
read is not shown from the phone's copy either.
"""

import hashlib
import secrets

from django.conf import settings

from deliveries.distribution.models import VolunteerShift
from deliveries.network.models import PickupPoint

COOKIE_NAME = "pickup_list_offline"
SESSION_KEY = "pickup_list_offline_key"
ACCESS_KEY = "pickup_list_offline_access"
RESPONSE_HEADER = "X-Pickup-List-Key"
# On a state the worker answered from its copy: the page then knows it is offline.
SAVED_HEADER = "X-Pickup-List-Saved"


def offline_key(request) -> str:
    """This session's key, made on the first list the person opens, and again once their
    access to pickup lists has changed."""
    key = request.session.get(SESSION_KEY)
    access = access_fingerprint(request.user)
    if not key or request.session.get(ACCESS_KEY) != access:
        key = secrets.token_urlsafe(18)
        request.session[SESSION_KEY] = key
        request.session[ACCESS_KEY] = access
    return key


def access_fingerprint(user) -> str:
    """What pickup lists the person may read, as a short digest: staff, the points they
    coordinate, their approved shifts. Two queries."""
    if not user.is_authenticated:
        return ""
    points = PickupPoint.objects.filter(coordinators=user).order_by("pk")
    shifts = VolunteerShift.objects.filter(volunteer=user, approved_at__isnull=False)
    access = (
        user.pk,
        user.is_staff,
        list(points.values_list("pk", flat=True)),
        list(shifts.order_by("pk").values_list("pk", flat=True)),
    )
    return hashlib.sha256(repr(access).encode()).hexdigest()[:16]


def remember_offline_key(request, response, key: str) -> None:
    """Hand the key to the phone: the cookie for offline reloads, a header for the worker."""
    response[RESPONSE_HEADER] = key
    if request.COOKIES.get(COOKIE_NAME) != key:
        response.set_cookie(
            COOKIE_NAME,
            key,
            max_age=settings.SESSION_COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=False,  # read by the service worker (cookieStore), never by the server
            samesite="Lax",
        )


class OfflinePickupListMiddleware:
    """Deletes the offline-list cookie as soon as the session no longer holds its key, or the
    key was made for an access the person no longer has."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cookie = request.COOKIES.get(COOKIE_NAME)
        # The session is read only on phones that have opened a list (they carry the cookie).
        if cookie and response.cookies.get(COOKIE_NAME) is None:
            session = getattr(request, "session", None)
            if session is None or session.get(SESSION_KEY) != cookie:
                response.delete_cookie(COOKIE_NAME, samesite="Lax")
            elif session.get(ACCESS_KEY) != access_fingerprint(request.user):
                session.pop(SESSION_KEY, None)
                response.delete_cookie(COOKIE_NAME, samesite="Lax")
        return response
