"""Emails to people on a contract's waiting list."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from baskets.models import Subscription


def notify_waiting_list(offered: list[Subscription], lapsed: list[Subscription]) -> int:
    """A place offered, with the deadline to accept; an offer that lapsed. Returns emails sent."""
    messages = [_message("place_offered", sub) for sub in offered if sub.member.email]
    messages += [_message("offer_lapsed", sub) for sub in lapsed if sub.member.email]
    if messages:
        send_mass_mail(messages, fail_silently=False)
    return len(messages)


def _message(template: str, subscription: Subscription) -> tuple:
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
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"baskets/email/{template}_subject.txt", context)
        body = render_to_string(f"baskets/email/{template}_body.txt", context)
    return (subject.strip(), body, settings.DEFAULT_FROM_EMAIL, [subscription.member.email])
