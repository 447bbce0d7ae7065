"""CSV exports open safely in a spreadsheet: no cell is read as a formula, accents read right.

Both the files downloaded from the site and the ones attached to emails: the sign-off sheet
and the packing lists."""

import codecs
import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from baskets.services import generate_basket_deliveries, subscribe
from deliveries.distribution.sign_off_sheet import send_sign_off_sheets
from deliveries.distribution.tasks import close_distribution_days
from deliveries.models import DistributionDay
from marketplace.checkout.services import place_order_for_day
from marketplace.core.csv import csv_text, safe_cell
from marketplace.shop_setup import ensure_shop_basics
from producers.models import PackingList
from producers.packing import build_packing_lists
from tests.baskets.calendar import DEC_8, PARIS_NOW, SIGN_UP_DAY, season, tuesdays
from tests.deliveries.test_sign_off_sheet import day_on
from tests.factories import DistributionDayFactory, PickupPointFactory, UserFactory, product_for

pytestmark = pytest.mark.django_db

EVIL_NAME = '=HYPERLINK("http://evil","x")'


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def point(db):
    return tuesdays(PickupPointFactory(name="Maison de quartier Thabor"))


def rows_of(content: bytes) -> list[list[str]]:
    """The file as a spreadsheet opens it: UTF-8 announced by its BOM, cells split on ``;``."""
    assert content.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def csv_attachment(message) -> bytes:
    """The CSV file as it travels in the email, decoded from its MIME transfer encoding."""
    for part in message.message().walk():
        if (part.get_filename() or "").endswith(".csv"):
            return part.get_payload(decode=True)
    raise AssertionError("no CSV attached")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+cmd", "'+cmd"),
        ("-Zoé", "'-Zoé"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("Chloé = Zoé", "Chloé = Zoé"),
        (-3, "-3"),
        (None, ""),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_quoted(value, cell):
    assert safe_cell(value) == cell


def test_a_csv_file_starts_with_a_bom_and_keeps_accents():
    text = csv_text([["Nom", "Produit"], ["Hélène", "Œufs"]])

    assert rows_of(text.encode("utf-8")) == [["Nom", "Produit"], ["Hélène", "Œufs"]]


@pytest.mark.now(PARIS_NOW)
def test_the_sign_off_sheet_neutralises_formulas_in_download_and_email(client, point, producer):
    coordinator = UserFactory(email="referente@example.org")
    point.coordinators.add(coordinator)
    contract = season(point, plan__producer=producer, plan__name="+cmd", capacity=10)
    for first_name, last_name in ((EVIL_NAME, ""), ("Hélène", "Lefèvre")):
        member = UserFactory(first_name=first_name, last_name=last_name)
        subscribe(member, contract, point, agreed=True, today=SIGN_UP_DAY)
    day = day_on(point, DEC_8)
    generate_basket_deliveries([point.pk], DEC_8, DEC_8)
    client.force_login(coordinator)

    download = client.get(
        reverse("deliveries:sign-off-sheet", kwargs={"pk": day.pk, "format": "csv"})
    )
    send_sign_off_sheets(now=day.starts_at - dt.timedelta(hours=30))

    assert download["Content-Type"] == "text/csv; charset=utf-8"
    (message,) = mail.outbox
    for content in (download.content, csv_attachment(message)):
        header, *rows = rows_of(content)
        evil = next(row for row in rows if "HYPERLINK" in row[0])
        assert evil[0].startswith("'=HYPERLINK(")
        assert {row[1] for row in rows} == {"'+cmd"}
        assert any(row[0].startswith("Hélène Lefèvre") for row in rows)
        assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_packing_list_neutralises_formulas_in_download_and_email(client, producer):
    day = DistributionDayFactory()
    evil = UserFactory(first_name=EVIL_NAME, last_name="", email="evil@example.org")
    helene = UserFactory(first_name="Hélène", last_name="Lefèvre")
    place_order_for_day(evil, [(product_for(producer, title="+cmd", stock=9), 2)], day.pk)
    place_order_for_day(helene, [(product_for(producer, title="Œufs", stock=9), 1)], day.pk)
    DistributionDay.objects.filter(pk=day.pk).update(cutoff_at=timezone.now())
    mail.outbox.clear()

    close_distribution_days()
    build_packing_lists(
        day.pk
    )  # as the task queued by the cut-off does; a second run sends nothing
    record = PackingList.objects.get(producer=producer)
    client.force_login(producer.partner.users.get())
    download = client.get(
        reverse("producer_space:packing-list-file", kwargs={"pk": record.pk, "format": "csv"})
    )

    assert download["Content-Type"] == "text/csv; charset=utf-8"
    (message,) = mail.outbox
    for content in (download.content, csv_attachment(message)):
        header, *rows = rows_of(content)
        by_product = {row[5]: row for row in rows}
        assert set(by_product) == {"'+cmd", "Œufs"}
        assert by_product["'+cmd"][2] == "'" + EVIL_NAME
        assert by_product["'+cmd"][6] == "2"
        assert by_product["Œufs"][2] == "Hélène Lefèvre"
