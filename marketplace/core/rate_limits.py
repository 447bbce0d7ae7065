"""How often one visitor may do something costly, counted in the cache.

Fixed windows: at most ``limit`` times in each window of ``seconds`` (a visitor may get up to
twice the limit across the turn of a window, which is fine for protecting a service, not for
counting money). Shared by every web process when the cache is Redis; with each process's
local memory the limit holds per process. When the cache cannot count (Redis down), the
visitor is let through: what the limit protects has its own timeout.
"""

import hashlib

from django.core.cache import cache
from django.utils import timezone


def allow(action: str, visitor: str | None, *, limit: int, seconds: int) -> bool:
    """Count one ``action`` for ``visitor`` (an address, an account id) and say whether it is
    within the limit. A refused attempt counts too, so hammering does not open the gate."""
    window = int(timezone.now().timestamp()) // seconds
    who = hashlib.sha1((visitor or "unknown").encode()).hexdigest()[:20]
    key = f"rate:{action}:{who}:{window}"
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls: a new window
        cache.add(key, 1, seconds)
        count = 1
    return count <= limit
