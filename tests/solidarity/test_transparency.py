"""A fund's public page: anyone, without an account, reads what came in, what went out, how
many baskets the fund made affordable and for how many households; never who."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from oscar.templatetags.currency_filters import currency

from baskets.models import BasketDelivery
from baskets.services import generate_basket_deliveries
from marketplace.solidarity.models import FundEntryKind
from marketplace.solidarity.selectors.transparency import fund_transparency
from marketplace.solidarity.services.entries import write_fund_entry
from tests.clock import PARIS
from tests.factories import UserFactory
from tests.payments.world import NOW, subscription_to

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]

# The pages are read early in March 2027: the season's Tuesdays of December are within the last
# 12 months, which run from 1 April 2026.
TODAY = dt.date(2027, 3, 2)
READ_AT = dt.datetime(2027, 3, 2, 10, 0, tzinfo=PARIS)
DEC_1, DEC_8 = dt.date(2026, 12, 1), dt.date(2026, 12, 8)


def euros(text: str) -> Decimal:
    return Decimal(text)


def settle(fund, subscription, kind: str, per_basket: str):
    """What the nightly settlement writes: one entry per basket delivered of the season's first
    two Tuesdays, with its delivery, subscription and producer."""
    for delivery in BasketDelivery.objects.filter(subscription=subscription).order_by("pk"):
        write_fund_entry(
            fund,
            kind,
            euros(per_basket) * delivery.quantity,
            on=delivery.distribution_day.date,
            delivery=delivery,
            subscription=subscription,
            member=subscription.member,
            producer=subscription.contract.plan.producer,
        )


@pytest.fixture
def households(fund, point, subscription, clock):
    """Two reduced-tier households (one basket, then two a week) and a supporter, at 12.00 €,
    settled for the season's first two Tuesdays; then the clock moves to early March."""
    two_baskets = subscription_to(point, member=UserFactory(email="foyer@example.org"), quantity=2)
    supporter = subscription_to(point, member=UserFactory(email="soutien@example.org"))
    generate_basket_deliveries([point.pk], DEC_1, DEC_8)
    settle(fund, subscription, FundEntryKind.REDUCTION, "-3.60")
    settle(fund, two_baskets, FundEntryKind.REDUCTION, "-3.60")
    settle(fund, supporter, FundEntryKind.CONTRIBUTION, "2.40")
    write_fund_entry(fund, FundEntryKind.DONATION, euros("100.00"), on=dt.date(2027, 1, 10))
    write_fund_entry(fund, FundEntryKind.GRANT, euros("500.00"), on=dt.date(2027, 2, 3))
    write_fund_entry(fund, FundEntryKind.CORRECTION, euros("-5.00"), on=dt.date(2027, 2, 10))
    # Before the last 12 months: in the balance, not in the year's figures.
    write_fund_entry(fund, FundEntryKind.DONATION, euros("50.00"), on=dt.date(2026, 3, 15))
    clock.now = READ_AT
    return [subscription, two_baskets, supporter]


def page(client, fund, language: str = "fr") -> str:
    response = client.get(
        reverse("solidarity:transparency", kwargs={"slug": fund.slug}),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    return response.content.decode()


def money(amount: str, language: str = "fr") -> str:
    with translation.override(language):
        return currency(Decimal(amount))


def test_the_figures_count_baskets_households_and_money_of_the_last_12_months(fund, households):
    figures = fund_transparency(fund, TODAY)

    assert figures.start == dt.date(2026, 4, 1)
    assert figures.baskets_made_affordable == 6  # 1 + 2 baskets, two Tuesdays
    assert figures.households_helped == 2
    assert figures.contributions == euros("4.80")
    assert figures.donations_and_grants == euros("600.00")
    assert figures.reductions == euros("21.60")
    assert figures.corrections == euros("-5.00")
    assert figures.balance == euros("628.20")
    assert figures.rate == euros("30.00")
    assert figures.reserve == euros("200.00")
    assert [month.month for month in figures.months][:2] == [
        dt.date(2026, 4, 1),
        dt.date(2026, 5, 1),
    ]
    assert len(figures.months) == 12 and figures.months[-1].month == dt.date(2027, 3, 1)
    december = figures.months[8]
    assert (december.money_in, december.money_out, december.net) == (
        euros("4.80"),
        euros("21.60"),
        euros("-16.80"),
    )
    february = figures.months[10]
    assert (february.money_in, february.money_out, february.net) == (
        euros("500.00"),
        euros("0.00"),
        euros("495.00"),
    )


def test_anyone_reads_the_funds_figures_without_an_account(client, fund, point, households):
    text = page(client, fund)

    with translation.override("fr"):
        for label in ("Baskets made affordable", "Households helped", "How the fund works"):
            assert gettext(label) in text
    assert fund.name in text and point.name in text
    for amount in ("628.20", "21.60", "4.80", "600.00", "200.00"):
        assert money(amount) in text
    assert '<dd class="h3 mb-0">6</dd>' in text and '<dd class="h3 mb-0">2</dd>' in text
    assert "30 %" in text
    assert "décembre 2026" in text and "<caption" in text and 'scope="row"' in text


def test_the_page_names_nobody(client, fund, households):
    text = page(client, fund)

    for subscription in households:
        member = subscription.member
        for personal in (member.email, member.first_name, member.last_name, member.username):
            assert personal not in text


def test_the_page_reads_in_english(client, fund, households):
    text = page(client, fund, "en")

    assert "Baskets made affordable" in text and "The farmer is always paid in full" in text
    assert "December 2026" in text
    assert money("628.20", "en") in text


def test_an_unknown_fund_is_not_found(client, fund):
    response = client.get(reverse("solidarity:transparency", kwargs={"slug": "aucune-caisse"}))

    assert response.status_code == 404


def test_the_page_reads_in_a_few_queries_whatever_the_entries(
    client, fund, households, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        page(client, fund)


def test_the_list_of_funds_links_each_funds_page(client, fund):
    response = client.get(reverse("solidarity:public-funds"))

    assert response.status_code == 200
    text = response.content.decode()
    assert fund.name in text
    assert reverse("solidarity:transparency", kwargs={"slug": fund.slug}) in text
