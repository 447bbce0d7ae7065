"""Every place that shows a distribution's times shows them on the Paris wall clock, on both
sides of a DST change: checkout (the pickup slot, the preview, the thank-you page), the order
(the method name it keeps, its detail page, "Mes retraits"), the confirmation email, the packing
list (email, PDF, CSV), the sign-off sheet (email, PDF, CSV), the pickup list (page and JSON)
and the email telling members a day moved.

Each distribution is on a Tuesday 18:00–19:30 in Paris with orders closing the Saturday before
at 18:00, on the other side of the DST change: in October the cut-off is in summer time (16:00
UTC) and the distribution in winter time (17:00 UTC); in March the other way round. A time
formatted without converting it would read 16:00, 17:00, 17:30 or 18:30."""

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from deliveries.distribution.notifications.calendar import notify_members_of_calendar_changes
from deliveries.distribution.selectors.pickup_list import prepare_handovers
from deliveries.distribution.services.handovers import Tick, record_ticks
from deliveries.distribution.sign_off_sheet import (
    send_sign_off_sheets,
    sign_off_sheet_csv,
    sign_off_sheet_pdf,
)
from deliveries.models import Handover
from marketplace.shop_setup import ensure_shop_basics
from producers.packing import as_csv, as_pdf, build_packing_lists, packing_list_for
from tests.baskets.test_contract_pdf import pdf_text
from tests.factories import DistributionDayFactory, PickupPointFactory, UserFactory, product_for
from tests.ordering import fill_cart

Order = get_model("order", "Order")
PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC

pytestmark = pytest.mark.django_db


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


@dataclass(frozen=True)
class Distribution:
    """A Tuesday distribution whose cut-off is on the other side of a DST change."""

    ordering_at: dt.datetime  # a week before: orders are open
    starts_at: dt.datetime
    ends_at: dt.datetime
    cutoff_at: dt.datetime

    @property
    def utc_times(self) -> set[str]:
        """What the times would read if formatted in UTC: none of them is a Paris time here."""
        moments = (self.starts_at, self.ends_at, self.cutoff_at)
        return {moment.astimezone(UTC).strftime("%H:%M") for moment in moments}


AUTUMN = Distribution(  # summer time ends on Sunday 25 October 2026
    ordering_at=paris(2026, 10, 20, 10, 0),
    starts_at=paris(2026, 10, 27, 18, 0),
    ends_at=paris(2026, 10, 27, 19, 30),
    cutoff_at=paris(2026, 10, 24, 18, 0),
)
SPRING = Distribution(  # summer time starts on Sunday 28 March 2027
    ordering_at=paris(2027, 3, 23, 10, 0),
    starts_at=paris(2027, 3, 30, 18, 0),
    ends_at=paris(2027, 3, 30, 19, 30),
    cutoff_at=paris(2027, 3, 27, 18, 0),
)


def test_the_cases_straddle_the_dst_changes():
    assert AUTUMN.utc_times == {"17:00", "18:30", "16:00"}
    assert SPRING.utc_times == {"16:00", "17:30", "17:00"}


@pytest.fixture(params=[AUTUMN, SPRING], ids=["autumn", "spring"])
def case(request, clock) -> Distribution:
    clock.now = request.param.ordering_at
    return request.param


def assert_paris_times(text: str, case: Distribution, *, expected=("18:00",)) -> None:
    for time in expected:
        assert time in text, f"{time} (Paris) missing"
    for utc in case.utc_times:
        assert utc not in text, f"{utc} (UTC) shown"


@pytest.fixture
def day(case, db):
    ensure_shop_basics()
    point = PickupPointFactory(name="Jardin du Thabor", address="Place Saint-Mélaine")
    return DistributionDayFactory(
        pickup_point=point,
        date=case.starts_at.date(),
        starts_at=case.starts_at,
        ends_at=case.ends_at,
        cutoff_at=case.cutoff_at,
    )


@pytest.fixture
def member(db):
    return UserFactory(first_name="Léa", last_name="Guérin", email="lea@example.org")


@pytest.fixture
def journey(client, member, producer, day, django_capture_on_commit_callbacks):
    """The member checks out for the day; each page of the way, and the confirmation email."""
    client.force_login(member)
    fill_cart(client, product_for(producer, title="Carottes", stock=50), 3)
    pages = {"method": client.get(reverse("checkout:index"), follow=True)}
    client.post(reverse("checkout:shipping-method"), {"method_code": f"pickup-{day.pk}"})
    pages["preview"] = client.get(reverse("checkout:preview"))
    with django_capture_on_commit_callbacks(execute=True):
        pages["thank-you"] = client.post(
            reverse("checkout:preview"), {"action": "place_order"}, follow=True
        )
    assert pages["thank-you"].request["PATH_INFO"] == reverse("checkout:thank-you")
    return {name: response.content.decode() for name, response in pages.items()}


