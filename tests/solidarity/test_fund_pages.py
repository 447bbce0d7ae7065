"""The coordinators' pages of a solidarity fund: the funds they coordinate, and each fund's page
(its figures, the balance chart and its table, the reviews, the requests to decide, the entries)
with its forms. Only the fund's coordinators and staff see it or act on it."""

import datetime as dt
import html
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from oscar.templatetags.currency_filters import currency

from marketplace.solidarity.models import (
    FundEntry,
    FundEntryKind,
    RateReview,
    RequestState,
    Tier,
    TierRequest,
)
from marketplace.solidarity.selectors import fund_balance, tier_of_subscription
from marketplace.solidarity.services import (
    approve_request,
    ask_for_tier,
    create_fund,
    write_fund_entry,
)
from tests.factories import PickupPointFactory, UserFactory
from tests.payments.world import NOW, TODAY, point_on_tuesdays, subscription_to
from tests.solidarity.world import SETTINGS

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]

DECLARATION = "Je suis au RSA depuis septembre."
JAN_10, JUN_1, NOV_20 = dt.date(2026, 1, 10), dt.date(2026, 6, 1), dt.date(2026, 11, 20)
LONG_AGO = dt.date(2025, 6, 1)  # before the chart's 12 months: in its opening balance


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


@pytest.fixture
def asking(point, fund):
    """Awa Diallo, holding a place at the fund's point, asks for the reduced tier."""
    awa = UserFactory(first_name="Awa", last_name="Diallo")
    place = subscription_to(point, member=awa, plan__name="Panier de légumes")
    return ask_for_tier(awa, Tier.REDUCED, subscription=place, declaration=DECLARATION)


@pytest.fixture
def other_coordinator(db):
    user = UserFactory(email="autre-referent@example.org")
    PickupPointFactory().coordinators.add(user)
    return user


def fund_url(fund) -> str:
    return reverse("solidarity:fund", kwargs={"pk": fund.pk})


def decide_url(request) -> str:
    return reverse("solidarity:decide-request", kwargs={"pk": request.pk})


def record_url(fund) -> str:
    return reverse("solidarity:record-entry", kwargs={"pk": fund.pk})


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def give(fund, kind, amount, on, **links):
    return write_fund_entry(fund, kind, Decimal(amount), on=on, now=NOW, **links)


def a_review(fund, period_start, before="30.00", after="35.00", **fields):
    defaults = {
        "inputs": {
            "balance": "500.00",
            "reserve": "200.00",
            "reduced_commitments": "52.00",
            "expected_contributions": "4.20",
            "reduced_deliveries": 2,
            "supporter_deliveries": 2,
            "period_end": (period_start + dt.timedelta(days=7)).isoformat(),
        },
        "rate_before": Decimal(before),
        "rate_after": Decimal(after),
        "reason": "Le solde permet de relever le taux d'un pas.",
        "applies_from": period_start,
        "announced_at": NOW,
        "open_to_requests_after": True,
        "created_at": NOW,
    }
    return RateReview.objects.create(fund=fund, period_start=period_start, **defaults | fields)


# The list of funds


def test_a_coordinator_sees_their_funds_with_balance_and_rate(client, coordinator, fund, staff):
    give(fund, FundEntryKind.DONATION, "1250.50", JAN_10)
    create_fund(staff, replace(SETTINGS, name="Caisse d'ailleurs"), [])
    client.force_login(coordinator)

    text = page_text(client.get(reverse("solidarity:funds")))

    assert fund.name in text and fund_url(fund) in text
    assert currency(Decimal("1250.50")) in text
    assert "30 %" in text
    assert "Caisse d'ailleurs" not in text  # not one of theirs


def test_someone_coordinating_no_fund_is_told_so(client, member, fund):
    client.force_login(member)

    response = client.get(reverse("solidarity:funds"))

    assert response.status_code == 200
    assert fund.name not in page_text(response)
    assert gettext(
        "You coordinate no pickup point that draws on a solidarity fund. The coordinators of a "
        "fund's pickup points see its page here."
    ) in page_text(response)


def test_the_funds_page_asks_to_sign_in(client, fund):
    response = client.get(reverse("solidarity:funds"))

    assert response.status_code == 302 and "login" in response.url


# The fund's page


