"""A member paying a season by card or SEPA debit, as sign-up sets it up against localstripe:
what the tests of the nightly charges build on."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from marketplace.payments import gateway
from marketplace.payments.models import (
    ContractPaymentTerms,
    PaymentMethod,
    PaymentPlan,
    ProducerAccount,
)
from marketplace.payments.services import schedule_subscription_payments
from marketplace.payments.services.saved_methods import (
    save_subscription_method,
    start_saving_method,
)
from marketplace.payments.tasks import charge_due_instalments as charge_task
from tests.clock import PARIS
from tests.payments.world import TODAY, ten_tuesdays

# Three monthly instalments of a 100.00 € season: 33.34 on 1 December 2026, then 33.33 on
# 1 January and 1 February 2027.
DEC_1 = dt.date(2026, 12, 1)
FIRST = Decimal("33.34")
MANDATE = (
    "By signing this mandate form, you authorise the producer to send instructions to your bank "
    "to debit your account."
)
PAYING, DECLINED_WHEN_CHARGED, NEEDS_3DS = (
    "4242424242424242",
    "4000000000000341",
    "4000002500003155",
)
GOOD_IBAN, REFUSED_IBAN = "DE89370400440532013000", "DE62370400440532013001"


def morning_of(day: dt.date, hour: int = 6) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS)


def online_subscription(
    localstripe, point, *, card=PAYING, iban=None, member=None, plan=PaymentPlan.THREE_MONTHLY
):
    """A member paying a season of 100.00 € (10 Tuesdays at 10.00) in 3 monthly instalments (or
    another ``plan``) with a card (or an IBAN) saved as sign-up saves it, for a producer with a
    connected account."""
    subscription = ten_tuesdays(point, price="10.00", member=member)
    contract = subscription.contract
    ContractPaymentTerms.objects.create(contract=contract, methods=["card", "sepa_debit", "cheque"])
    producer = contract.plan.producer
    ProducerAccount.objects.create(producer=producer, account_id=f"acct_farm{producer.pk}")
    method = PaymentMethod.SEPA_DEBIT if iban else PaymentMethod.CARD
    schedule_subscription_payments(subscription, plan, method, today=TODAY)
    setup = start_saving_method(subscription, method)
    mandate = gateway.MandateAcceptance("192.0.2.10", "Firefox", timezone.now()) if iban else None
    # What Stripe.js does in the member's browser: the card or IBAN typed in, confirmed.
    confirmed = gateway.confirm_setup_intent(
        setup.id,
        payment_method_id=localstripe.iban(iban) if iban else localstripe.card(card),
        mandate=mandate,
    )
    if confirmed.status == "requires_action":  # the bank's 3-D Secure, answered
        localstripe.client.v1.setup_intents.confirm(setup.id)
    save_subscription_method(
        subscription, setup.id, mandate_text=MANDATE if iban else "", mandate=mandate
    )
    return subscription


def first_instalment(subscription):
    return subscription.payment.instalments.get(number=1)


def payment_intents_sent(localstripe):
    return localstripe.sent("POST", "/v1/payment_intents")


def run_task(django_capture_on_commit_callbacks):
    """The nightly charge task, run as the worker runs it (after the commit)."""
    with django_capture_on_commit_callbacks(execute=True):
        charge_task.delay()
