"""The printable sign-off sheet of a distribution day: every household and what to hand it,
emailed once to the point's coordinators the day before, downloadable by who runs the day."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from functools import partial

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import Http404

from baskets.services import (
    announce_composition,
    generate_basket_deliveries,
    subscribe,
    transfer_delivery,
)
from deliveries.distribution import tasks
from deliveries.distribution.sign_off_sheet import (
    send_sign_off_sheets,
    sign_off_sheet_csv,
    sign_off_sheet_pdf,
)
from deliveries.distribution.views.sign_off import SignOffSheetView
from deliveries.models import DayState, DistributionDay, VolunteerShift
from marketplace.celery import app as celery_app
from marketplace.checkout.services import place_order_for_day
from marketplace.shop_setup import ensure_shop_basics
from tests.baskets.calendar import DEC_8, DEC_15, PARIS_NOW, SIGN_UP_DAY, season, tuesdays
from tests.baskets.test_contract_pdf import page_count, pdf_text
from tests.factories import PickupPointFactory, ProducerFactory, UserFactory, product_for

# Monday 23 November 2026, as in the basket tests: the point distributes on Tuesdays.
pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

season = partial(season, capacity=100)
FIRST_NAMES = ["Awa", "Bruno", "Chloé", "David", "Émilie", "Fanny", "Gaël", "Hélène", "Ismaël"]
FIRST_NAMES += ["Jeanne", "Killian", "Louise"]
LAST_NAMES = ["Martin", "Le Goff", "Dubois-Guérin", "N'Diaye", "Lefebvre", "de La Roche"]
COUNTS = re.compile(r": ?3\D+: ?3\D+: ?1\b")  # "Households: 3 · Baskets: 3 · Orders: 1"
VEGETABLES = [
    ("Carottes", Decimal("1.5"), "kg"),
    ("Poireaux", Decimal("1"), "kg"),
    ("Pommes de terre", Decimal("2"), "kg"),
    ("Courge butternut", Decimal("1"), "pièce"),
    ("Mâche", Decimal("150"), "g"),
]
BREAD = [
    ("Pain de campagne", Decimal("1"), "pièce"),
    ("Pain aux graines", Decimal("500"), "g"),
    ("Brioche", Decimal("1"), "pièce"),
    ("Farine T80", Decimal("1"), "kg"),
    ("Fouace", Decimal("1"), "pièce"),
]


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def point(db):
    return tuesdays(PickupPointFactory(name="Maison de quartier Thabor"))


@pytest.fixture
def vegetables(point, producer):
    contract = season(point, plan__producer=producer, plan__name="Petit panier")
    announce_composition(producer, contract.plan.pk, DEC_8, VEGETABLES)
    return contract


@pytest.fixture
def coordinators(point):
    people = [
        UserFactory(email="referente@example.org"),
        UserFactory(email="referent@example.org"),
        UserFactory(email=""),
    ]
    point.coordinators.add(*people)
    return people


def day_on(point, date):
    return DistributionDay.objects.select_related("pickup_point").get(pickup_point=point, date=date)


def member_of(contract, point, name):
    first_name, _, last_name = name.partition(" ")
    member = UserFactory(first_name=first_name, last_name=last_name)
    return subscribe(member, contract, point, agreed=True, today=SIGN_UP_DAY)


@pytest.fixture
def small_day(point, vegetables, producer):
    """Awa collects her basket and an order; Zoé collects Chloé's basket; Léa & Co theirs."""
    awa = member_of(vegetables, point, "Awa Martin").member
    chloe = member_of(vegetables, point, "Chloé Dubois")
    member_of(vegetables, point, "Léa & Co")
    day = day_on(point, DEC_8)
    transfer_delivery(chloe.member, chloe.pk, day.pk, "named", "Zoé Voisin", now=PARIS_NOW)
    place_order_for_day(awa, [(product_for(producer, title="Œufs", stock=20), 2)], day.pk)
    generate_basket_deliveries([point.pk], DEC_8, DEC_8)
    return day


def csv_rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_the_sheet_lists_each_household_with_what_to_hand_over(small_day):
    pdf = sign_off_sheet_pdf(small_day)

    text = pdf_text(pdf)
    assert "Maison de quartier Thabor" in text
    assert "Awa Martin" in text and "Zoé Voisin" in text and "Léa & Co" in text
    assert "Chloé Dubois" in text  # whom Zoé collects for
    assert "Carottes 1.5 kg" in text and "2 × Œufs" in text
    assert COUNTS.search(text)  # 3 households, 3 baskets, 1 order
    assert page_count(pdf) == 1