def test_the_fund_page_shows_the_figures_of_the_day(client, coordinator, fund):
    give(fund, FundEntryKind.GRANT, "500.00", JAN_10)
    a_review(fund, dt.date(2026, 11, 30))  # 35 % from Monday 30 November
    client.force_login(coordinator)

    text = page_text(client.get(fund_url(fund)))

    assert currency(Decimal("500.00")) in text  # balance today
    assert currency(Decimal("200.00")) in text  # reserve
    assert "30 %" in text  # in force today
    assert "35 %" in text and date_format(dt.date(2026, 11, 30), "l j F Y") in text
    assert "10 %" in text and "50 %" in text  # bounds


def test_the_balance_chart_draws_a_year_and_tells_it_in_a_table(client, coordinator, fund):
    give(fund, FundEntryKind.DONATION, "100.00", LONG_AGO)
    give(fund, FundEntryKind.GRANT, "500.00", JAN_10)
    give(fund, FundEntryKind.REDUCTION, "-80.00", JUN_1)
    give(fund, FundEntryKind.CORRECTION, "-20.00", NOV_20)
    client.force_login(coordinator)

    text = page_text(client.get(fund_url(fund)))

    svg = re.search(r"<svg[^>]*>.*?</svg>", text, re.S).group(0)
    assert 'role="img"' in svg and "aria-label=" in svg and "<title>" in svg
    assert 'stroke-dasharray="8 5"' in svg  # the reserve, dashed
    assert re.search(r'<path d="M[\d.]+ [\d.]+( H[\d.]+ V[\d.]+)+"', svg)
    summary = re.search(r'aria-label="([^"]*)"', svg).group(1)
    assert currency(Decimal("100.00")).replace("\xa0", " ") in summary.replace("\xa0", " ")
    assert date_format(dt.date(2025, 11, 23), "j F Y") in summary  # 12 months back
    table = text[text.index("<details>") : text.index("</details>")]
    assert gettext("Figures of the chart") in table
    rows = re.findall(r"<tr>\s*<th scope=\"row\">([^<]+)</th>(.*?)</tr>", table, re.S)
    figures = [(day, re.findall(r">([^<]+)</td>", cells)) for day, cells in rows]
    euros = [currency(Decimal(amount)) for amount in ("100.00", "500.00", "600.00", "-80.00")]
    assert figures == [
        (date_format(dt.date(2025, 11, 23), "j F Y"), ["—", euros[0]]),
        (date_format(JAN_10, "j F Y"), [euros[1], euros[2]]),
        (date_format(JUN_1, "j F Y"), [euros[3], currency(Decimal("520.00"))]),
        (date_format(NOV_20, "j F Y"), [currency(Decimal("-20.00")), currency(Decimal("500.00"))]),
        (date_format(TODAY, "j F Y"), ["—", currency(Decimal("500.00"))]),
    ]


def test_the_totals_of_the_year_by_kind(client, coordinator, fund):
    give(fund, FundEntryKind.DONATION, "100.00", LONG_AGO)  # too old
    give(fund, FundEntryKind.DONATION, "40.00", JAN_10)
    give(fund, FundEntryKind.DONATION, "60.00", JUN_1)
    give(fund, FundEntryKind.REDUCTION, "-80.00", JUN_1)
    client.force_login(coordinator)

    text = page_text(client.get(fund_url(fund)))

    totals = text[text.index('id="totals-title"') : text.index("</table>", text.index("totals"))]
    assert re.search(
        rf"{FundEntryKind.DONATION.label.capitalize()}</th>\s*<td[^>]*>2</td>\s*"
        rf"<td[^>]*>{re.escape(currency(Decimal('100.00')))}</td>",
        totals,
    )
    assert currency(Decimal("20.00")) in totals  # 100 in, 80 out


def test_the_review_history_newest_first_with_why(client, coordinator, fund):
    a_review(fund, dt.date(2026, 11, 16), before="25.00", after="30.00", reason="Première.")
    a_review(fund, dt.date(2026, 11, 23), before="30.00", after="30.00", reason="Deuxième.")
    client.force_login(coordinator)

    text = page_text(client.get(fund_url(fund)))

    reviews = text[text.index('id="reviews"') :]
    assert reviews.index("Deuxième.") < reviews.index("Première.")
    assert "25 %" in reviews and "30 %" in reviews
    assert date_format(dt.date(2026, 11, 22), "j F Y") in reviews  # the period's last day
    assert currency(Decimal("52.00")) in reviews  # what it read


