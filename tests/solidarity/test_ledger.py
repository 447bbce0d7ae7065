"""A fund's ledger: donations, grants and corrections recorded by its coordinators, written
once, and its balance at any date."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from marketplace.payments.errors import LedgerIsWrittenOnce
from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.models import FundEntry, FundEntryKind
from marketplace.solidarity.selectors import entries_by_kind, fund_balance
from marketplace.solidarity.services import create_fund, record_fund_entry, write_fund_entry
from tests.factories import PickupPointFactory, UserFactory
from tests.payments.world import NOW, TODAY
from tests.solidarity.world import SETTINGS, said

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]

NOV_2, NOV_10, NOV_20 = (dt.date(2026, 11, d) for d in (2, 10, 20))


def test_a_coordinator_records_a_donation_and_a_grant(fund, coordinator):
    donation = record_fund_entry(
        coordinator, fund, FundEntryKind.DONATION, "150,00", note="Kermesse de l'école"
    )
    grant = record_fund_entry(coordinator, fund, FundEntryKind.GRANT, "500", on=NOV_2)

    assert (donation.amount, donation.on, donation.recorded_by) == (
        Decimal("150.00"),
        TODAY,
        coordinator,
    )
    assert donation.note == "Kermesse de l'école"
    assert (grant.amount, grant.on) == (Decimal("500.00"), NOV_2)
    assert fund_balance(fund, TODAY) == Decimal("650.00")


@pytest.mark.parametrize(
    ("kind", "amount", "says"),
    [
        (FundEntryKind.DONATION, "0", "The amount must be above zero."),
        (FundEntryKind.GRANT, "-20", "The amount must be above zero."),
        (FundEntryKind.CORRECTION, "0.00", "A correction is an amount above or below zero."),
        (FundEntryKind.DONATION, "douze", "Enter an amount in euros, such as 12.50."),
        (FundEntryKind.DONATION, "12.345", "Enter the amount to the cent, such as 12.50."),
        (FundEntryKind.DONATION, "1e12", "This amount is too large."),
        (FundEntryKind.REDUCTION, "-5", "Choose a donation, a grant or a correction."),
        (FundEntryKind.CONTRIBUTION, "5", "Choose a donation, a grant or a correction."),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_saved(fund, coordinator, kind, amount, says):
    with pytest.raises(SolidarityRefused) as refused:
        record_fund_entry(coordinator, fund, kind, amount)

    assert said(refused, says)
    assert not FundEntry.objects.exists()


def test_an_entry_is_not_dated_later_than_today(fund, coordinator):
    with pytest.raises(SolidarityRefused) as refused:
        record_fund_entry(
            coordinator, fund, FundEntryKind.DONATION, "10", on=TODAY + dt.timedelta(days=1)
        )

    assert said(refused, "An entry cannot be dated later than today.")
    assert not FundEntry.objects.exists()


def test_only_the_funds_coordinators_and_staff_record_entries(fund, staff, member):
    elsewhere = UserFactory()
    PickupPointFactory().coordinators.add(elsewhere)

    for outsider in (member, elsewhere):
        with pytest.raises(SolidarityRefused) as refused:
            record_fund_entry(outsider, fund, FundEntryKind.DONATION, "10")
        assert said(
            refused, "Only the coordinators of the fund's pickup points may record its entries."
        )
    assert not FundEntry.objects.exists()

    record_fund_entry(staff, fund, FundEntryKind.GRANT, "1000")
    assert fund_balance(fund, TODAY) == Decimal("1000.00")


def test_an_entry_is_written_once(fund, coordinator):
    entry = record_fund_entry(coordinator, fund, FundEntryKind.DONATION, "80")
    entry.amount = Decimal("8.00")

    with pytest.raises(LedgerIsWrittenOnce):
        entry.save()
    with pytest.raises(LedgerIsWrittenOnce):
        entry.delete()
    with pytest.raises(LedgerIsWrittenOnce):
        FundEntry.objects.filter(pk=entry.pk).update(amount=Decimal("8.00"))
    with pytest.raises(LedgerIsWrittenOnce):
        FundEntry.objects.filter(pk=entry.pk).delete()

    assert FundEntry.objects.get().amount == Decimal("80.00")


def test_a_mistake_is_corrected_by_a_new_entry(fund, coordinator):
    record_fund_entry(coordinator, fund, FundEntryKind.DONATION, "80")
    record_fund_entry(
        coordinator, fund, FundEntryKind.CORRECTION, "-72", note="80 € saisis au lieu de 8 €"
    )

    assert FundEntry.objects.count() == 2
    assert fund_balance(fund, TODAY) == Decimal("8.00")


def test_the_sign_of_an_entry_follows_its_kind_in_the_database(fund):
    with pytest.raises(IntegrityError), transaction.atomic():
        write_fund_entry(fund, FundEntryKind.REDUCTION, Decimal("3.60"), on=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        write_fund_entry(fund, FundEntryKind.CONTRIBUTION, Decimal("-1.20"), on=TODAY)


def test_the_balance_at_a_date_counts_the_entries_up_to_that_date(
    fund, coordinator, subscription, member
):
    record_fund_entry(coordinator, fund, FundEntryKind.GRANT, "300", on=NOV_2)
    write_fund_entry(
        fund,
        FundEntryKind.CONTRIBUTION,
        Decimal("1.20"),
        on=NOV_10,
        subscription=subscription,
        member=member,
    )
    write_fund_entry(
        fund,
        FundEntryKind.REDUCTION,
        Decimal("-3.60"),
        on=NOV_10,
        subscription=subscription,
        producer=subscription.contract.plan.producer,
    )
    record_fund_entry(coordinator, fund, FundEntryKind.CORRECTION, "-50", on=NOV_20)

    assert fund_balance(fund, dt.date(2026, 11, 1)) == Decimal("0.00")
    assert fund_balance(fund, NOV_2) == Decimal("300.00")
    assert fund_balance(fund, NOV_10) == Decimal("297.60")
    assert fund_balance(fund, NOV_20) == Decimal("247.60")
    assert fund_balance(fund, TODAY) == Decimal("247.60")


def test_entries_by_kind_over_a_period(fund, coordinator, django_assert_num_queries):
    record_fund_entry(coordinator, fund, FundEntryKind.DONATION, "20", on=NOV_2)
    record_fund_entry(coordinator, fund, FundEntryKind.DONATION, "30", on=NOV_10)
    record_fund_entry(coordinator, fund, FundEntryKind.GRANT, "400", on=NOV_20)
    write_fund_entry(fund, FundEntryKind.REDUCTION, Decimal("-3.60"), on=NOV_10)

    with django_assert_num_queries(1):
        totals = entries_by_kind(fund, NOV_10, NOV_20)

    assert {kind: (t.count, t.amount) for kind, t in totals.items()} == {
        "contribution": (0, Decimal("0.00")),
        "donation": (1, Decimal("30.00")),
        "grant": (0, Decimal("0.00")),
        "reduction": (1, Decimal("-3.60")),
        "correction": (0, Decimal("0.00")),
    }


def test_another_funds_entries_are_not_counted(fund, coordinator, staff):
    other = create_fund(staff, SETTINGS, [])
    record_fund_entry(staff, other, FundEntryKind.GRANT, "999")
    record_fund_entry(coordinator, fund, FundEntryKind.DONATION, "10")

    assert fund_balance(fund, TODAY) == Decimal("10.00")
    assert fund_balance(other, TODAY) == Decimal("999.00")
