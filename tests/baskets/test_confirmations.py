"""Buttons with consequences ask first, on a page that works without JavaScript: the form's POST
without ``confirm`` renders what will happen and changes nothing; the same fields posted again
with ``confirm=1`` act. Giving a basket away (each kind) and ending a member's commitment."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from baskets.models import BasketDelivery, BasketTransfer, SubscriptionState
from baskets.services import claim_basket, subscribe, transfer_delivery
from baskets.tasks import generate_chunk_deliveries
from deliveries.models import DistributionDay
from marketplace.shop_setup import ensure_shop_basics
from tests.baskets.calendar import DEC_1, DEC_8, PARIS_NOW, SIGN_UP_DAY, season
from tests.clock import PARIS
from tests.factories import PickupPointFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

# Monday 30 November, 10:00: Tuesday 1 December's baskets are prepared (its deadline, 48 hours
# before 18:00, passed on Sunday evening); 8 December is still open.
AFTER_DEC_1_DEADLINE = dt.datetime(2026, 11, 30, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def point(db):
    from tests.baskets.calendar import tuesdays

    return tuesdays(PickupPointFactory(name="Maison du Thabor", food_aid_partner="Restos du Cœur"))


def text(response) -> str:
    """The page's words, tags and line breaks aside."""
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(page))


def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def resent_form(response) -> dict:
    """The confirmation form's hidden fields and its confirm button, as the browser posts them."""
    page = response.content.decode()
    form = re.search(
        r'<form method="post" action="([^"]+)" class="basket-actions.*?</form>', page, re.S
    )
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))
    fields.pop("csrfmiddlewaretoken")
    button = re.search(r'<button type="submit" name="(confirm)" value="(1)"', form.group(0))
    fields[button.group(1)] = button.group(2)
    return {"action": form.group(1), "data": {k: html.unescape(v) for k, v in fields.items()}}


def sign_up(contract, point, member=None, quantity=1):
    return subscribe(
        member or UserFactory(), contract, point, quantity=quantity, agreed=True, today=SIGN_UP_DAY
    )


def day_on(point, date):
    return DistributionDay.objects.get(pickup_point=point, date=date)


# Giving a basket away


@pytest.fixture
def holder(point, producer):
    contract = season(point, plan__producer=producer)
    member = UserFactory(first_name="Léa", last_name="Guérin")
    return sign_up(contract, point, member=member)


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        (
            {"kind": "offered"},
            [
                "It is offered to the members of Maison du Thabor at once, and to the "
                "contract's waiting list after 24 hours.",
                "You are emailed the name of whoever takes it.",
                "You can take it back until Sunday 29 November, 18:00, as long as nobody has "
                "taken it; after that, it is final.",
                "Offer it to other members",
            ],
        ),
        (
            {"kind": "named", "recipient_name": "Anne Martin"},
            [
                "Anne Martin collects it in your place",
                "We do not email Anne Martin: tell them yourself.",
                "You can take it back until Sunday 29 November, 18:00; after that, it is final.",
                "Give it to Anne Martin",
            ],
        ),
        (
            {"kind": "food_aid"},
            [
                "The volunteers hand it to Restos du Cœur on the day; nobody is emailed.",
                "Give it to Restos du Cœur",
            ],
        ),
    ],
)
def test_giving_a_basket_away_says_what_will_happen_then_does_it_once_confirmed(
    client, point, holder, producer, fields, says
):
    english(client).force_login(holder.member)
    url = reverse("baskets:transfer", kwargs={"pk": holder.pk, "day_id": day_on(point, DEC_1).pk})

    asked = client.post(url, fields)

    assert asked.status_code == 200
    page = text(asked)
    assert "Give your basket away?" in page
    assert "Tuesday 1 December, 18:00, Maison du Thabor" in page
    assert f"{producer.name} still brings it, and it does not count as one of your absences." in (
        page
    )
    for sentence in says:
        assert sentence in page
    assert not BasketTransfer.objects.exists()

    form = resent_form(asked)
    assert form["action"] == url
    assert form["data"] == {**fields, "confirm": "1"}
    done = client.post(form["action"], form["data"], follow=True)

    transfer = BasketTransfer.objects.get()
    assert transfer.kind == fields["kind"]
    assert transfer.recipient_name == fields.get("recipient_name", "")
    assert done.redirect_chain[-1][0].startswith(reverse("baskets:mine"))
    assert "alert-success" in done.content.decode()


