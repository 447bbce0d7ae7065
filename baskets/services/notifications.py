"""Emails about AMAP baskets: a place offered from the waiting list (or lapsed), a basket taken,
a commitment ended."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from baskets.models import Subscription
from marketplace.core.emails import compose, send_all
from marketplace.core.sending import send_once


def notify_waiting_list(offered: list[Subscription], lapsed: list[Subscription]) -> int:
    """A place offered, with the deadline to accept; an offer that lapsed. Each once, even when
    a worker dies mid-send. Returns emails sent."""
    keyed = [
        (f"place-offered:{sub.pk}:{sub.offer_expires_at:%Y%m%dT%H%M%S}", "place_offered", sub)
        for sub in offered
    ]
    keyed += [(f"offer-lapsed:{sub.pk}", "offer_lapsed", sub) for sub in lapsed]
    sent = 0
    for key, template, sub in keyed:
        if not sub.member.email:
            continue
        with send_once(key) as sending:
            if sending:
                send_all([_message(template, sub)])
                sent += 1
    return sent


def _message(template: str, subscription: Subscription) -> EmailMultiAlternatives:
    context = {
        "subscription": subscription,
        "contract": subscription.contract,
        "point": subscription.pickup_point,
        "expires_at": subscription.offer_expires_at
        and timezone.localtime(subscription.offer_expires_at),
        "page_url": settings.SITE_URL + reverse("baskets:mine"),
        "contracts_url": settings.SITE_URL + reverse("baskets:contracts"),
        "shop_name": settings.OSCAR_SHOP_NAME,
    }
    return compose(f"baskets/email/{template}", context, [subscription.member.email])


def notify_basket_taken(transfer_id: int) -> int:
    """A member took an offered basket: they are told what, where, when and for whom, and until
    when they may release it; its holders are told who takes it. Nothing is sent if the basket
    was released or taken back since. Returns the emails sent."""
    from baskets.models import BasketTransfer
    from baskets.people import person_name
    from baskets.services.holding import change_deadline

    transfer = (
        BasketTransfer.objects.filter(pk=transfer_id, claimed_by__isnull=False)
        .select_related(
            "claimed_by",
            "distribution_day__pickup_point",
            "subscription__contract__plan__producer",
            "subscription__member",
            "subscription__co_holder",
        )
        .first()
    )
    if transfer is None:
        return 0
    subscription, day = transfer.subscription, transfer.distribution_day
    context = {
        "plan": subscription.contract.plan,
        "point": day.pickup_point,
        "starts_at": timezone.localtime(day.starts_at),
        "ends_at": timezone.localtime(day.ends_at),
        "deadline": timezone.localtime(change_deadline(subscription, day)),
        "holder": person_name(subscription.member),
        "taker": person_name(transfer.claimed_by),
        "page_url": settings.SITE_URL + reverse("baskets:mine"),
        "shop_name": settings.OSCAR_SHOP_NAME,
    }
    holders = [subscription.member, subscription.co_holder]
    messages = [
        _email("basket_claimed", context, holder.email)
        for holder in holders
        if holder is not None and holder.email
    ]
    if transfer.claimed_by.email:
        messages.insert(0, _email("basket_taken", context, transfer.claimed_by.email))
    claimed_at = timezone.localtime(transfer.claimed_at) if transfer.claimed_at else None
    key = f"basket-taken:{transfer.pk}:{transfer.claimed_by_id}:{claimed_at:%Y%m%dT%H%M%S}"
    with send_once(key) as sending:
        if sending:
            send_all(messages)
    return len(messages) if sending else 0


def _email(template: str, context: dict, email: str) -> EmailMultiAlternatives:
    return compose(f"baskets/email/{template}", context, [email])


def notify_commitment_ended(subscription, kept: list, dropped: list, *, tell_member: bool) -> int:
    """A commitment has ended. Its member, when a coordinator ended it (``tell_member``): from
    when, and the baskets already prepared (``kept``, distribution days) still theirs to
    collect. Each member who had taken one of its baskets on a day still open (``dropped``:
    (member, distribution day) pairs): that basket will not be delivered after all. Returns
    the emails sent."""
    from baskets.people import person_name

    context = {
        "contract": subscription.contract,
        "plan": subscription.contract.plan,
        "point": subscription.pickup_point,
        "holder": person_name(subscription.member),
        "kept": [timezone.localtime(day.starts_at) for day in kept],
        "page_url": settings.SITE_URL + reverse("baskets:mine"),
        "shop_name": settings.OSCAR_SHOP_NAME,
    }
    messages = []
    if tell_member and subscription.member.email:
        messages.append(_email("commitment_ended", context, subscription.member.email))
    for taker, day in dropped:
        if taker.email:
            day_context = {**context, "starts_at": timezone.localtime(day.starts_at)}
            messages.append(_email("taken_basket_dropped", day_context, taker.email))
    send_all(messages)
    return len(messages)


def notify_co_holding(co_holding_id: int, event: str) -> int:
    """An invitation to share a subscription (to the address the holder typed, with the link to
    answer), its answer (to the holder: accepted by whom, or declined), the sharing ended (to
    the other household). Once each. Returns the emails sent."""
    from baskets.models import CoHolding
    from baskets.people import person_name

    co_holding = (
        CoHolding.objects.select_related(
            "subscription__contract__plan__producer",
            "subscription__pickup_point",
            "subscription__member",
            "co_holder",
        )
        .filter(pk=co_holding_id)
        .first()
    )
    if co_holding is None:
        return 0
    subscription = co_holding.subscription
    holder, co_holder = subscription.member, co_holding.co_holder
    context = {
        "plan": subscription.contract.plan,
        "contract": subscription.contract,
        "point": subscription.pickup_point,
        "sharing": co_holding.get_sharing_display(),
        "holder": person_name(holder),
        "co_holder": person_name(co_holder),
        "invited_email": co_holding.email,
        "shared_until": co_holding.shared_until,
        "invitation_url": settings.SITE_URL
        + reverse("baskets:co-holding", kwargs={"token": co_holding.token}),
        "page_url": settings.SITE_URL + reverse("baskets:mine"),
        "shop_name": settings.OSCAR_SHOP_NAME,
    }
    recipients = {
        "invited": ("co_holder_invited", co_holding.email),
        "accepted": ("co_holder_accepted", holder.email),
        "declined": ("co_holder_declined", holder.email),
        "ended_by_holder": ("sharing_ended", co_holder and co_holder.email),
        "ended_by_co_holder": ("sharing_ended", holder.email),
    }
    template, email = recipients[event]
    if not email:
        return 0
    if event.startswith("ended_by"):
        context["ended_by"] = context["holder" if event == "ended_by_holder" else "co_holder"]
    # Each invitation is its own row: one email per row and event, even if a worker dies.
    with send_once(f"co-holding:{co_holding.pk}:{event}") as sending:
        if sending:
            send_all([_email(template, context, email)])
    return 1 if sending else 0
