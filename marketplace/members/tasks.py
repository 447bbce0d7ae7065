"""Celery entry points of the members' emails (marketplace.members.notifications)."""

from celery import shared_task


@shared_task(acks_late=True)
def send_address_confirmation(user_id: int, next_url: str = "") -> int:
    from marketplace.members.notifications import send_address_confirmation as send

    return send(user_id, next_url)


@shared_task(acks_late=True)
def warn_of_registration_attempt(user_id: int) -> int:
    from marketplace.members.notifications import warn_of_registration_attempt as warn

    return warn(user_id)


@shared_task(acks_late=True)
def send_password_reset(email: str) -> int:
    from marketplace.members.notifications import send_password_reset as send

    return send(email)
