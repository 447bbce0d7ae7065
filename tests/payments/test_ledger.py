"""The ledger is written once: an entry is never changed nor deleted; a correction is a new
entry."""

from decimal import Decimal

import pytest

from marketplace.payments.errors import LedgerIsWrittenOnce
from marketplace.payments.models import EntryKind, LedgerEntry, PaymentMethod, PaymentPlan
from marketplace.payments.selectors import subscription_account
from marketplace.payments.services import schedule_subscription_payments
from tests.payments.world import NOW, TODAY, point_on_tuesdays, subscription_to

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]


@pytest.fixture
def entry(db):
    subscription = subscription_to(point_on_tuesdays())
    schedule_subscription_payments(
        subscription, PaymentPlan.WHOLE_SEASON, PaymentMethod.CHEQUE, today=TODAY
    )
    return LedgerEntry.objects.get()


def test_an_entry_cannot_be_changed(entry):
    entry.amount = Decimal("1.00")

    with pytest.raises(LedgerIsWrittenOnce):
        entry.save()
    with pytest.raises(LedgerIsWrittenOnce):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))

    assert LedgerEntry.objects.get().amount == Decimal("156.00")


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(LedgerIsWrittenOnce):
        entry.delete()
    with pytest.raises(LedgerIsWrittenOnce):
        LedgerEntry.objects.filter(pk=entry.pk).delete()

    assert LedgerEntry.objects.count() == 1


def test_a_correction_is_a_new_entry(entry):
    LedgerEntry.objects.create(
        created_at=NOW,
        kind=EntryKind.CORRECTION,
        amount=Decimal("-12.00"),
        member=entry.member,
        producer=entry.producer,
        subscription=entry.subscription,
        note="Panier non livré le 8 décembre",
    )

    assert LedgerEntry.objects.count() == 2
    assert subscription_account(entry.subscription).outstanding == Decimal("144.00")