@pytest.fixture
def order(journey):
    return Order.objects.get()


def test_checkout_shows_the_slot_its_cutoff_and_the_pickup_in_paris_time(journey, case):
    assert "Jardin du Thabor" in journey["method"]
    for name in ("method", "preview", "thank-you"):
        assert_paris_times(journey[name], case)
    # The slot and the preview name the cut-off's day; its time is also 18:00.
    assert case.cutoff_at.strftime("%-d") in journey["method"]


def test_the_order_keeps_its_pickup_in_paris_time(order, case):
    assert_paris_times(order.shipping_method, case)


def test_the_order_detail_and_my_pickups_show_paris_time(client, order, case):
    detail = client.get(reverse("customer:order", kwargs={"order_number": order.number}))
    pickups = client.get(reverse("deliveries:upcoming-orders"))

    assert_paris_times(detail.content.decode(), case, expected=("18:00", "19:30"))
    assert_paris_times(pickups.content.decode(), case)


def test_the_confirmation_email_shows_paris_time(order, case):
    message = mail.outbox[-1]
    html = message.alternatives[0][0]

    for text in (message.body, html):
        assert_paris_times(text, case, expected=("18:00", "19:30"))
    assert_paris_times(message.subject, case, expected=())


def test_the_packing_list_shows_paris_time(order, day, producer, case, clock):
    clock.now = case.cutoff_at + dt.timedelta(minutes=5)
    mail.outbox.clear()

    build_packing_lists(day.pk)

    packing = packing_list_for(producer, day.pk)
    assert_paris_times(as_csv(packing), case)
    assert_paris_times(pdf_text(as_pdf(packing)), case)
    (message,) = mail.outbox
    assert_paris_times(message.subject + message.body, case)
    attachments = {name.rsplit(".", 1)[1]: content for name, content, _ in message.attachments}
    assert_paris_times(attachments["csv"], case)
    assert_paris_times(pdf_text(attachments["pdf"]), case)


def test_the_sign_off_sheet_shows_paris_time(order, day, case, clock):
    day.pickup_point.coordinators.add(UserFactory(email="referente@example.org"))
    clock.now = case.starts_at - dt.timedelta(hours=20)
    mail.outbox.clear()

    assert send_sign_off_sheets() == 1

    (message,) = mail.outbox
    assert_paris_times(message.subject + message.body, case, expected=("18:00", "19:30"))
    assert_paris_times(pdf_text(sign_off_sheet_pdf(day)), case, expected=("18:00", "19:30"))
    # The CSV has no times; none in UTC either.
    assert_paris_times(sign_off_sheet_csv(day), case, expected=())


def test_the_pickup_list_and_what_became_of_the_order_show_paris_time(
    client, order, day, case, clock
):
    volunteer = UserFactory(first_name="Bruno", last_name="Le Goff")
    day.pickup_point.coordinators.add(volunteer)
    clock.now = case.starts_at + dt.timedelta(minutes=10)
    prepare_handovers(day)
    handover = Handover.objects.get(pickup_order__order=order)
    collected_at = case.starts_at + dt.timedelta(minutes=5)  # 18:05 in Paris
    record_ticks(volunteer, day, [Tick(uuid.uuid4(), handover.pk, True, collected_at)])
    utc_tick = collected_at.astimezone(UTC).strftime("%H:%M")

    member_client = client
    client = type(client)()
    client.force_login(volunteer)
    page = client.get(reverse("deliveries:pickup-list", kwargs={"pk": day.pk})).content.decode()
    state = client.get(reverse("deliveries:pickup-list-state", kwargs={"pk": day.pk}))

    assert "18:05" in page and utc_tick not in page
    assert_paris_times(page, case, expected=())
    assert_paris_times(json.dumps(state.json()), case, expected=())
    clock.now = case.ends_at + dt.timedelta(hours=1)
    for url in (
        reverse("deliveries:upcoming-orders"),
        reverse("customer:order", kwargs={"order_number": order.number}),
    ):
        text = member_client.get(url).content.decode()
        assert "18:05" in text and utc_tick not in text, url


def test_the_email_saying_a_day_moved_shows_paris_time(order, day, case):
    mail.outbox.clear()

    notify_members_of_calendar_changes([day.pk], [])

    (message,) = mail.outbox
    assert_paris_times(message.subject + message.body, case, expected=("18:00", "19:30"))