def test_the_csv_has_a_row_per_thing_to_hand_over(small_day):
    header, *rows = csv_rows(sign_off_sheet_csv(small_day))

    assert len(header) == 5
    by_name = {}
    for name, item, for_whom, details, _collected in rows:
        by_name.setdefault(name, []).append((item, for_whom, details))
    assert list(by_name) == ["Awa Martin", "Léa & Co", "Zoé Voisin"]
    (basket, order) = by_name["Awa Martin"]
    assert basket[:2] == ("Petit panier", "") and order[2] == "2 × Œufs"
    (for_chloe,) = by_name["Zoé Voisin"]
    assert for_chloe[:2] == ("Petit panier", "Chloé Dubois")
    assert for_chloe[2] == "Carottes 1.5 kg, Poireaux 1 kg, Pommes de terre 2 kg, " + (
        "Courge butternut 1 pièce, Mâche 150 g"
    )
    assert {row[4] for row in rows} == {
        "non"
    }  # nothing collected yet (French, the site's language)


def test_sixty_households_fit_on_two_pages(point, vegetables):
    baker = ProducerFactory(name="Fournil de la Prévalaye")
    bread = season(point, plan__producer=baker, plan__name="Panier de pain bio")
    announce_composition(baker, bread.plan.pk, DEC_8, BREAD)
    products = [product_for(baker, title=t, stock=500) for t in ("Œufs", "Miel", "Jus de pomme")]
    day = day_on(point, DEC_8)
    names = [f"{FIRST_NAMES[i % 12]} {LAST_NAMES[i // 12]}" for i in range(60)]
    for number, name in enumerate(names):
        subscription = member_of(vegetables, point, name)
        if number % 2:
            subscribe(subscription.member, bread, point, agreed=True, today=SIGN_UP_DAY)
        if number % 3 == 0:
            place_order_for_day(
                subscription.member, [(p, 1 + number % 2) for p in products], day.pk
            )
    generate_basket_deliveries([point.pk], DEC_8, DEC_8)

    pdf = sign_off_sheet_pdf(day)
    rows = csv_rows(sign_off_sheet_csv(day))[1:]

    text = pdf_text(pdf)
    assert all(name in text for name in names)
    assert {row[0] for row in rows} == set(names)
    assert len(rows) == 60 + 30 + 20  # vegetables, bread every other, an order every third
    assert page_count(pdf) <= 2
    in_order = list(dict.fromkeys(row[0] for row in rows))
    assert in_order.index("David Martin") < in_order.index("Émilie Martin")
    assert in_order.index("Émilie Martin") < in_order.index("Fanny Martin")


# Emailed to the coordinators, once


def sent_at(day):
    day.refresh_from_db()
    return day.sign_off_sheet_sent_at


def test_the_sheet_is_emailed_once_to_the_coordinators_the_day_before(small_day, coordinators):
    now = small_day.starts_at - dt.timedelta(hours=30)

    assert send_sign_off_sheets(now=now) == 1
    assert send_sign_off_sheets(now=now + dt.timedelta(hours=1)) == 0

    (message,) = mail.outbox
    assert sorted(message.to) == ["referent@example.org", "referente@example.org"]
    assert "Maison de quartier Thabor" in message.subject
    assert COUNTS.search(message.body)
    files = {name.rsplit(".", 1)[1]: content for name, content, _type in message.attachments}
    assert sorted(files) == ["csv", "pdf"]
    assert "Zoé Voisin" in pdf_text(files["pdf"])
    assert {row[0] for row in csv_rows(files["csv"])[1:]} == {
        "Awa Martin",
        "Léa & Co",
        "Zoé Voisin",
    }
    assert sent_at(small_day) == now


def test_a_day_further_than_36_hours_or_cancelled_is_not_sent(small_day, coordinators):
    assert send_sign_off_sheets(now=small_day.starts_at - dt.timedelta(hours=37)) == 0
    DistributionDay.objects.filter(pk=small_day.pk).update(state=DayState.CANCELLED)
    assert send_sign_off_sheets(now=small_day.starts_at - dt.timedelta(hours=30)) == 0

    assert mail.outbox == []
    assert sent_at(small_day) is None


