"""The headers that tell a browser what a page may do: its Content-Security-Policy (django-csp,
configured in the production settings) and its Permissions-Policy."""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings

# Staff-only pages we do not render: Oscar's dashboard starts its widgets in inline scripts and
# styles, the Django admin sets a few style attributes. Only there are these allowed.
STAFF_RELAXATIONS = {
    "/dashboard/": {"script-src": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE]},
    "/admin/": {"style-src": [UNSAFE_INLINE]},
}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the staff pages' relaxations."""

    def get_policy_parts(self, request, response, report_only: bool = False):
        parts = super().get_policy_parts(request, response, report_only)
        for prefix, update in STAFF_RELAXATIONS.items():
            if request.path_info.startswith(prefix) and parts.update is None:
                parts.update = update
        return parts


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
