"""Which person's pickup lists a phone may show without signal.

The service worker (templates/deliveries/pickup_list_sw.js) keeps each list a volunteer opens
in a cache named after a random key. The key lives in the session and is mirrored in a cookie
that the service worker can read offline (it cannot read the session cookie, which is
HttpOnly). The server never trusts that cookie: it only tells the service worker which cache
belongs to whoever is signed in on this phone now.

Signing out, another person signing in and an expired session all give a session without the
key: the middleware then deletes the cookie on that very response, so an offline reload finds
no cache for the new person and the previous person's list is not shown.
"""

import secrets

from django.conf import settings

COOKIE_NAME = "pickup_list_offline"
SESSION_KEY = "pickup_list_offline_key"
RESPONSE_HEADER = "X-Pickup-List-Key"
# On a state the worker answered from its copy: the page then knows it is offline.
SAVED_HEADER = "X-Pickup-List-Saved"


def offline_key(request) -> str:
    """This session's key, made on the first list the person opens."""
    key = request.session.get(SESSION_KEY)
    if not key:
        key = secrets.token_urlsafe(18)
        request.session[SESSION_KEY] = key
    return key


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
    """Deletes the offline-list cookie as soon as the session no longer holds its key."""

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
        return response
