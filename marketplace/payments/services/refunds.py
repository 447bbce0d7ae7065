"""Money given back by hand: when a subscription's dues went down below what its member paid
(a day cancelled, a commitment ended early: services/adjustments.py), a coordinator gives the
difference back in cash, by cheque or by transfer, and records it here. What the member paid by
card or SEPA debit goes back through Stripe on its own (services/online_refunds.py): it is not
theirs to give back by hand."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from baskets.models import Subscription
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.models import EntryKind, LedgerEntry, ManualMethod
from marketplace.payments.selectors.refunds import refund_split
from marketplace.payments.services.manual import checked_amount


@transaction.atomic
def record_manual_refund(
    subscription: Subscription,
    *,
    method: str,
    amount: Decimal | str,
    recorded_by,
    note: str = "",
    now: datetime | None = None,
) -> LedgerEntry:
    """A "refunded" ledger entry for money handed back to the member; never more than their
    account says is theirs to get back, less what goes back to their card or account."""
    now = now or timezone.now()
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("contract__plan__producer", "member")
        .get(pk=subscription.pk)
    )
    if method not in ManualMethod.values:
        raise PaymentRefused(_("Choose cheque, cash, bank transfer or local currency."))
    amount = checked_amount(amount)
    to_give_back = refund_split(subscription).by_hand
    if amount > to_give_back:
        if to_give_back <= 0:
            raise PaymentRefused(_("Nothing is to be given back on this subscription."))
        raise PaymentRefused(
            _("This is more than what is to be given back (%(amount)s €).")
            % {"amount": number_format(to_give_back, 2)}
        )
    return LedgerEntry.objects.create(
        created_at=now,
        kind=EntryKind.REFUNDED,
        amount=amount,
        method=method,
        member=subscription.member,
        producer=subscription.contract.plan.producer,
        subscription=subscription,
        note=(note or "").strip(),
        recorded_by=recorded_by,
    )
