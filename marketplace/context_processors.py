from django.core.cache import cache

from producers.selectors import producer_of

ROLE_CACHE_SECONDS = 300


def site_roles(request):
    """What the navigation needs to know about the person: are they a producer?

    Only the menu uses this, so it may lag a few minutes behind a change; the producer space
    checks the person's producer on every request.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_producer": False}

    def is_producer() -> bool:
        return cache.get_or_set(
            f"roles:is-producer:{user.pk}",
            lambda: producer_of(user) is not None,
            ROLE_CACHE_SECONDS,
        )

    # A callable: the lookup runs only on pages whose template asks.
    return {"is_producer": is_producer}