def test_the_review_history_shows_the_latest_twenty_and_how_many(client, coordinator, fund):
    for week in range(25):
        a_review(fund, dt.date(2026, 6, 1) + dt.timedelta(weeks=week), after="30.00")
    client.force_login(coordinator)

    text = page_text(client.get(fund_url(fund)))

    reviews = text[text.index('id="reviews"') :]
    assert reviews.count('<li class="producer-card') == 20
    said_above = re.sub(r"<[^>]+>", "", reviews.split("<ol")[0])
    assert re.search(r"\b20\b.*\b25\b", said_above)  # the latest 20 of 25


def test_the_requests_to_decide_say_who_asks_for_what(client, coordinator, fund, asking):
    client.force_login(coordinator)

    text = page_text(client.get(fund_url(fund)))

    requests = text[text.index('id="requests"') : text.index('id="record"')]
    assert "Awa Diallo" in requests and DECLARATION in requests
    assert "Panier de légumes" in requests and asking.subscription.pickup_point.name in requests
    assert str(Tier.REDUCED.label).capitalize() in requests
    assert "23 novembre 2026, 10:00" in requests  # Paris time
    assert requests.count(decide_url(asking)) == 2  # approve, refuse


# Deciding a request


def test_a_coordinator_approves_a_request(client, coordinator, fund, asking):
    client.force_login(coordinator)

    response = client.post(decide_url(asking), {"decision": "approve"})

    assert response.status_code == 302 and response.url == fund_url(fund) + "#requests"
    asking.refresh_from_db()
    assert (asking.state, asking.decided_by) == (RequestState.APPROVED, coordinator)
    assert tier_of_subscription(asking.subscription).tier == Tier.REDUCED
    assert "Awa Diallo" in said(response)[0]
    assert "Awa Diallo" not in page_text(client.get(fund_url(fund))).split('id="requests"')[1]


def test_a_coordinator_refuses_a_request_with_a_word(client, coordinator, fund, asking):
    client.force_login(coordinator)

    response = client.post(
        decide_url(asking), {"decision": "refuse", "answer": "Parlons-en à la distribution."}
    )

    assert response.status_code == 302
    asking.refresh_from_db()
    assert asking.state == RequestState.REFUSED
    assert asking.answer == "Parlons-en à la distribution."
    assert tier_of_subscription(asking.subscription).tier == Tier.STANDARD


def test_a_request_already_answered_says_so(client, coordinator, fund, asking):
    approve_request(coordinator, asking)
    client.force_login(coordinator)

    response = client.post(decide_url(asking), {"decision": "refuse"}, follow=True)

    assert gettext("This request has already been answered.") in page_text(response)
    asking.refresh_from_db()
    assert asking.state == RequestState.APPROVED


# Recording an entry


def test_a_donation_recorded_shows_and_moves_the_balance(client, coordinator, fund):
    client.force_login(coordinator)

    response = client.post(
        record_url(fund),
        {
            "kind": FundEntryKind.DONATION,
            "amount": "1 250,50",
            "on": "2026-11-20",
            "reference": "Chèque 0042",
            "note": "Kermesse de l'école",
        },
    )

    assert response.status_code == 302 and response.url == fund_url(fund) + "#entries"
    entry = FundEntry.objects.get()
    assert (entry.kind, entry.amount, entry.on, entry.recorded_by) == (
        FundEntryKind.DONATION,
        Decimal("1250.50"),
        NOV_20,
        coordinator,
    )
    assert fund_balance(fund, TODAY) == Decimal("1250.50")
    text = page_text(client.get(fund_url(fund)))
    entries = text[text.index('id="entries"') :]
    assert "Kermesse de l'école" in entries and "Chèque 0042" in entries
    assert currency(Decimal("1250.50")) in entries
    assert currency(Decimal("1250.50")) in text[: text.index('id="chart-title"')]  # balance


def test_the_entries_name_the_member_to_the_coordinators(client, coordinator, fund, asking):
    give(fund, FundEntryKind.CONTRIBUTION, "1.20", NOV_20, member=asking.member)
    client.force_login(coordinator)

    text = page_text(client.get(fund_url(fund)))

    assert "Awa Diallo" in text[text.index('id="entries"') :]


