from producers.selectors import producer_of


def site_roles(request):
    """What the navigation needs to know about the person: are they a producer?"""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_producer": False}
    # A callable: the query runs only on pages whose template asks.
    return {"is_producer": lambda: producer_of(user) is not None}