def test_a_co_holder_is_told_they_are_emailed_too(client, point, holder):
    holder.co_holder = UserFactory(first_name="Marc", last_name="Riou")
    holder.save()
    english(client).force_login(holder.member)
    url = reverse("baskets:transfer", kwargs={"pk": holder.pk, "day_id": day_on(point, DEC_1).pk})

    assert "You and Marc Riou are emailed the name of whoever takes it." in text(
        client.post(url, {"kind": "offered"})
    )


def test_giving_away_without_a_name_or_after_the_deadline_is_refused_before_asking(
    client, point, holder, clock
):
    english(client).force_login(holder.member)
    url = reverse("baskets:transfer", kwargs={"pk": holder.pk, "day_id": day_on(point, DEC_1).pk})

    nameless = client.post(url, {"kind": "named", "recipient_name": " "}, follow=True)
    assert "Give the name of the person who will collect the basket." in text(nameless)
    clock.now = AFTER_DEC_1_DEADLINE
    late = client.post(url, {"kind": "offered"}, follow=True)
    assert "Too late for this delivery" in text(late)
    assert "Give your basket away?" not in text(late)
    assert not BasketTransfer.objects.exists()


def test_nobody_sees_the_confirmation_of_someone_elses_basket(client, point, holder):
    english(client).force_login(UserFactory())
    url = reverse("baskets:transfer", kwargs={"pk": holder.pk, "day_id": day_on(point, DEC_1).pk})

    response = client.post(url, {"kind": "offered"})

    assert response.status_code == 302
    assert not BasketTransfer.objects.exists()


# Ending a commitment


@pytest.fixture
def coordinator(point):
    user = UserFactory(email="referente@example.org")
    point.coordinators.add(user)
    return user


def test_ending_a_commitment_says_what_will_happen_then_does_it_once_confirmed(
    client, point, producer, coordinator, clock, mailoutbox, django_capture_on_commit_callbacks
):
    contract = season(point, capacity=2, plan__producer=producer)
    holder = sign_up(
        contract, point, member=UserFactory(first_name="Léa", last_name="Guérin"), quantity=2
    )
    sign_up(contract, point, member=UserFactory(first_name="Hugo", last_name="Le Bihan"))
    neighbour = UserFactory(first_name="Inès", last_name="Morvan")
    sign_up(season(point, capacity=5, plan__name="Part d'œufs"), point, member=neighbour)
    offered = transfer_delivery(holder.member, holder.pk, day_on(point, DEC_8).pk, "offered")
    claim_basket(neighbour, offered.pk)
    clock.now = AFTER_DEC_1_DEADLINE
    generate_chunk_deliveries([point.pk])
    deliveries = BasketDelivery.objects.filter(subscription=holder).count()
    mailoutbox.clear()
    english(client).force_login(coordinator)
    url = reverse("baskets:end-commitment", kwargs={"pk": holder.pk})

    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(url)

    assert asked.status_code == 200
    page = text(asked)
    assert "End this commitment?" in page
    assert "Léa Guérin — Petit panier de légumes" in page
    assert "2 baskets per delivery" in page
    for sentence in (
        "The baskets of Tuesday 1 December are already prepared: they remain theirs to collect.",
        f"From Tuesday 8 December, {producer.name} brings 2 baskets fewer to Maison du Thabor.",
        "Léa Guérin is emailed, with the baskets still theirs to collect.",
        "Inès Morvan had taken one of their coming baskets and is emailed that it will not be "
        "delivered.",
        "1 household is on the waiting list: the freed place is offered to them by email.",
        "This cannot be undone.",
    ):
        assert sentence in page
    holder.refresh_from_db()
    assert holder.state == SubscriptionState.ACTIVE
    assert BasketDelivery.objects.filter(subscription=holder).count() == deliveries
    assert BasketTransfer.objects.filter(claimed_by=neighbour).exists()
    assert mailoutbox == []

    form = resent_form(asked)
    assert form == {"action": url, "data": {"confirm": "1"}}
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(form["action"], form["data"], follow=True)

    holder.refresh_from_db()
    assert holder.state == SubscriptionState.ENDED
    assert done.redirect_chain[-1][0] == reverse("baskets:coordination")
    assert {address for message in mailoutbox for address in message.to} == {
        holder.member.email,
        neighbour.email,
        contract.subscriptions.get(member__first_name="Hugo").member.email,
    }


def test_only_those_who_manage_the_contract_see_what_ending_it_would_do(client, point, producer):
    holder = sign_up(season(point, plan__producer=producer), point)
    english(client).force_login(UserFactory())

    response = client.post(reverse("baskets:end-commitment", kwargs={"pk": holder.pk}), follow=True)

    assert "You do not manage this contract at this pickup point." in text(response)
    assert "End this commitment?" not in text(response)
    holder.refresh_from_db()
    assert holder.state == SubscriptionState.ACTIVE
