"""Production settings: the defaults hardened. Every value still comes from the environment."""

import os
from urllib.parse import urlsplit

from csp.constants import NONE, SELF

from marketplace.settings import *  # noqa: F403
from marketplace.settings import env_bool

DEBUG = False
if SECRET_KEY.startswith("insecure-"):  # noqa: F405
    raise RuntimeError("Set SECRET_KEY to a long random value in production.")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
WHITENOISE_USE_FINDERS = False
# Static files under hashed names, compressed by collectstatic: WhiteNoise serves them gzipped and
# cacheable for a year (a second visit loads none). A new dict: the defaults' stays as it was.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Pages compressed too (the catalogue: 4 KB instead of 28). After WhiteNoise, which answers
# static files compressed already; Django pads compressed responses against BREACH.
MIDDLEWARE = list(MIDDLEWARE)  # noqa: F405
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "django.middleware.gzip.GZipMiddleware",
)


def origin_of(url: str) -> list[str]:
    """The host a URL setting points at, as a CSP source (``https://tile.example.org``); none
    for a URL on the site itself. Leaflet's ``{s}`` subdomain placeholder becomes ``*``."""
    parts = urlsplit(url or "")
    if not parts.scheme or not parts.netloc:
        return []
    return [f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"]


# What a page may load and run (issue 14): scripts and styles from the site's own files only, no
# inline script, no style attribute (our templates use classes; Oscar's dashboard and the Django
# admin are relaxed in marketplace/core/security_headers.py); images from the site, data: URIs
# (Bootstrap's form icons) and the map's tile server (MAP_TILE_URL).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *origin_of(MAP_TILE_URL), *origin_of(MEDIA_URL)],  # noqa: F405
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# The features no page uses, refused; the finder's "use my position" asks for the position
# (payment stays off until the site takes payments).
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "payment": [],
    "usb": [],
    "geolocation": ["self"],
}
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "marketplace.core.security_headers.ContentSecurityPolicyMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("marketplace.core.security_headers.ContentSecurityPolicyMiddleware") + 1,
    "marketplace.core.security_headers.PermissionsPolicyMiddleware",
)
