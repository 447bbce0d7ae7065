"""A member's card or IBAN saved on Stripe for their instalments: their Stripe customer, made
once, and the method a confirmed SetupIntent saved, kept on the subscription's payment (with
the SEPA mandate they accepted)."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baskets.models import Subscription
from marketplace.payments import gateway
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.models import (
    ONLINE_METHODS,
    InstalmentState,
    PaymentMethod,
    StripeCustomer,
    SubscriptionPayment,
)
from marketplace.payments.selectors.terms import terms_of


def customer_key(member) -> str:
    """The idempotency key of the member's Stripe customer: two requests creating it at once
    make one customer."""
    return f"member-{member.pk}-customer"


def customer_of(member, *, now: datetime | None = None) -> str:
    """The member's Stripe customer id, created on Stripe the first time (outside any
    transaction: nothing is locked while Stripe answers)."""
    existing = StripeCustomer.objects.filter(member=member).values_list("customer_id", flat=True)
    if existing:
        return existing[0]
    customer_id = gateway.create_customer(
        email=member.email,
        name=member.get_full_name(),
        idempotency_key=customer_key(member),
        metadata={"member": str(member.pk)},
    )
    try:
        with transaction.atomic():
            StripeCustomer.objects.create(
                member=member, customer_id=customer_id, created_at=now or timezone.now()
            )
    except IntegrityError:  # a concurrent request recorded it first (the same customer)
        return StripeCustomer.objects.get(member=member).customer_id
    return customer_id


def start_saving_method(
    subscription: Subscription, method_type: str, *, now: datetime | None = None
) -> gateway.Setup:
    """A SetupIntent for the member to save a card or an IBAN for this subscription's
    instalments; the browser confirms it (Stripe.js) with its ``client_secret``. A SEPA
    mandate names the producer as its creditor."""
    if method_type not in ONLINE_METHODS:
        raise PaymentRefused(_("Choose a card or a SEPA direct debit."))
    now = now or timezone.now()
    account = getattr(subscription.contract.plan.producer, "stripe_account", None)
    if account is None or not account.ready:
        raise PaymentRefused(_("This producer does not take online payments yet."))
    return gateway.create_setup_intent(
        customer_id=customer_of(subscription.member, now=now),
        method_type=method_type,
        producer_account=account.account_id,
        idempotency_key=f"subscription-{subscription.pk}-setup-{method_type}-{now:%Y%m%dT%H%M%S%f}",
        metadata={"subscription": str(subscription.pk)},
    )


def save_subscription_method(
    subscription: Subscription,
    setup_intent_id: str,
    *,
    mandate_text: str = "",
    mandate: gateway.MandateAcceptance | None = None,
    now: datetime | None = None,
) -> SubscriptionPayment:
    """Records the card or IBAN a confirmed SetupIntent saved as the way the subscription's
    instalments are charged (and its method becomes card or SEPA debit). A SEPA debit keeps the
    mandate text the member accepted, when, from where and with what. Instalments that failed
    are tried again at the next run, with this method. Idempotent."""
    now = now or timezone.now()
    customer = StripeCustomer.objects.filter(member_id=subscription.member_id).first()
    setup = gateway.retrieve_setup_intent(setup_intent_id)
    if customer is None or setup.customer_id != customer.customer_id:
        raise PaymentRefused(_("This card or account was saved for someone else."))
    if not setup.is_done:
        raise PaymentRefused(_("Your card or account is not saved yet: confirm it first."))
    saved = gateway.retrieve_payment_method(setup.payment_method_id)
    if saved.type not in ONLINE_METHODS:
        raise PaymentRefused(_("Choose a card or a SEPA direct debit."))
    if saved.type == PaymentMethod.SEPA_DEBIT and (mandate is None or not mandate_text.strip()):
        raise PaymentRefused(_("A direct debit needs the mandate you accepted."))
    return _keep_method(subscription, setup, saved, mandate_text, mandate, now)


@transaction.atomic
def _keep_method(subscription, setup, saved, mandate_text, mandate, now) -> SubscriptionPayment:
    payment = (
        SubscriptionPayment.objects.select_for_update(of=("self",))
        .select_related("subscription__contract")
        .filter(subscription=subscription)
        .first()
    )
    if payment is None:
        raise PaymentRefused(_("Choose how this subscription is paid first (its payment plan)."))
    if not terms_of(payment.subscription.contract).accepts(saved.type):
        raise PaymentRefused(_("This contract does not accept this payment method."))
    if payment.setup_intent_id == setup.id:
        return payment
    is_debit = saved.type == PaymentMethod.SEPA_DEBIT
    payment.method = saved.type
    payment.saved_method_id = saved.id
    payment.saved_method_type = saved.type
    payment.saved_method_last4 = saved.last4
    payment.saved_method_brand = saved.brand
    payment.setup_intent_id = setup.id
    payment.saved_method_at = now
    payment.mandate_text = mandate_text.strip() if is_debit else ""
    payment.mandate_accepted_at = mandate.accepted_at if is_debit else None
    payment.mandate_ip_address = (mandate.ip_address or None) if is_debit else None
    payment.mandate_user_agent = mandate.user_agent[:400] if is_debit else ""
    payment.save()
    payment.instalments.filter(state=InstalmentState.FAILED).update(
        next_attempt_on=timezone.localdate(now)
    )
    return payment
