"""A producer's connected Stripe account, opened from their space: made once on Stripe, its id
kept (``ProducerAccount``), then filled in by the producer on Stripe's onboarding."""

from django.db import IntegrityError, transaction

from marketplace.payments import gateway
from marketplace.payments.models import ProducerAccount
from producers.models import Producer


def account_key(producer: Producer) -> str:
    """The idempotency key of the producer's account: two clicks at once make one account."""
    return f"producer-{producer.pk}-connected-account"


def contact_email_of(producer: Producer) -> str:
    """Where Stripe writes to the producer: the farm's contact address, else its first user's."""
    if producer.contact_email:
        return producer.contact_email
    user = producer.partner.users.exclude(email="").order_by("pk").first()
    return user.email if user is not None else ""


def account_of(producer: Producer) -> str:
    """The producer's connected account id, opened on Stripe the first time (outside any
    transaction: nothing is locked while Stripe answers); an account entered in the admin is
    kept as it is."""
    existing = ProducerAccount.objects.filter(producer=producer).values_list(
        "account_id", flat=True
    )
    if existing:
        return existing[0]
    account_id = gateway.create_connected_account(
        email=contact_email_of(producer),
        idempotency_key=account_key(producer),
        metadata={"producer": str(producer.pk), "producer_slug": producer.slug},
    )
    try:
        with transaction.atomic():
            ProducerAccount.objects.create(producer=producer, account_id=account_id, ready=False)
    except IntegrityError:  # a concurrent request recorded it first (the same account)
        return ProducerAccount.objects.get(producer=producer).account_id
    return account_id


def start_onboarding(producer: Producer, *, refresh_url: str, return_url: str) -> str:
    """The address of Stripe's onboarding for the producer's account (opened if need be)."""
    return gateway.create_onboarding_link(
        account_of(producer), refresh_url=refresh_url, return_url=return_url
    )


def note_account_state(account_id: str, account: gateway.ConnectedAccount) -> None:
    """What Stripe said of the account: ready to take payments, or not (yet, or any more).
    Members are offered card and debit for the producer only while it is."""
    ProducerAccount.objects.filter(account_id=account_id).exclude(ready=account.is_ready).update(
        ready=account.is_ready
    )
