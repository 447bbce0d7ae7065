"""The printable contract summary of a subscription: who, where, what it costs, every date."""

import datetime as dt
import re
import zlib
from base64 import a85decode
from decimal import Decimal

import pytest
from django.utils import formats, translation

from baskets.contract_pdf import contract_summary_pdf
from baskets.services import contract_delivery_dates, subscribe
from tests.factories import (
    PickupPointFactory,
    ScheduleFactory,
    UserFactory,
    contract_at,
    subscribe_shared,
)

SIGN_UP_DAY = dt.date(2026, 2, 10)
pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-02-10 10:05")]


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


@pytest.fixture
def point(db):
    point = PickupPointFactory(name="Halle de Cleunay", food_aid_partner="Restos du Cœur")
    ScheduleFactory(pickup_point=point, weekday=1, valid_from=dt.date(2026, 1, 1))  # Tue 18:00
    return point


def season(point, weeks: int, **kwargs):
    """A contract from the first Tuesday of March over `weeks` weekly deliveries."""
    first = dt.date(2026, 3, 3)
    return contract_at(
        point,
        name="Saison 2026",
        starts_on=first,
        ends_on=first + dt.timedelta(weeks=weeks - 1),
        signup_opens_on=dt.date(2026, 2, 1),
        signup_closes_on=dt.date(2026, 3, 31),
        **kwargs,
    )


def test_summary_names_the_member_the_plan_the_price_and_the_season_total(point):
    member = UserFactory(first_name="Awa", last_name="Diallo", email="awa@example.org")
    contract = season(
        point, 12, plan__name="Panier de légumes", plan__reference_price=Decimal("12.50")
    )
    subscription = subscribe(member, contract, point, quantity=2, agreed=True, today=SIGN_UP_DAY)

    text = pdf_text(contract_summary_pdf(subscription))

    assert "Awa Diallo" in text and "awa@example.org" in text
    assert "Panier de légumes" in text and "Saison 2026" in text
    assert "Halle de Cleunay" in text and "1 place de la Mairie" in text
    assert "25,00 € (2 × 12,50 €)" in text  # per delivery
    assert "12 × 25,00 € = 300,00 €" in text  # deliveries in the season, and the total


def test_summary_lists_every_delivery_date_of_the_season(point):
    contract = season(point, 12)
    subscription = subscribe(UserFactory(), contract, point, agreed=True, today=SIGN_UP_DAY)
    dates = contract_delivery_dates(contract, point)

    text = pdf_text(contract_summary_pdf(subscription))

    assert len(dates) == 12
    assert "mar 3 mars 2026" in text
    for day in dates:
        assert formats.date_format(day, "D j N Y") in text


def test_summary_shows_the_co_holder_and_how_they_share(point):
    contract = season(point, 12)
    co_holder = UserFactory(first_name="Jean", last_name="Morel")
    subscription = subscribe_shared(
        UserFactory(),
        contract,
        point,
        co_holder=co_holder,
        sharing="alternate",
        agreed=True,
        today=SIGN_UP_DAY,
    )

    text = pdf_text(contract_summary_pdf(subscription))

    assert "Jean Morel" in text and co_holder.email in text
    assert str(subscription.get_sharing_display()) in text


def test_summary_states_the_commitments_and_when_the_terms_were_agreed(point):
    contract = season(point, 12, absence_allowance=3, absence_deadline_hours=72)
    subscription = subscribe(UserFactory(), contract, point, agreed=True, today=SIGN_UP_DAY)

    # In English, the texts' own words: the French catalogue is filled in separately.
    with translation.override("en"):
        text = pdf_text(contract_summary_pdf(subscription))

    assert "You may skip up to 3 deliveries in the season." in text
    assert "at the latest 72 hours before its distribution starts" in text
    assert "give it to Restos du Cœur" in text
    assert "Sign-up is open from 1 February 2026 to 31 March 2026." in text
    assert "Terms agreed on Tuesday 10 February 2026, 10:05." in text  # Paris wall clock


def test_a_forty_week_season_fits_on_two_pages(point):
    contract = season(point, 40)
    subscription = subscribe_shared(
        UserFactory(first_name="Marie-Christine", last_name="de La Tour d'Auvergne"),
        contract,
        point,
        co_holder=UserFactory(),
        sharing="split",
        quantity=3,
        agreed=True,
        today=SIGN_UP_DAY,
    )
    dates = contract_delivery_dates(contract, point)

    pdf = contract_summary_pdf(subscription)

    text = pdf_text(pdf)
    assert len(dates) == 40
    assert page_count(pdf) <= 2
    for day in dates:
        assert formats.date_format(day, "D j N Y") in text
    assert "40 × 36,00 € = 1 440,00 €" in text  # grouped thousands, in the standard fonts


# reportlab has no reader and the project no PDF parser: its own output is simple enough to read
# back (Flate, maybe ASCII85, content streams; literal strings in WinAnsi).


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    text = []
    for head, body in re.findall(rb"<<([^<>]*)>>\s*stream\r?\n(.*?)\s*endstream", pdf, re.S):
        if b"ASCII85Decode" in head:
            body = a85decode(body.strip().removesuffix(b"~>"))
        if b"FlateDecode" in head:
            body = zlib.decompress(body)
        text += [_literal(s) for s in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", body, re.S)]
    return " ".join(text).replace("\xa0", " ")


def _literal(raw: bytes) -> str:
    def unescape(match):
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8)])
        return {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", unescape, raw, flags=re.S).decode("cp1252")


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