def test_a_day_without_coordinator_waits_for_one(small_day):
    now = small_day.starts_at - dt.timedelta(hours=30)
    assert send_sign_off_sheets(now=now) == 0
    assert sent_at(small_day) is None

    small_day.pickup_point.coordinators.add(UserFactory(email="nouvelle@example.org"))

    assert send_sign_off_sheets(now=now + dt.timedelta(hours=1)) == 1
    assert mail.outbox[0].to == ["nouvelle@example.org"]


def test_the_hourly_beat_task_sends_the_sheets(small_day, coordinators, clock):
    clock.now = small_day.starts_at - dt.timedelta(hours=20)
    schedule = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}

    assert "deliveries.distribution.tasks.send_sign_off_sheets" in schedule
    assert tasks.send_sign_off_sheets.delay().get() == 1
    assert len(mail.outbox) == 1


# Downloads


def download(rf, user, day_pk, file_format="pdf"):
    """As ``jour/<pk>/emargement.<format>`` will route it (not in deliveries/urls.py yet)."""
    request = rf.get(f"/jour/{day_pk}/emargement.{file_format}")
    request.user = user
    return SignOffSheetView.as_view()(request, pk=day_pk, format=file_format)


def test_the_days_volunteer_and_a_coordinator_download_the_sheet(rf, small_day, coordinators):
    volunteer = UserFactory()
    VolunteerShift.objects.create(distribution_day=small_day, volunteer=volunteer)

    pdf = download(rf, volunteer, small_day.pk, "pdf")
    spreadsheet = download(rf, coordinators[0], small_day.pk, "csv")
    by_query = rf.get(f"/jour/{small_day.pk}/emargement/", {"format": "csv"})
    by_query.user = coordinators[1]
    same = SignOffSheetView.as_view()(by_query, pk=small_day.pk)

    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "Zoé Voisin" in pdf_text(pdf.content)
    assert spreadsheet.status_code == 200
    assert (
        "emargement-maison-de-quartier-thabor-2026-12-08.csv" in spreadsheet["Content-Disposition"]
    )
    assert "Léa & Co" in spreadsheet.content.decode("utf-8-sig")
    assert same.content == spreadsheet.content


def test_a_member_or_another_days_volunteer_cannot_download_the_sheet(rf, small_day, point):
    member = small_day.basket_deliveries.first().subscription.member
    other_volunteer = UserFactory()
    VolunteerShift.objects.create(distribution_day=day_on(point, DEC_15), volunteer=other_volunteer)

    for user in (member, other_volunteer):
        with pytest.raises(PermissionDenied):  # a 403 page
            download(rf, user, small_day.pk)
    with pytest.raises(Http404):
        download(rf, UserFactory(is_staff=True), small_day.pk + 1000)
    with pytest.raises(Http404):
        download(rf, UserFactory(is_staff=True), small_day.pk, "xlsx")


# Counts: baskets by quantity, households once


def test_the_sheet_counts_baskets_by_quantity_and_each_household_once(
    point, vegetables, producer, coordinators
):
    baker = ProducerFactory(name="Fournil de la Prévalaye")
    bread = season(point, plan__producer=baker, plan__name="Panier de pain")
    awa = UserFactory(first_name="Awa", last_name="Martin")
    subscribe(awa, vegetables, point, quantity=2, agreed=True, today=SIGN_UP_DAY)
    subscribe(awa, bread, point, agreed=True, today=SIGN_UP_DAY)
    bruno = member_of(vegetables, point, "Bruno Le Goff").member
    day = day_on(point, DEC_8)
    place_order_for_day(bruno, [(product_for(producer, title="Œufs", stock=20), 2)], day.pk)
    generate_basket_deliveries([point.pk], DEC_8, DEC_8)
    counts = re.compile(r": ?2\D+: ?4\D+: ?1\b")  # 2 households, 2 + 1 + 1 baskets, 1 order

    pdf_counts = counts.search(pdf_text(sign_off_sheet_pdf(day)))
    send_sign_off_sheets(now=day.starts_at - dt.timedelta(hours=30))

    assert pdf_counts
    (message,) = mail.outbox
    assert counts.search(message.body)
    assert counts.search(pdf_text(message.attachments[0][1]))
    rows = csv_rows(sign_off_sheet_csv(day))[1:]
    assert sorted(row[1] for row in rows if row[0] == "Awa Martin") == [
        "2 × Petit panier",
        "Panier de pain",
    ]
