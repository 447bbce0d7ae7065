"""The demo's payments: how its households pay their AMAP seasons, and a few cheques and
transfers the coordinator recorded, so that "Mes paiements", the coordinators' and the
treasurer's pages show something true from the start. Made once. With the Stripe keys set (the
demo against localstripe, README "Online payment"), every farm takes card and SEPA debit too."""

from django.db import transaction
from django.utils import timezone

from baskets.models import HOLDING_STATES, Contract, Subscription
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.gateway import stripe_enabled
from marketplace.payments.models import (
    ONLINE_METHODS,
    ContractPaymentTerms,
    PaymentMethod,
    PaymentPlan,
    ProducerAccount,
    SubscriptionPayment,
)
from marketplace.payments.models.terms import manual_methods
from marketplace.payments.services import (
    PaymentDetails,
    record_manual_payment,
    schedule_subscription_payments,
)

# By turns: how each household pays (the first one is the demo member's first subscription).
HOUSEHOLD_PLANS = [
    (PaymentPlan.THREE_MONTHLY, PaymentMethod.CHEQUE),
    (PaymentPlan.TEN_MONTHLY, PaymentMethod.TRANSFER),
    (PaymentPlan.WHOLE_SEASON, PaymentMethod.CHEQUE),
    (PaymentPlan.PER_DELIVERY, PaymentMethod.CASH),
]


def ensure_demo_payments(first_member, coordinator) -> int:
    """Payment plans for the demo's subscriptions (but one of the first member's, left for
    them to choose), the first instalment of every other household paid. Returns how many
    plans were set."""
    subscriptions = list(
        Subscription.objects.filter(state__in=HOLDING_STATES)
        .select_related("contract__plan__producer", "member")
        .order_by("pk")
    )
    if not subscriptions or SubscriptionPayment.objects.exists():
        return 0
    mine = [sub for sub in subscriptions if sub.member_id == first_member.pk]
    left_to_choose = mine[-1:] if len(mine) > 1 else []
    today = timezone.localdate()
    made = 0
    with transaction.atomic():
        for index, subscription in enumerate(
            sub for sub in subscriptions if sub not in left_to_choose
        ):
            plan, method = HOUSEHOLD_PLANS[index % len(HOUSEHOLD_PLANS)]
            try:
                payment = schedule_subscription_payments(subscription, plan, method, today=today)
            except PaymentRefused:  # a season too short for this plan, or nothing left to pay
                continue
            made += 1
            if index % 2 == 0:
                first = payment.instalments.order_by("number").first()
                cheque = method == PaymentMethod.CHEQUE
                record_manual_payment(
                    PaymentDetails(
                        method=method,
                        amount=first.amount,
                        cheque_number=f"{3100000 + index}" if cheque else "",
                        bank="Crédit Coopératif" if cheque else "",
                    ),
                    recorded_by=coordinator,
                    instalment=first,
                )
    return made


def demo_account_id(producer) -> str:
    """A farm's connected account in the demo: localstripe's proxy answers an account it did not
    open as one whose onboarding is done."""
    return f"acct_demo_{producer.slug.replace('-', '_')}"


@transaction.atomic
def ensure_demo_online_payment(producers) -> int:
    """With the Stripe keys set: a connected account for each farm that has none, and card and
    SEPA debit accepted by every contract besides the manual methods. Without them, nothing.
    Returns how many accounts were made."""
    if not stripe_enabled():
        return 0
    made = 0
    for producer in producers:
        _, created = ProducerAccount.objects.get_or_create(
            producer=producer, defaults={"account_id": demo_account_id(producer)}
        )
        made += created
    online = [method.value for method in ONLINE_METHODS]
    for contract in Contract.objects.filter(plan__producer__in=producers):
        terms, created = ContractPaymentTerms.objects.get_or_create(
            contract=contract, defaults={"methods": [*online, *manual_methods()]}
        )
        if not created and not set(online) <= set(terms.methods):
            terms.methods = [*online, *(m for m in terms.methods if m not in online)]
            terms.save(update_fields=["methods"])
    return made
