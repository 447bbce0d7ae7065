"""Contribution rounds' pages: the coordinator opens a round and follows it, a household pledges
and sees the gauge, the basket page points to the round; each page for whom it is meant."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from marketplace.solidarity.models import ContributionRound, Pledge, RoundState
from marketplace.solidarity.services.rounds import RoundTerms, open_round, pledge
from tests.factories import UserFactory
from tests.payments.world import NOW, point_on_tuesdays, subscription_to
from tests.solidarity.round_world import TERMS, euros, household

pytestmark = pytest.mark.now(NOW)


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


@pytest.fixture
def holding(point, member):
    return subscription_to(point, member=member)


@pytest.fixture
def contract(holding):
    return holding.contract


@pytest.fixture
def open_one(coordinator, contract):
    return open_round(coordinator, contract, TERMS)


@pytest.fixture
def stranger(db):
    """A member of another season, at another point."""
    return subscription_to(point_on_tuesdays()).member


@pytest.fixture
def other_coordinator(db):
    """The coordinator of another point, with a season of its own."""
    point = point_on_tuesdays()
    user = UserFactory()
    point.coordinators.add(user)
    subscription_to(point)
    return user


def page_text(response) -> str:
    return response.content.decode()


# The coordinator


def test_a_coordinator_opens_a_round_from_the_form(client, coordinator, contract):
    client.force_login(coordinator)
    listing = client.get(reverse("solidarity:rounds"))
    form_url = reverse("solidarity:open-round", kwargs={"contract_id": contract.pk})
    assert form_url in page_text(listing)

    response = client.post(
        form_url,
        {
            "budget": "1 000,00",
            "min_pledge": "8",
            "max_pledge": "20,50",
            "deadline": "2026-11-30T18:00",
        },
    )

    opened = ContributionRound.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("solidarity:round", kwargs={"pk": opened.pk})
    assert (opened.budget, opened.min_pledge, opened.max_pledge) == (
        euros("1000.00"),
        euros("8.00"),
        euros("20.50"),
    )
    assert opened.deadline == dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)  # 18:00 in Paris


def test_reversed_bounds_in_the_form_say_so_and_open_nothing(client, coordinator, contract):
    client.force_login(coordinator)

    response = client.post(
        reverse("solidarity:open-round", kwargs={"contract_id": contract.pk}),
        {"budget": "1000", "min_pledge": "20", "max_pledge": "8", "deadline": "2026-11-30T18:00"},
    )

    assert response.status_code == 400
    assert gettext("The highest pledge must not be below the lowest pledge.") in page_text(response)
    assert not ContributionRound.objects.exists()


def test_the_round_page_shows_how_far_the_pledges_go_without_names(
    client, coordinator, open_one, member, contract, point
):
    neighbour = household(contract, point, quantity=2, first_name="Héloïse")
    pledge(member, open_one.pk, "10")  # 130.00
    pledge(neighbour.member, open_one.pk, "15")  # 390.00
    client.force_login(coordinator)

    text = page_text(client.get(reverse("solidarity:round", kwargs={"pk": open_one.pk})))

    assert 'value="520.00"' in text and 'max="1000.00"' in text  # the meter
    assert "520,00" in text and "52 %" in text  # its words
    assert "Héloïse" not in text and member.get_full_name() not in text


def test_the_coordinator_closes_early_only_once_covered(
    client, coordinator, open_one, member, contract
):
    client.force_login(coordinator)
    close_url = reverse("solidarity:close-round", kwargs={"pk": open_one.pk})

    client.post(close_url)
    open_one.refresh_from_db()
    assert open_one.state == RoundState.OPEN

    ContributionRound.objects.filter(pk=open_one.pk).update(budget=euros("100"))
    pledge(member, open_one.pk, "10")  # 130.00
    client.post(close_url)
    open_one.refresh_from_db()
    assert open_one.state == RoundState.COVERED


def test_a_short_round_shows_the_shortfall_and_offers_a_second_round(
    client, coordinator, open_one, member, contract
):
    pledge(member, open_one.pk, "10")
    from marketplace.solidarity.services.rounds import close_round

    close_round(open_one.pk, open_one.deadline)
    client.force_login(coordinator)

    text = page_text(client.get(reverse("solidarity:round", kwargs={"pk": open_one.pk})))

    assert "870,00" in text  # 1,000 − 13 × 10
    assert "66,93" in text  # 870 € over 13 baskets, rounded up
    assert reverse("solidarity:open-round", kwargs={"contract_id": contract.pk}) in text


def test_another_coordinator_sees_none_of_the_contracts_round_pages(
    client, other_coordinator, open_one, contract
):
    client.force_login(other_coordinator)

    for url in (
        reverse("solidarity:open-round", kwargs={"contract_id": contract.pk}),
        reverse("solidarity:round", kwargs={"pk": open_one.pk}),
        reverse("solidarity:gauge", kwargs={"pk": open_one.pk}),
        reverse("solidarity:pledge", kwargs={"pk": open_one.pk}),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("solidarity:close-round", kwargs={"pk": open_one.pk})).status_code
        == 404
    )
    response = client.post(
        reverse("solidarity:open-round", kwargs={"contract_id": contract.pk}),
        {"budget": "1000", "min_pledge": "8", "max_pledge": "20", "deadline": "2026-11-30T18:00"},
    )
    assert response.status_code == 404
    assert ContributionRound.objects.count() == 1
    assert reverse("solidarity:round", kwargs={"pk": open_one.pk}) not in page_text(
        client.get(reverse("solidarity:rounds"))
    )


# The household


def test_a_member_pledges_on_their_page(client, member, open_one, contract):
    client.force_login(member)
    url = reverse("solidarity:pledge", kwargs={"pk": open_one.pk})

    text = page_text(client.get(url))
    assert "8,00" in text and "20,00" in text  # the bounds
    assert "12,00" in text  # the reference price
    assert "<meter" in text

    response = client.post(url, {"amount": "12,50"})

    assert response.status_code == 302
    assert Pledge.objects.get().amount == euros("12.50")
    assert "12,50" in page_text(client.get(url))


def test_a_pledge_outside_the_bounds_says_so_and_is_not_saved(client, member, open_one):
    client.force_login(member)

    response = client.post(
        reverse("solidarity:pledge", kwargs={"pk": open_one.pk}), {"amount": "25"}
    )

    assert response.status_code == 400
    assert gettext("Pledge between %(low)s € and %(high)s € per basket.") % {
        "low": "8,00",
        "high": "20,00",
    } in page_text(response)
    assert not Pledge.objects.exists()


def test_a_member_of_another_contract_cannot_see_nor_pledge_in_the_round(
    client, stranger, open_one
):
    client.force_login(stranger)

    assert client.get(reverse("solidarity:pledge", kwargs={"pk": open_one.pk})).status_code == 404
    assert client.get(reverse("solidarity:gauge", kwargs={"pk": open_one.pk})).status_code == 404
    response = client.post(
        reverse("solidarity:pledge", kwargs={"pk": open_one.pk}), {"amount": "10"}
    )
    assert response.status_code == 404
    assert not Pledge.objects.exists()


def test_the_gauge_figure_for_the_pages_refresh(client, member, open_one):
    pledge(member, open_one.pk, "10")
    client.force_login(member)

    figure = client.get(reverse("solidarity:gauge", kwargs={"pk": open_one.pk})).json()

    assert (figure["pledged"], figure["budget"], figure["percent"], figure["pledges"]) == (
        "130.00",
        "1000.00",
        13,
        1,
    )
    assert "130,00" in figure["text"]


def test_the_gauge_needs_signing_in(client, open_one):
    response = client.get(reverse("solidarity:gauge", kwargs={"pk": open_one.pk}))

    assert response.status_code == 302


def test_the_basket_page_points_to_the_open_round(client, member, open_one, stranger):
    client.force_login(member)
    pledge_url = reverse("solidarity:pledge", kwargs={"pk": open_one.pk})

    assert pledge_url in page_text(client.get(reverse("baskets:mine")))

    client.force_login(stranger)
    assert pledge_url not in page_text(client.get(reverse("baskets:mine")))


def test_a_next_round_form_starts_from_the_last_rounds_terms(client, coordinator, contract, member):
    short = open_round(
        coordinator,
        contract,
        RoundTerms(budget="900", min_pledge="9", max_pledge="19", deadline=TERMS.deadline),
    )
    from marketplace.solidarity.services.rounds import close_round

    close_round(short.pk, short.deadline)
    client.force_login(coordinator)

    text = page_text(
        client.get(reverse("solidarity:open-round", kwargs={"contract_id": contract.pk}))
    )

    assert 'value="900,00"' in text and 'value="19,00"' in text
