"""Closing a distribution day through its page: it asks first, saying what becomes of each line
nobody collected, and closes once confirmed; an error, or going back to change a choice, keeps
every choice and typed name. The pickup list's search works as a plain form (``?q=``)."""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from baskets.services import announce_composition, transfer_delivery
from deliveries.distribution.selectors.pickup_list import pickup_list, prepare_handovers
from deliveries.models import DayState, Handover, VolunteerShift
from deliveries.network.services import materialise_distribution_days
from marketplace.checkout.services import place_order_for_day
from marketplace.shop_setup import ensure_shop_basics
from tests.baskets.calendar import first_changeable_day
from tests.deliveries.test_pickup_list import household
from tests.factories import (
    PickupPointFactory,
    ScheduleFactory,
    UserFactory,
    contract_at,
    product_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled_day(producer):
    """A point with a food-aid partner, its next day: Zoé, Léa and Hugo with a vegetable basket
    (Hugo's given to Anne Martin), and Zoé's order."""
    ensure_shop_basics()
    point = PickupPointFactory(name="Maison du Thabor", food_aid_partner="Restos du Cœur")
    weekday = (timezone.localdate() + dt.timedelta(days=4)).weekday()
    ScheduleFactory(pickup_point=point, weekday=weekday, valid_from=timezone.localdate())
    materialise_distribution_days()
    day = first_changeable_day(point)
    contract = contract_at(point, plan__producer=producer)
    announce_composition(producer, contract.plan.pk, day.date, [("Carottes", Decimal("1"), "kg")])
    zoe, _lea, hugo = (
        household(point, first, last, contract)
        for first, last in (("Zoé", "Bouvier"), ("Léa", "Guérin"), ("Hugo", "Le Bihan"))
    )
    transfer_delivery(hugo.member, hugo.pk, day.pk, "named", "Anne Martin")
    squash = product_for(producer, title="Courge butternut", price="3.40", stock=20)
    place_order_for_day(zoe.member, [(squash, 2)], day.pk)
    prepare_handovers(day)
    return day


@pytest.fixture
def volunteer(filled_day):
    user = UserFactory(first_name="Benoît", last_name="Lemaire")
    VolunteerShift.objects.create(distribution_day=filled_day, volunteer=user)
    return user


def text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(page))


def chosen(response) -> dict[int, str]:
    """The fate ticked for each line on the close form."""
    page = response.content.decode()
    return {
        int(pk): fate for pk, fate in re.findall(r'id="fate-(\d+)-(\w+)" value="\w+" checked', page)
    }


def typed(response, pk: int) -> str:
    match = re.search(rf'name="recipient-{pk}" value="([^"]*)"', response.content.decode())
    return html.unescape(match.group(1))


@pytest.fixture
def started(filled_day, clock, client, volunteer):
    """An hour into the day, its volunteer on the close page, in English."""
    clock.now = filled_day.starts_at + dt.timedelta(hours=1)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(volunteer)
    return reverse("deliveries:close-day", kwargs={"pk": filled_day.pk})


def test_closing_says_what_becomes_of_each_line_then_closes_once_confirmed(
    client, filled_day, started
):
    anne, lea, zoe_basket, zoe_order = pickup_list(filled_day).lines
    fates = {
        f"fate-{anne.handover.pk}": "given",
        f"recipient-{anne.handover.pk}": "Marc Riou",
        f"fate-{lea.handover.pk}": "food_aid",
        f"recipient-{lea.handover.pk}": "",
        f"fate-{zoe_basket.handover.pk}": "kept",
        f"recipient-{zoe_basket.handover.pk}": "",
    }

    asked = client.post(started, fates)

    assert asked.status_code == 200
    page = text(asked)
    assert "Close the distribution?" in page
    assert "0 lines collected. 4 lines nobody collected become:" in page
    assert "given to Marc Riou" in page
    assert "given to Restos du Cœur" in page
    assert page.count("kept for the member") == 2  # Zoé's order had no fate sent: kept
    assert "This cannot be undone." in page
    filled_day.refresh_from_db()
    assert filled_day.closed_at is None
    assert not Handover.objects.exclude(fate="").exists()

    resent = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', asked.content.decode())
    )
    resent.pop("csrfmiddlewaretoken")
    assert resent == fates
    done = client.post(started, {**resent, "confirm": "1"}, follow=True)

    filled_day.refresh_from_db()
    assert filled_day.state == DayState.DONE
    fate = dict(Handover.objects.values_list("pk", "fate"))
    assert fate[anne.handover.pk] == "given" and fate[lea.handover.pk] == "food_aid"
    assert Handover.objects.get(pk=anne.handover.pk).fate_recipient == "Marc Riou"
    assert done.redirect_chain[-1][0] == reverse(
        "deliveries:pickup-list", kwargs={"pk": filled_day.pk}
    )


