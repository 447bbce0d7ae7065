"""The headers that tell a browser what a page may do: its Content-Security-Policy (django-csp,
configured in the production settings) and its Permissions-Policy."""

from urllib.parse import urlsplit

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings

# Staff-only pages we do not render: Oscar's dashboard starts its widgets in inline scripts and
# styles, the Django admin sets a few style attributes. Only there are these allowed.
STAFF_RELAXATIONS = {
    "/dashboard/": {"script-src": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE]},
    "/admin/": {"style-src": [UNSAFE_INLINE]},
}


STRIPE_API = "https://api.stripe.com"
# Stripe.js shows 3-D Secure in a frame of this host when the card's bank asks for it.
STRIPE_AUTHENTICATION_FRAMES = "https://hooks.stripe.com"


def stripe_sources() -> dict[str, list[str]]:
    """What Stripe.js needs on a page, while card payment is on (both keys set, as
    ``marketplace.payments.gateway.stripe_enabled``, which the kernel cannot import): its script,
    its frames, and the API it calls (localstripe's fake Stripe.js calls the address it came from).
    """
    if not (settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY):
        return {}
    script = _origin(settings.STRIPE_JS_URL)
    api = _origin(settings.STRIPE_API_BASE) or STRIPE_API
    frames = [SELF, script]
    if api == STRIPE_API:
        frames.append(STRIPE_AUTHENTICATION_FRAMES)
    sources = {"script-src": [script], "connect-src": [api, script], "frame-src": frames}
    return {
        directive: list(dict.fromkeys(filter(None, urls))) for directive, urls in sources.items()
    }


def _origin(url: str) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the staff pages' relaxations and Stripe.js's sources."""

    def get_policy_parts(self, request, response, report_only: bool = False):
        parts = super().get_policy_parts(request, response, report_only)
        if parts.update is None:
            update: dict[str, list[str]] = {}
            for prefix, relaxation in STAFF_RELAXATIONS.items():
                if request.path_info.startswith(prefix):
                    _merge(update, relaxation)
            _merge(update, stripe_sources())
            parts.update = update or None
        return parts


def _merge(update: dict[str, list[str]], more: dict[str, list[str]]) -> None:
    for directive, sources in more.items():
        update.setdefault(directive, [])
        update[directive] += [source for source in sources if source not in update[directive]]


def permissions_policy(features: dict[str, list[str]]) -> str:
    """``{"camera": [], "geolocation": ["self"]}`` → ``camera=(), geolocation=(self)``."""
    return ", ".join(
        f"{feature}=({' '.join(allowed)})" for feature, allowed in sorted(features.items())
    )


class PermissionsPolicyMiddleware:
    """Sends ``settings.PERMISSIONS_POLICY`` (feature → allowed origins) on every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
