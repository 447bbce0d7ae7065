"""The payment pages: the member's "Mes paiements", a coordinator recording a cheque, the
treasurer handing cheques over in bulk, the overdue list; each for whom it is meant."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from marketplace.checkout.services import place_order_for_day
from marketplace.payments.models import (
    EntryKind,
    InstalmentState,
    LedgerEntry,
    ManualPayment,
    PaymentMethod,
    PaymentPlan,
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


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


@pytest.fixture
def subscription(db, member):
    return ten_tuesdays(point_on_tuesdays(), price="10.00", member=member)


@pytest.fixture
def coordinator(subscription):
    user = UserFactory(first_name="Claire", last_name="Référente")
    subscription.contract.coordinators.add(user)
    return user


def test_a_member_chooses_a_plan_and_sees_what_is_still_due(client, member, subscription):
    client.force_login(member)

    page = client.get(reverse("payments:mine"))
    assert page.status_code == 200
    assert 'value="monthly_3"' in page.content.decode()
    assert 'value="monthly_10"' not in page.content.decode()  # the season is too short

    response = client.post(
        reverse("payments:choose-plan", kwargs={"pk": subscription.pk}),
        {"plan": PaymentPlan.THREE_MONTHLY, "method": PaymentMethod.CHEQUE},
    )
    assert response.status_code == 302
    page = client.get(reverse("payments:mine")).content.decode()
    assert "33,34" in page and "33,33" in page and "100,00" in page
    assert subscription.payment.instalments.count() == 3


def test_a_long_schedule_is_folded_under_the_next_instalment(client, member, subscription):
    schedule_subscription_payments(
        subscription, PaymentPlan.PER_DELIVERY, PaymentMethod.CASH, today=TODAY
    )
    record_manual_payment(
        PaymentDetails(method=PaymentMethod.CASH, amount="10.00"),
        recorded_by=UserFactory(is_staff=True),
        subscription=subscription,
    )
    client.force_login(member)

    page = client.get(reverse("payments:mine")).content.decode()

    assert "Prochaine échéance : 10,00\xa0€ le 8 décembre 2026." in page
    assert "<summary>Les 10 échéances</summary>" in page


def test_nobody_chooses_the_plan_of_someone_elses_subscription(client, subscription):
    client.force_login(UserFactory())

    response = client.post(
        reverse("payments:choose-plan", kwargs={"pk": subscription.pk}),
        {"plan": PaymentPlan.WHOLE_SEASON, "method": PaymentMethod.CHEQUE},
    )

    assert response.status_code == 404
    assert not LedgerEntry.objects.exists()


def test_a_coordinator_records_a_cheque_against_a_subscription(client, subscription, coordinator):
    schedule_subscription_payments(
        subscription, PaymentPlan.THREE_MONTHLY, PaymentMethod.CHEQUE, today=TODAY
    )
    client.force_login(coordinator)
    assert (
        subscription.member.get_full_name()
        in client.get(reverse("payments:coordination")).content.decode()
    )
    url = reverse("payments:record-subscription", kwargs={"pk": subscription.pk})
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "method": PaymentMethod.CHEQUE,
            "amount": "33,34",
            "cheque_number": "4521",
            "bank": "La Banque Postale",
            "cash_on": "2026-12-05",
        },
    )

    assert response.status_code == 302
    cheque = ManualPayment.objects.get()
    assert (cheque.amount, cheque.cheque_number, cheque.cash_on, cheque.recorded_by) == (
        Decimal("33.34"),
        "4521",
        dt.date(2026, 12, 5),
        coordinator,
    )
    assert subscription.payment.instalments.get(number=1).state == InstalmentState.PAID
    assert "66,66" in client.get(url).content.decode()


def test_a_refused_payment_says_why_on_the_page(client, subscription, coordinator):
    schedule_subscription_payments(
        subscription, PaymentPlan.WHOLE_SEASON, PaymentMethod.CHEQUE, today=TODAY
    )
    client.force_login(coordinator)

    response = client.post(
        reverse("payments:record-subscription", kwargs={"pk": subscription.pk}),
        {"method": PaymentMethod.CASH, "amount": "150"},
    )

    assert response.status_code == 400
    assert "100,00" in response.content.decode()
    assert not ManualPayment.objects.exists()


def test_only_the_contracts_coordinators_record_its_payments(client, subscription, member):
    url = reverse("payments:record-subscription", kwargs={"pk": subscription.pk})
    for user in (member, UserFactory()):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"method": "cash", "amount": "10"}).status_code == 404
    assert not ManualPayment.objects.exists()


def test_a_coordinator_records_cash_paid_at_pickup_for_an_order(client, member, producer):
    ensure_shop_basics()
    day = DistributionDayFactory()
    coordinator = UserFactory()
    day.pickup_point.coordinators.add(coordinator)
    eggs = product_for(producer, title="Œufs", price="3.10", stock=20)
    order = place_order_for_day(member, [(eggs, 2)], day.pk)
    client.force_login(coordinator)

    found = client.get(reverse("payments:find-order"), {"number": order.number})
    assert found.status_code == 302
    url = reverse("payments:record-order", kwargs={"number": order.number})
    assert "6,20" in client.get(url).content.decode()
    response = client.post(url, {"producer": producer.pk, "method": "cash", "amount": "6,20"})

    assert response.status_code == 302
    assert ManualPayment.objects.get().order == order
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_the_treasurer_hands_cheques_over_in_bulk(client, subscription, coordinator):
    schedule_subscription_payments(
        subscription, PaymentPlan.PER_DELIVERY, PaymentMethod.CHEQUE, today=TODAY
    )
    cheques = [
        record_manual_payment(
            PaymentDetails(
                method=PaymentMethod.CHEQUE,
                amount="10.00",
                cheque_number=f"000{number}",
                cash_on=dt.date(2026, 12, number),
            ),
            subscription=subscription,
            recorded_by=coordinator,
        )
        for number in (1, 2, 3)
    ]
    treasurer = UserFactory(is_staff=True)
    client.force_login(treasurer)
    page = client.get(reverse("payments:hand-over")).content.decode()
    assert "0001" in page and "0003" in page and "décembre 2026" in page

    response = client.post(
        reverse("payments:hand-over"), {"payments": [cheques[0].pk, cheques[2].pk]}
    )

    assert response.status_code == 302
    assert set(ManualPayment.objects.filter(handed_over_at__isnull=False)) == {
        cheques[0],
        cheques[2],
    }
    assert LedgerEntry.objects.filter(kind=EntryKind.HANDED_OVER).count() == 2


def test_the_treasurers_pages_are_closed_to_others(client, coordinator, member):
    client.force_login(member)
    assert client.get(reverse("payments:hand-over")).status_code == 403
    assert client.post(reverse("payments:hand-over"), {"payments": [1]}).status_code == 403
    assert client.get(reverse("payments:overdue")).status_code == 403
    client.logout()
    assert client.get(reverse("payments:hand-over")).status_code == 302


def test_the_overdue_list_shows_instalments_past_due(client, clock, subscription, coordinator):
    schedule_subscription_payments(
        subscription, PaymentPlan.THREE_MONTHLY, PaymentMethod.CHEQUE, today=TODAY
    )
    clock.now = NOW + dt.timedelta(days=45)  # 7 January 2027
    client.force_login(coordinator)

    page = client.get(reverse("payments:overdue")).content.decode()

    assert subscription.member.email in page
    assert "1 décembre 2026" in page and "1 janvier 2027" in page
    assert "1 février 2027" not in page
    client.force_login(subscription.member)
    mine = client.get(reverse("payments:mine")).content.decode()
    assert mine.count("<strong>late</strong>") + mine.count("<strong>en retard</strong>") == 2