@pytest.mark.parametrize("confirmed", [False, True], ids=["asking", "confirming"])
def test_an_error_keeps_every_choice_and_typed_name(client, filled_day, started, confirmed):
    anne, lea, zoe_basket, zoe_order = (line.handover.pk for line in pickup_list(filled_day).lines)
    fates = {
        f"fate-{anne}": "given",
        f"recipient-{anne}": "  ",
        f"fate-{lea}": "given",
        f"recipient-{lea}": "Marc Riou",
        f"fate-{zoe_basket}": "food_aid",
        f"fate-{zoe_order}": "kept",
        f"recipient-{zoe_order}": "typed, then kept",
    }
    if confirmed:
        fates["confirm"] = "1"

    response = client.post(started, fates)

    assert response.status_code == 200
    assert "Give the name of the person who took a basket left." in text(response)
    assert "Close the distribution?" not in text(response)
    assert chosen(response) == {
        anne: "given",
        lea: "given",
        zoe_basket: "food_aid",
        zoe_order: "kept",
    }
    assert typed(response, lea) == "Marc Riou"
    assert typed(response, zoe_order) == "typed, then kept"
    filled_day.refresh_from_db()
    assert filled_day.closed_at is None


def test_changing_the_choices_goes_back_to_the_form_with_them(client, filled_day, started):
    anne, lea, zoe_basket, zoe_order = (line.handover.pk for line in pickup_list(filled_day).lines)

    response = client.post(
        started,
        {f"fate-{anne}": "given", f"recipient-{anne}": "Marc Riou", "change": "1"},
    )

    assert "Close the distribution?" not in text(response)
    assert chosen(response)[anne] == "given"
    assert typed(response, anne) == "Marc Riou"
    assert chosen(response)[lea] == "kept"
    filled_day.refresh_from_db()
    assert filled_day.closed_at is None


def test_a_day_not_started_cannot_be_closed_and_says_so_before_asking(
    client, filled_day, volunteer
):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(volunteer)

    response = client.post(reverse("deliveries:close-day", kwargs={"pk": filled_day.pk}), {})

    assert "This distribution has not started yet." in text(response)
    assert "Close the distribution?" not in text(response)


# The search box without JavaScript


def test_the_pickup_lists_search_finds_households_on_the_server(client, filled_day, volunteer):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(volunteer)
    url = reverse("deliveries:pickup-list", kwargs={"pk": filled_day.pk})

    found = client.get(url, {"q": "LEA"})  # case and accents aside
    households = re.findall(
        r'<li class="household[^"]*" data-search="([^"]+)"', found.content.decode()
    )

    assert [html.unescape(name).strip() for name in households] == ["léa guérin"]
    assert 'name="q" value="LEA"' in found.content.decode()
    assert re.search(r"<span class=\"js-remaining\">4</span>", found.content.decode())
    # Whom a basket is collected for is found too: Anne Martin collects Hugo's.
    for_hugo = client.get(url, {"q": "hugo"}).content.decode()
    assert re.findall(r'data-search="([^"]+)"', for_hugo) == ["anne martin hugo le bihan"]

    nobody = client.get(url, {"q": "xavier"})
    assert "No household matches." in text(nobody)
    assert '<p class="js-no-match text-muted">' in nobody.content.decode()
    assert "Nobody collects anything on this day." not in text(nobody)
    everyone = client.get(url).content.decode()
    assert len(re.findall(r'<li class="household', everyone)) == 3
