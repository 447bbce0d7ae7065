"""For emails, which are rendered outside any request (Celery): the shop's name and absolute
links to the site."""

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def shop_name() -> str:
    return settings.OSCAR_SHOP_NAME


@register.simple_tag
def site_url() -> str:
    return f"{settings.SITE_URL}/"


@register.simple_tag
def full_url(view_name: str, *args, **kwargs) -> str:
    """``{% full_url "deliveries:upcoming-orders" %}``: a page's address, to click in an email."""
    return settings.SITE_URL + reverse(view_name, args=args or None, kwargs=kwargs or None)
