"""A member's account: per contract and per order, what was due, what was paid, what is left;
the overdue list; who may do what."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deliveries.models import PickupOrder
from marketplace.checkout.services import place_order_for_day
from marketplace.payments.models import InstalmentState, PaymentMethod, PaymentPlan
from marketplace.payments.selectors import (
    is_treasurer,
    may_record_for_order,
    may_record_for_subscription,
    member_accounts,
    overdue_instalments,
)
from marketplace.payments.services import (
    PaymentDetails,
    record_manual_payment,
    schedule_subscription_payments,
)
from marketplace.shop_setup import ensure_shop_basics
from tests.factories import DistributionDayFactory, UserFactory, product_for
from tests.payments.world import NOW, TODAY, point_on_tuesdays, ten_tuesdays

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]


@pytest.fixture
def point(db):
    return point_on_tuesdays()


def test_a_members_account_adds_up_their_contracts_and_orders(point, member, producer):
    ensure_shop_basics()
    coordinator = UserFactory()
    subscription = ten_tuesdays(point, price="10.00", member=member)
    schedule_subscription_payments(
        subscription, PaymentPlan.THREE_MONTHLY, PaymentMethod.CHEQUE, today=TODAY
    )
    record_manual_payment(
        PaymentDetails(method=PaymentMethod.CHEQUE, amount="33.34", cheque_number="77"),
        subscription=subscription,
        recorded_by=coordinator,
    )
    eggs = product_for(producer, title="Œufs", price="3.10", stock=20)
    order = place_order_for_day(member, [(eggs, 2)], DistributionDayFactory().pk)
    record_manual_payment(
        PaymentDetails(method=PaymentMethod.CASH, amount="2.00"),
        order=order,
        recorded_by=coordinator,
    )

    with CaptureQueriesContext(connection) as queries:
        accounts = member_accounts(member)
        [contract] = accounts.contracts
        [ordered] = accounts.orders
        states = [instalment.state for instalment in contract.instalments]

    assert len(queries) <= 5
    assert contract.subscription == subscription
    assert (contract.account.due, contract.account.paid, contract.account.outstanding) == (
        Decimal("100.00"),
        Decimal("33.34"),
        Decimal("66.66"),
    )
    assert states == [InstalmentState.PAID, InstalmentState.DUE, InstalmentState.DUE]
    assert ordered.order == order
    assert (ordered.account.due, ordered.account.outstanding) == (Decimal("6.20"), Decimal("4.20"))
    assert accounts.outstanding == Decimal("70.86")
    assert member_accounts(UserFactory()).contracts == []


def test_instalments_past_due_and_unpaid_are_overdue(point, clock):
    coordinator = UserFactory()
    subscription = ten_tuesdays(point, price="10.00")
    subscription.contract.coordinators.add(coordinator)
    schedule_subscription_payments(
        subscription, PaymentPlan.THREE_MONTHLY, PaymentMethod.CHEQUE, today=TODAY
    )
    paid_late = ten_tuesdays(point_on_tuesdays(), price="10.00")
    schedule_subscription_payments(
        paid_late, PaymentPlan.WHOLE_SEASON, PaymentMethod.CASH, today=TODAY
    )
    record_manual_payment(
        PaymentDetails(method=PaymentMethod.CASH, amount="100"),
        subscription=paid_late,
        recorded_by=coordinator,
    )

    assert overdue_instalments(dt.date(2026, 12, 1)) == []
    overdue = overdue_instalments(dt.date(2027, 1, 2))
    assert [(i.payment.subscription, i.number) for i in overdue] == [
        (subscription, 1),
        (subscription, 2),
    ]
    assert overdue_instalments(dt.date(2027, 1, 2), coordinator=coordinator) == overdue
    assert overdue_instalments(dt.date(2027, 1, 2), coordinator=UserFactory()) == []


def test_staff_and_holders_of_the_permission_hand_payments_over():
    member, staff, treasurer = UserFactory(), UserFactory(is_staff=True), UserFactory()
    treasurer.user_permissions.add(Permission.objects.get(codename="hand_over_payments"))
    treasurer = type(treasurer).objects.get(pk=treasurer.pk)  # permissions are cached

    assert is_treasurer(staff) and is_treasurer(treasurer)
    assert not is_treasurer(member)


def test_a_contracts_coordinators_record_its_payments(point):
    subscription = ten_tuesdays(point)
    coordinator, stranger = UserFactory(), UserFactory()
    subscription.contract.coordinators.add(coordinator)

    assert may_record_for_subscription(coordinator, subscription)
    assert may_record_for_subscription(UserFactory(is_staff=True), subscription)
    assert not may_record_for_subscription(stranger, subscription)
    assert not may_record_for_subscription(subscription.member, subscription)


def test_a_pickup_points_coordinators_record_its_orders_payments(producer, member):
    ensure_shop_basics()
    day = DistributionDayFactory()
    coordinator = UserFactory()
    day.pickup_point.coordinators.add(coordinator)
    eggs = product_for(producer, title="Œufs", price="3.10", stock=20)
    order = place_order_for_day(member, [(eggs, 1)], day.pk)
    assert PickupOrder.objects.filter(order=order).exists()

    assert may_record_for_order(coordinator, order)
    assert not may_record_for_order(member, order)
    assert not may_record_for_order(UserFactory(), order)
