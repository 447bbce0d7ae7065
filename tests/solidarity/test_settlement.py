"""The fund's part of each basket: a reduced-tier member's schedule is at the member's price, a
supporter's above it, and each night the difference is settled once per basket delivered, in
both ledgers; the producer's statement shows the full price received."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from baskets.models import BasketDelivery, DeliveryStatus
from baskets.services import generate_basket_deliveries
from marketplace.payments.models import EntryKind, LedgerEntry, PaymentMethod, PaymentPlan
from marketplace.payments.selectors import producer_statement
from marketplace.payments.selectors.accounts import subscription_account
from marketplace.payments.services import schedule_subscription_payments
from marketplace.solidarity import tasks
from marketplace.solidarity.models import FundEntry, FundEntryKind, Tier
from marketplace.solidarity.selectors.funds import fund_balance
from marketplace.solidarity.services import approve_request, ask_for_tier
from marketplace.solidarity.services.settlement import settle_fund_deliveries
from tests.clock import PARIS
from tests.factories import UserFactory
from tests.payments.world import NOW, TODAY, subscription_to

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]

DECEMBER = dt.date(2026, 12, 1)
# The night after the third Tuesday of December (1, 8, 15): three baskets brought.
AFTER_THIRD = dt.datetime(2026, 12, 16, 4, 25, tzinfo=PARIS)
AFTER_DECEMBER = dt.datetime(2027, 1, 2, 4, 25, tzinfo=PARIS)


def reduced(subscription, coordinator):
    request = ask_for_tier(
        subscription.member, Tier.REDUCED, subscription=subscription, declaration="RSA"
    )
    approve_request(coordinator, request)


def scheduled(subscription):
    return schedule_subscription_payments(
        subscription, PaymentPlan.WHOLE_SEASON, PaymentMethod.CHEQUE, today=TODAY, now=NOW
    )


def deliveries_made(point):
    generate_basket_deliveries([point.pk], dt.date(2026, 11, 24), dt.date(2027, 2, 28))


def test_a_reduced_tier_member_pays_less_and_the_producer_receives_the_full_price(
    fund, point, subscription, coordinator
):
    reduced(subscription, coordinator)
    payment = scheduled(subscription)
    # 12.00 a basket at 30 %: 8.40, 13 Tuesdays.
    assert payment.total == Decimal("8.40") * 13
    deliveries_made(point)
    balance = fund_balance(fund, TODAY)

    assert settle_fund_deliveries(now=AFTER_THIRD) == 3
    assert settle_fund_deliveries(now=AFTER_THIRD) == 0  # once per basket

    reductions = FundEntry.objects.filter(fund=fund, kind=FundEntryKind.REDUCTION)
    assert sorted(entry.on.day for entry in reductions) == [1, 8, 15]
    assert {entry.amount for entry in reductions} == {Decimal("-3.60")}
    assert fund_balance(fund, dt.date(2026, 12, 15)) == balance - Decimal("10.80")

    producer = subscription.contract.plan.producer
    statement = producer_statement(producer, DECEMBER, now=AFTER_THIRD)
    assert statement.owed_for_baskets == Decimal("36.00")
    assert statement.from_solidarity_fund == Decimal("10.80")
    # The member's own account: what they owe at their price, the fund's part not in it.
    account = subscription_account(subscription)
    assert (account.due, account.paid) == (Decimal("109.20"), Decimal("0.00"))


def test_a_supporters_part_goes_to_the_fund_and_the_producer_keeps_the_reference_price(
    fund, point, coordinator
):
    supporter = subscription_to(point, member=UserFactory())
    ask_for_tier(supporter.member, Tier.SUPPORTER, subscription=supporter, supporter_price="14.00")
    payment = scheduled(supporter)
    assert payment.total == Decimal("14.00") * 13
    deliveries_made(point)

    assert settle_fund_deliveries(now=AFTER_THIRD) == 3

    contributions = FundEntry.objects.filter(fund=fund, kind=FundEntryKind.CONTRIBUTION)
    assert {entry.amount for entry in contributions} == {Decimal("2.00")}
    statement = producer_statement(supporter.contract.plan.producer, DECEMBER, now=AFTER_THIRD)
    passed_on = [line for line in statement.refunded if line.method == PaymentMethod.SOLIDARITY]
    assert passed_on[0].amount == Decimal("6.00")


def test_baskets_skipped_standard_members_and_plans_not_chosen_are_not_settled(
    fund, point, subscription, coordinator
):
    reduced(subscription, coordinator)
    standard = subscription_to(point, member=UserFactory())
    scheduled(standard)
    deliveries_made(point)
    BasketDelivery.objects.filter(
        subscription=subscription, distribution_day__date=dt.date(2026, 12, 8)
    ).update(status=DeliveryStatus.SKIPPED)

    assert settle_fund_deliveries(now=AFTER_THIRD) == 0  # the reduced member has no plan yet

    scheduled(subscription)
    assert settle_fund_deliveries(now=AFTER_THIRD) == 2  # 1 and 15 December: 8th skipped
    assert not FundEntry.objects.filter(subscription=standard).exists()


def test_the_two_ledgers_reconcile_to_the_cent_and_the_beat_task_is_idempotent(
    fund, point, subscription, coordinator, clock
):
    reduced(subscription, coordinator)
    scheduled(subscription)
    supporter = subscription_to(point, member=UserFactory(), quantity=2)
    ask_for_tier(supporter.member, Tier.SUPPORTER, subscription=supporter, supporter_percent="15")
    scheduled(supporter)
    deliveries_made(point)

    clock.now = AFTER_DECEMBER
    settled = tasks.settle_fund_deliveries()
    assert settled == 10
    assert tasks.settle_fund_deliveries() == 0

    fund_side = sum(
        FundEntry.objects.filter(delivery__isnull=False).values_list("amount", flat=True)
    )
    payments_side = sum(
        LedgerEntry.objects.filter(kind=EntryKind.SOLIDARITY).values_list("amount", flat=True)
    )
    assert fund_side == -payments_side
    # 5 reduced baskets at 3.60 out, 5 deliveries of 2 baskets at 15 % (3.60 each) in.
    assert fund_side == Decimal("0.00")
    reduced_statement = producer_statement(
        subscription.contract.plan.producer, DECEMBER, now=AFTER_DECEMBER
    )
    assert reduced_statement.owed_for_baskets == Decimal("60.00")  # 5 Tuesdays at 12.00
    assert reduced_statement.from_solidarity_fund == Decimal("18.00")
    supporter_statement = producer_statement(
        supporter.contract.plan.producer, DECEMBER, now=AFTER_DECEMBER
    )
    assert supporter_statement.owed_for_baskets == Decimal("120.00")
    assert supporter_statement.refunds == Decimal("18.00")  # passed on to the fund


def test_my_payments_shows_the_members_price_before_they_choose_a_plan(
    client, fund, subscription, coordinator
):
    reduced(subscription, coordinator)
    client.force_login(subscription.member)

    page = client.get(reverse("payments:mine"), HTTP_ACCEPT_LANGUAGE="en")

    text = " ".join(page.content.decode().split())
    assert "You pay €8.40 per delivery." in text or "You pay 8.40 € per delivery." in text
    assert "12.00" in text


def test_a_tier_granted_after_the_plan_reprices_the_season_and_its_instalments(
    fund, point, subscription, coordinator
):
    payment = scheduled(subscription)  # 13 Tuesdays at 12.00, by cheque
    assert payment.total == Decimal("156.00")

    reduced(subscription, coordinator)

    payment.refresh_from_db()
    assert payment.total == Decimal("109.20")  # 13 at 8.40
    assert [row.amount for row in payment.instalments.all()] == [Decimal("109.20")]
    assert subscription_account(subscription).due == Decimal("109.20")
    deliveries_made(point)
    assert settle_fund_deliveries(now=AFTER_THIRD) == 3  # the fund pays the rest of each


def test_a_season_with_baskets_settled_keeps_its_price_until_the_next(fund, point, coordinator):
    supporter = subscription_to(point, member=UserFactory())
    ask_for_tier(supporter.member, Tier.SUPPORTER, subscription=supporter, supporter_price="14.00")
    payment = scheduled(supporter)
    deliveries_made(point)
    settle_fund_deliveries(now=AFTER_THIRD)

    reduced(supporter, coordinator)

    payment.refresh_from_db()
    assert payment.total == Decimal("14.00") * 13
