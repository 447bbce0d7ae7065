"""A producer could not bring a contract's baskets one day: they (for their own contracts only),
or a coordinator of the contract or of the pickup point, record it once with the reason; the
baskets leave the pickup list and the producer's counts, their holders are emailed once, and the
day is no longer paid for."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from baskets.errors import NotBroughtRefused
from baskets.models import (
    BasketDelivery,
    BasketsNotBrought,
    ContractPickupPoint,
    DeliveryStatus,
    TransferKind,
)
from baskets.selectors import basket_counts
from baskets.selectors.history import past_deliveries
from baskets.services import (
    claim_basket,
    generate_basket_deliveries,
    subscribe,
    transfer_delivery,
)
from baskets.services.not_brought import record_baskets_not_brought
from deliveries.distribution.selectors.pickup_list import pickup_list
from deliveries.network.models import DayState
from marketplace.payments.models import EntryKind, LedgerEntry, PaymentMethod, PaymentPlan
from marketplace.payments.services import schedule_subscription_payments
from tests.baskets.calendar import DEC_8, PARIS_NOW, SIGN_UP_DAY, season
from tests.clock import PARIS
from tests.factories import ProducerFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

REASON = "La grêle a détruit les salades."
AFTER_THE_DAY = dt.datetime(2026, 12, 8, 19, 0, tzinfo=PARIS)


@pytest.fixture
def farmer(db):
    return UserFactory(email="ferme@example.org")


@pytest.fixture
def contract(point, farmer):
    return season(point, plan__producer=ProducerFactory(users=[farmer]))


@pytest.fixture
def place(contract, point):
    return ContractPickupPoint.objects.get(contract=contract, pickup_point=point)


@pytest.fixture
def holders(contract, point):
    """Two households; the first offers its basket of 8 December, the second takes it."""
    giver, taker = UserFactory(email="lea@example.org"), UserFactory(email="hugo@example.org")
    subscriptions = [
        subscribe(member, contract, point, agreed=True, today=SIGN_UP_DAY)
        for member in (giver, taker)
    ]
    day = point.distribution_days.get(date=DEC_8)
    transfer = transfer_delivery(giver, subscriptions[0].pk, day.pk, TransferKind.OFFERED)
    claim_basket(taker, transfer.pk, now=PARIS_NOW + dt.timedelta(days=2))
    generate_basket_deliveries([point.pk], DEC_8, DEC_8)
    return subscriptions


def december_8(point):
    return point.distribution_days.get(date=DEC_8)


def page_url(place):
    return reverse("baskets:not-brought", kwargs={"pk": place.pk})


def test_the_producer_records_it_once_and_the_households_are_told_once(
    client, clock, farmer, place, point, holders, mailoutbox, django_capture_on_commit_callbacks
):
    clock.now = AFTER_THE_DAY
    day = december_8(point)
    client.force_login(farmer)
    sent = {"day": day.pk, "reason": REASON}

    asked = client.post(page_url(place), sent)
    assert not BasketsNotBrought.objects.exists(), "it asks first"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_url(place), {**sent, "confirm": "1"})
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(page_url(place), {**sent, "confirm": "1"})
        record, created = record_baskets_not_brought(farmer, place.pk, day.pk, "Autre chose")

    assert REASON in asked.content.decode()
    assert again.status_code == 302 and not created
    record = BasketsNotBrought.objects.get()
    assert (record.distribution_day, record.reason, record.recorded_by) == (day, REASON, farmer)
    statuses = BasketDelivery.objects.filter(distribution_day=day).values_list("status", flat=True)
    assert set(statuses) == {DeliveryStatus.NOT_BROUGHT}
    assert pickup_list(day).households == []
    assert basket_counts(place.contract.plan.producer, DEC_8, DEC_8) == []
    assert sorted(email.to[0] for email in mailoutbox) == ["hugo@example.org", "lea@example.org"]
    for email in mailoutbox:
        assert REASON in email.body
    taker_email = next(email for email in mailoutbox if email.to == ["hugo@example.org"])
    with translation.override("fr"):
        took = translation.gettext(
            "The basket you had taken for that day was not brought either: there was nothing "
            "to collect for you."
        )
    assert took in taker_email.body


def test_the_members_history_says_the_basket_was_not_brought(clock, farmer, place, point, holders):
    clock.now = AFTER_THE_DAY
    record_baskets_not_brought(farmer, place.pk, december_8(point).pk, REASON)

    (past,) = [
        entry
        for entry in past_deliveries(holders[1].member)
        if entry.delivery.distribution_day.date == DEC_8
    ]
    with translation.override("fr"):
        assert past.outcome == translation.gettext("Not brought by the producer")


def test_the_day_is_no_longer_paid_for(
    clock, farmer, contract, place, point, django_capture_on_commit_callbacks
):
    subscription = subscribe(UserFactory(), contract, point, agreed=True, today=SIGN_UP_DAY)
    schedule_subscription_payments(
        subscription, PaymentPlan.WHOLE_SEASON, PaymentMethod.CHEQUE, today=SIGN_UP_DAY
    )
    clock.now = AFTER_THE_DAY

    with django_capture_on_commit_callbacks(execute=True):
        record_baskets_not_brought(farmer, place.pk, december_8(point).pk, REASON)

    (correction,) = LedgerEntry.objects.filter(kind=EntryKind.CORRECTION)
    assert correction.subscription == subscription
    assert correction.amount == -contract.plan.reference_price


def test_a_coordinator_of_the_point_or_of_the_contract_records_it_too(
    client, clock, contract, place, point
):
    point_coordinator, referent = UserFactory(), UserFactory()
    point.coordinators.add(point_coordinator)
    contract.coordinators.add(referent)
    clock.now = AFTER_THE_DAY

    for user in (point_coordinator, referent):
        client.force_login(user)
        page = client.get(page_url(place))
        assert page.status_code == 200
        assert f'value="{december_8(point).pk}"' in page.content.decode()
    client.post(page_url(place), {"day": december_8(point).pk, "reason": REASON, "confirm": "1"})

    assert BasketsNotBrought.objects.get().recorded_by == referent


def test_another_producer_or_a_member_cannot_record_it(
    client, clock, place, point, holders, other_producer
):
    clock.now = AFTER_THE_DAY
    day = december_8(point)
    intruders = [other_producer.partner.users.get(), holders[0].member]

    for intruder in intruders:
        client.force_login(intruder)
        assert client.get(page_url(place)).status_code == 404
        response = client.post(page_url(place), {"day": day.pk, "reason": REASON, "confirm": "1"})
        assert response.status_code == 404
        with pytest.raises(NotBroughtRefused):
            record_baskets_not_brought(intruder, place.pk, day.pk, REASON)

    assert not BasketsNotBrought.objects.exists()
    assert not BasketDelivery.objects.filter(status=DeliveryStatus.NOT_BROUGHT).exists()


def test_not_before_members_can_no_longer_change_their_baskets(clock, farmer, place, point):
    clock.now = dt.datetime(2026, 12, 6, 17, 0, tzinfo=PARIS)  # 49 hours before

    with pytest.raises(NotBroughtRefused):
        record_baskets_not_brought(farmer, place.pk, december_8(point).pk, REASON)

    clock.now = dt.datetime(2026, 12, 6, 18, 0, tzinfo=PARIS)  # the 48 hours' deadline
    record_baskets_not_brought(farmer, place.pk, december_8(point).pk, REASON)
    assert BasketsNotBrought.objects.exists()


def test_not_without_a_reason_nor_for_a_cancelled_day(clock, farmer, place, point):
    clock.now = AFTER_THE_DAY
    day = december_8(point)

    with pytest.raises(NotBroughtRefused):
        record_baskets_not_brought(farmer, place.pk, day.pk, "  ")
    day.state = DayState.CANCELLED
    day.save(update_fields=["state"])
    with pytest.raises(NotBroughtRefused):
        record_baskets_not_brought(farmer, place.pk, day.pk, REASON)

    assert not BasketsNotBrought.objects.exists()


def test_the_coordination_page_links_to_it(client, farmer, place):
    client.force_login(farmer)

    page = client.get(reverse("baskets:coordination")).content.decode()

    assert page_url(place) in page
