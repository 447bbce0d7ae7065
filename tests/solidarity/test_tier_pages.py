"""A member's solidarity pricing page: their subscriptions at a fund's pickup points, the price
per basket at each tier, asking for a tier, withdrawing a request; for the member alone."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from marketplace.solidarity.models import (
    MemberTier,
    RequestState,
    SolidarityTier,
    Tier,
    TierRequest,
)
from marketplace.solidarity.services import ask_for_tier, refuse_request
from tests.factories import UserFactory
from tests.payments.world import NOW, point_on_tuesdays, subscription_to

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]

PAGE = reverse("solidarity:my-tier")
DECLARATION = "Je suis au RSA depuis septembre."


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def asking(subscription, tier, **fields):
    prefix = f"tier-{subscription.pk}"
    return {"for": str(subscription.pk), f"{prefix}-tier": tier} | {
        f"{prefix}-{name}": value for name, value in fields.items()
    }


def said(text: str, message: str) -> bool:
    return html.unescape(gettext(message)) in text


def test_the_page_shows_the_subscription_and_its_price_at_each_tier(client, member, subscription):
    client.force_login(member)

    response = client.get(PAGE)

    text = text_of(response)
    assert response.status_code == 200
    assert subscription.contract.plan.name in text
    assert "8,40" in text  # reduced: 12.00 less the fund's 30 %
    assert "12,00" in text  # standard, the reference price
    assert "3,60" in text  # what the fund pays the producer on the reduced tier
    assert said(
        text,
        "Each basket has a reference price: what the producer receives, always, "
        "whatever your tier.",
    )


def test_the_page_is_for_signed_in_members(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert "login" in response.url


def test_the_baskets_page_links_to_the_tier_page(client, member, subscription):
    client.force_login(member)

    assert PAGE in client.get(reverse("baskets:mine")).content.decode()


def test_asking_for_the_reduced_tier_makes_a_pending_request_shown_on_the_page(
    client, member, subscription
):
    client.force_login(member)

    response = client.post(
        PAGE, asking(subscription, Tier.REDUCED, declaration=DECLARATION), follow=True
    )

    request = TierRequest.objects.get()
    assert (request.state, request.declaration) == (RequestState.PENDING, DECLARATION)
    assert request.subscription == subscription
    text = text_of(response)
    assert said(
        text, "Your request has been sent to the coordinators: you will be told their answer."
    )
    assert str(RequestState.PENDING.label) in text
    assert DECLARATION in text
    assert reverse("solidarity:withdraw-request", kwargs={"pk": request.pk}) in text
    assert not SolidarityTier.objects.exists()


def test_an_empty_declaration_is_refused_next_to_its_field(client, member, subscription):
    client.force_login(member)

    response = client.post(PAGE, asking(subscription, Tier.REDUCED, declaration="   "))

    assert response.status_code == 400
    text = text_of(response)
    assert said(text, "Say in a few words why you ask for the reduced tier.")
    assert f'id="id_tier-{subscription.pk}-declaration_error"' in text
    assert 'aria-invalid="true"' in text
    assert not TierRequest.objects.exists()


def test_a_declaration_too_long_is_refused(client, member, subscription):
    client.force_login(member)

    response = client.post(PAGE, asking(subscription, Tier.REDUCED, declaration="x" * 501))

    assert response.status_code == 400
    assert f'id="id_tier-{subscription.pk}-declaration_error"' in text_of(response)
    assert not TierRequest.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-2", "0,00"])
def test_a_supporter_amount_not_above_zero_is_refused(client, member, subscription, amount):
    client.force_login(member)

    response = client.post(PAGE, asking(subscription, Tier.SUPPORTER, supporter_amount=amount))

    assert response.status_code == 400
    text = text_of(response)
    assert said(text, "Give an amount above 0 €: what you add to the price.")
    assert f'id="id_tier-{subscription.pk}-supporter_amount_error"' in text
    assert not TierRequest.objects.exists() and not SolidarityTier.objects.exists()


def test_a_supporter_gives_an_amount_above_per_basket(client, member, subscription):
    client.force_login(member)

    response = client.post(
        PAGE, asking(subscription, Tier.SUPPORTER, supporter_amount="2,50"), follow=True
    )

    tier = SolidarityTier.objects.get(subscription=subscription)
    assert (tier.tier, str(tier.supporter_amount)) == (Tier.SUPPORTER, "2.50")
    text = text_of(response)
    assert said(text, "Thank you: you are on the supporter tier from now on.")
    assert "14,50" in text  # what they pay per basket now


def test_a_supporter_gives_a_percentage_at_most_100(client, member, subscription):
    client.force_login(member)

    response = client.post(PAGE, asking(subscription, Tier.SUPPORTER, supporter_percent="150"))

    assert response.status_code == 400
    assert said(text_of(response), "Give a percentage above 0 and at most 100.")
    assert not SolidarityTier.objects.exists()


def test_a_refusal_of_the_service_is_shown_and_nothing_saved(client, member, subscription):
    ask_for_tier(member, Tier.REDUCED, subscription=subscription, declaration=DECLARATION)
    client.force_login(member)

    response = client.post(PAGE, asking(subscription, Tier.SUPPORTER, supporter_percent="10"))

    assert response.status_code == 400
    assert said(text_of(response), "You have already asked: your request is waiting for an answer.")
    assert TierRequest.objects.count() == 1 and not SolidarityTier.objects.exists()


def test_a_member_withdraws_their_request(client, member, subscription):
    request = ask_for_tier(member, Tier.REDUCED, subscription=subscription, declaration=DECLARATION)
    client.force_login(member)
    url = reverse("solidarity:withdraw-request", kwargs={"pk": request.pk})

    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)

    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN
    assert said(text_of(response), "Your request is withdrawn.")


def test_another_member_cannot_withdraw_someone_elses_request(client, member, subscription):
    request = ask_for_tier(member, Tier.REDUCED, subscription=subscription, declaration=DECLARATION)
    client.force_login(UserFactory())

    response = client.post(reverse("solidarity:withdraw-request", kwargs={"pk": request.pk}))

    assert response.status_code == 404
    request.refresh_from_db()
    assert request.state == RequestState.PENDING


def test_another_member_cannot_ask_on_someone_elses_subscription(client, member, subscription):
    client.force_login(UserFactory())

    response = client.post(PAGE, asking(subscription, Tier.REDUCED, declaration=DECLARATION))

    assert response.status_code == 404
    assert not TierRequest.objects.exists()


def test_the_page_shows_nothing_of_other_members(client, member, subscription, point):
    neighbour = subscription_to(point, member=UserFactory(first_name="Héloïse"))
    ask_for_tier(
        neighbour.member, Tier.REDUCED, subscription=neighbour, declaration="Confidentiel."
    )
    client.force_login(member)

    text = text_of(client.get(PAGE))

    assert "Confidentiel." not in text and "Héloïse" not in text


def test_the_last_refusal_and_its_answer_are_shown(client, member, subscription, coordinator):
    request = ask_for_tier(member, Tier.REDUCED, subscription=subscription, declaration=DECLARATION)
    refuse_request(coordinator, request, answer="Parlons-en à la prochaine distribution.")
    client.force_login(member)

    text = text_of(client.get(PAGE))

    assert "Parlons-en à la prochaine distribution." in text


def test_a_fund_closed_to_requests_puts_the_request_on_its_waiting_list(
    client, member, subscription, fund
):
    fund.open_to_requests = False
    fund.save()
    client.force_login(member)

    response = client.post(
        PAGE, asking(subscription, Tier.REDUCED, declaration=DECLARATION), follow=True
    )

    assert TierRequest.objects.get().state == RequestState.WAITING
    assert str(RequestState.WAITING.label) in text_of(response)


def test_a_fund_trusting_declarations_approves_at_once_and_says_so(
    client, member, subscription, fund
):
    fund.trusts_declarations = True
    fund.save()
    client.force_login(member)

    response = client.post(
        PAGE, asking(subscription, Tier.REDUCED, declaration=DECLARATION), follow=True
    )

    assert TierRequest.objects.get().state == RequestState.APPROVED
    assert SolidarityTier.objects.get(subscription=subscription).tier == Tier.REDUCED
    assert said(
        text_of(response),
        "Your fund trusts its members' declarations: your request is approved at once, and "
        "you are on the reduced tier from now on.",
    )


def test_back_to_the_standard_tier(client, member, subscription, fund):
    ask_for_tier(member, Tier.SUPPORTER, subscription=subscription, supporter_percent="10")
    client.force_login(member)

    response = client.post(PAGE, asking(subscription, Tier.STANDARD), follow=True)

    assert not SolidarityTier.objects.exists()
    assert said(text_of(response), "You pay the reference price.")


def test_a_la_carte_a_member_chooses_a_percentage_at_their_funds_point(
    client, member, subscription, fund
):
    client.force_login(member)

    response = client.post(
        PAGE,
        {"for": "a-la-carte", "tier-a-la-carte-tier": Tier.SUPPORTER}
        | {"tier-a-la-carte-supporter_percent": "12,5"},
        follow=True,
    )

    choice = MemberTier.objects.get(member=member)
    assert (choice.tier, str(choice.supporter_percent), choice.fund) == (
        Tier.SUPPORTER,
        "12.50",
        fund,
    )
    assert 'name="tier-a-la-carte-supporter_amount"' not in text_of(response)


def test_a_member_without_a_subscription_at_a_funds_point_is_told_plainly(client, fund):
    elsewhere = subscription_to(point_on_tuesdays(name="Sans caisse"))
    client.force_login(elsewhere.member)

    response = client.get(PAGE)

    text = text_of(response)
    assert response.status_code == 200
    assert said(
        text,
        "None of your subscriptions is at a pickup point with a solidarity fund, so there is "
        "no tier to choose: everyone pays the reference price there. If you would like your "
        "pickup point to have a solidarity fund, ask its coordinators.",
    )
    assert "Sans caisse" in text
    assert 'name="for"' not in text  # no tier to ask for


def test_the_page_in_english(client, member, subscription):
    client.force_login(member)

    text = text_of(client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en"))

    assert "Solidarity pricing" in text
    assert "Reduced: 8.40" in text or "Reduced: €8.40" in text
    assert '<th scope="row">Reduced</th>' in text
    assert "Standard — the reference price" in text  # the member's tier


def test_the_page_in_french(client, member, subscription):
    client.force_login(member)

    text = text_of(client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fr"))

    assert '<th scope="row">Tarif réduit</th>' in text  # the tiers' names, translated
    assert "Tarif normal — " in text  # the member's tier
    assert '<th scope="row">Reduced</th>' not in text
    assert gettext("Solidarity pricing") in text


def test_the_page_reads_a_bounded_number_of_queries(
    client, member, point, fund, django_assert_max_num_queries
):
    """Session, user, subscriptions, requests, the fund's rate (three), the member's tier à la
    carte and the fund's staples, the site header (two): as many for three subscriptions as for
    one."""
    subscription_to(point, member=member)
    client.force_login(member)
    with CaptureQueriesContext(connection) as one:
        client.get(PAGE)
    for _ in range(2):
        subscription_to(point, member=member)

    with django_assert_max_num_queries(11):
        response = client.get(PAGE)

    assert len(one.captured_queries) <= 11
    assert response.status_code == 200
    assert text_of(response).count('name="for"') == 4  # three subscriptions, and à la carte