@pytest.mark.parametrize(
    ("amount", "on", "says"),
    [
        ("0", "2026-11-20", "The amount cannot be zero."),
        ("-5", "2026-11-20", "A donation or a grant is above zero."),
        ("douze", "2026-11-20", None),
        ("12.345", "2026-11-20", None),
        ("12", "2026-11-24", "An entry cannot be dated later than today."),
    ],
)
def test_a_bad_entry_says_what_is_wrong_and_records_nothing(
    client, coordinator, fund, amount, on, says
):
    client.force_login(coordinator)

    response = client.post(
        record_url(fund), {"kind": FundEntryKind.DONATION, "amount": amount, "on": on}
    )

    assert response.status_code == 400
    text = page_text(response)
    assert 'aria-invalid="true"' in text and 'role="alert"' in text
    if says:
        assert gettext(says) in text
    assert not FundEntry.objects.exists()


def test_a_correction_below_zero_is_recorded(client, coordinator, fund):
    client.force_login(coordinator)

    client.post(
        record_url(fund), {"kind": FundEntryKind.CORRECTION, "amount": "-12,50", "on": "2026-11-23"}
    )

    assert fund_balance(fund, TODAY) == Decimal("-12.50")


# Who may


@pytest.fixture
def plain_member(db):
    return UserFactory(email="adherent@example.org")


@pytest.mark.parametrize("who", ["other_coordinator", "plain_member"])
def test_nobody_else_sees_the_fund_nor_acts_on_it(client, request, who, fund, asking):
    client.force_login(request.getfixturevalue(who))

    page = client.get(fund_url(fund))
    decided = client.post(decide_url(asking), {"decision": "approve"})
    recorded = client.post(
        record_url(fund), {"kind": FundEntryKind.DONATION, "amount": "50", "on": "2026-11-20"}
    )

    assert (page.status_code, decided.status_code, recorded.status_code) == (404, 404, 404)
    asking.refresh_from_db()
    assert asking.state == RequestState.PENDING
    assert not FundEntry.objects.exists()


def test_a_coordinator_of_another_fund_cannot_decide_this_ones_requests(
    client, fund, asking, staff
):
    elsewhere = point_on_tuesdays()
    their = UserFactory()
    elsewhere.coordinators.add(their)
    create_fund(their, replace(SETTINGS, name="Caisse d'ailleurs"), [elsewhere])
    client.force_login(their)

    assert client.post(decide_url(asking), {"decision": "refuse"}).status_code == 404
    asking.refresh_from_db()
    assert asking.state == RequestState.PENDING


def test_staff_see_every_fund(client, staff, fund, asking):
    client.force_login(staff)

    assert client.get(fund_url(fund)).status_code == 200
    assert fund.name in page_text(client.get(reverse("solidarity:funds")))


def test_the_fund_page_asks_to_sign_in(client, fund):
    response = client.get(fund_url(fund))

    assert response.status_code == 302 and "login" in response.url


# Queries and languages


def test_the_fund_page_takes_a_bounded_number_of_queries(
    client, coordinator, fund, point, django_assert_max_num_queries
):
    for day in range(30):
        give(fund, FundEntryKind.DONATION, "10.00", JAN_10 + dt.timedelta(days=day * 9))
    for n in range(10):
        member = UserFactory()
        if n % 2:
            place = subscription_to(point, member=member)
            ask_for_tier(member, Tier.REDUCED, subscription=place, declaration=DECLARATION)
        else:
            ask_for_tier(member, Tier.REDUCED, pickup_point=point, declaration=DECLARATION)
    for week in range(25):
        a_review(fund, dt.date(2026, 5, 4) + dt.timedelta(weeks=week))
    client.force_login(coordinator)

    with django_assert_max_num_queries(18):
        response = client.get(fund_url(fund))

    assert response.status_code == 200
    assert TierRequest.objects.filter(fund=fund, state=RequestState.PENDING).count() == 10


@pytest.mark.parametrize(
    ("language", "headings"),
    [
        ("en", ["Balance over the last 12 months", "Requests waiting for a decision"]),
        ("fr", None),
    ],
)
def test_the_headings_in_french_and_in_english(client, coordinator, fund, language, headings):
    client.force_login(coordinator)

    text = page_text(client.get(fund_url(fund), HTTP_ACCEPT_LANGUAGE=language))

    with translation.override(language):
        expected = headings or [
            gettext("Balance over the last 12 months"),
            gettext("Requests waiting for a decision"),
            gettext("Rate reviews"),
        ]
    assert f'<html lang="{language}"' in text
    for heading in expected:
        assert re.search(rf"<h2[^>]*>{re.escape(heading)}</h2>", text)
