"""A subscription's payment plan: its instalments, made once from the season's deliveries."""

from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baskets.models import HOLDING_STATES, Subscription
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.gateway import stripe_enabled
from marketplace.payments.member_prices import member_price_per_delivery
from marketplace.payments.models import (
    ONLINE_METHODS,
    EntryKind,
    Instalment,
    LedgerEntry,
    PaymentPlan,
    SubscriptionPayment,
)
from marketplace.payments.selectors.schedules import (
    due_dates,
    plan_fits,
    season_deliveries,
)
from marketplace.payments.selectors.terms import terms_of

CENT = Decimal("0.01")


def split_amount(total: Decimal, parts: int) -> list[Decimal]:
    """``total`` in ``parts`` amounts to the cent that add up to it, the cents left over on the
    first: 100.00 in 3 is 33.34 + 33.33 + 33.33."""
    base = (total / parts).quantize(CENT, rounding=ROUND_DOWN)
    return [total - base * (parts - 1)] + [base] * (parts - 1)


@transaction.atomic
def schedule_subscription_payments(
    subscription: Subscription,
    plan: str,
    method: str,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> SubscriptionPayment:
    """Set how a subscription is paid: its instalments over the season at the member's price
    (``member_prices``: the reference price unless their solidarity tier or a round's pledge
    says otherwise), each recorded as due in the ledger. Idempotent: called again with the same plan it changes nothing (a new method is
    taken, the instalments stay); another plan is refused once one is set."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("contract__plan__producer", "pickup_point")
        .get(pk=subscription.pk)
    )
    existing = SubscriptionPayment.objects.filter(subscription=subscription).first()
    if existing is not None:
        if existing.plan != plan:
            raise PaymentRefused(
                _("This subscription's payment plan is chosen (%(plan)s): it cannot change.")
                % {"plan": existing.get_plan_display()}
            )
        if existing.method != method:
            _check_method(subscription, method)
            existing.method = method
            existing.save(update_fields=["method"])
        return existing

    if subscription.state not in HOLDING_STATES:
        raise PaymentRefused(_("A payment plan is chosen once the subscription has its place."))
    terms = terms_of(subscription.contract)
    if plan not in PaymentPlan.values or not terms.allows(plan):
        raise PaymentRefused(_("This contract does not offer this payment plan."))
    _check_method(subscription, method)
    deliveries = season_deliveries(subscription)
    if not deliveries:
        raise PaymentRefused(_("No delivery of this season is left to pay for."))
    if not plan_fits(plan, deliveries, today):
        raise PaymentRefused(
            _("This season is too short for this payment plan: %(plan)s.")
            % {"plan": PaymentPlan(plan).label}
        )

    dates = due_dates(plan, deliveries, today)
    total = member_price_per_delivery(subscription, today) * len(deliveries)
    if total < CENT * len(dates):
        raise PaymentRefused(_("This amount is too small to be split this way."))
    payment = SubscriptionPayment.objects.create(
        subscription=subscription,
        plan=plan,
        method=method,
        total=total,
        deliveries=len(deliveries),
        created_at=now,
    )
    instalments = Instalment.objects.bulk_create(
        Instalment(payment=payment, number=number, due_on=due_on, amount=amount)
        for number, (due_on, amount) in enumerate(
            zip(dates, split_amount(total, len(dates)), strict=True), start=1
        )
    )
    if not all(instalment.pk for instalment in instalments):  # backends that return no ids
        instalments = list(payment.instalments.order_by("number"))
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            created_at=now,
            kind=EntryKind.DUE,
            amount=instalment.amount,
            member=subscription.member,
            producer=subscription.contract.plan.producer,
            subscription=subscription,
            instalment=instalment,
        )
        for instalment in instalments
    )
    return payment


def _check_method(subscription: Subscription, method: str) -> None:
    terms = terms_of(subscription.contract)
    if not terms.accepts(method):
        raise PaymentRefused(_("This contract does not accept this payment method."))
    if method in ONLINE_METHODS and not stripe_enabled():
        raise PaymentRefused(_("Online payment is not available: choose another method."))
