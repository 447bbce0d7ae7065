"""Members choosing a tier; coordinators deciding reduced-tier requests; the fund's waiting
list and its trust in declarations."""

from decimal import Decimal

import pytest
from django.utils.translation import gettext

from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.models import (
    MemberTier,
    RequestState,
    SolidarityTier,
    Tier,
    TierRequest,
)
from marketplace.solidarity.selectors import (
    pending_requests_for,
    tier_of_member,
    tier_of_subscription,
)
from marketplace.solidarity.services import (
    approve_request,
    ask_for_tier,
    refuse_request,
    request_outcome,
    withdraw_request,
)
from tests.factories import PickupPointFactory, UserFactory
from tests.payments.world import NOW, point_on_tuesdays, subscription_to
from tests.solidarity.world import said

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]

DECLARATION = "Je suis au RSA depuis septembre."


def ask_reduced(member, subscription, **kwargs):
    return ask_for_tier(
        member, Tier.REDUCED, subscription=subscription, declaration=DECLARATION, **kwargs
    )


def test_a_reduced_tier_request_waits_for_a_coordinator(subscription, member, coordinator):
    request = ask_reduced(member, subscription)

    assert request.state == RequestState.PENDING
    assert request.declaration == DECLARATION
    assert request_outcome(request) == gettext(
        "Your request has been sent to the coordinators: you will be told their answer."
    )
    assert tier_of_subscription(subscription).tier == Tier.STANDARD
    assert list(pending_requests_for(coordinator)) == [request]

    approve_request(coordinator, request)

    request.refresh_from_db()
    assert (request.state, request.decided_by) == (RequestState.APPROVED, coordinator)
    assert request.decided_at == NOW
    subscription.refresh_from_db()
    assert tier_of_subscription(subscription).tier == Tier.REDUCED
    assert not pending_requests_for(coordinator).exists()


def test_a_reduced_tier_request_needs_a_declaration(subscription, member):
    with pytest.raises(SolidarityRefused) as refused:
        ask_for_tier(member, Tier.REDUCED, subscription=subscription, declaration="   ")

    assert said(refused, "Say in a few words why you ask for the reduced tier.")
    assert not TierRequest.objects.exists()


def test_a_fund_trusting_declarations_approves_at_once(fund, subscription, member):
    fund.trusts_declarations = True
    fund.save()

    request = ask_reduced(member, subscription)

    assert request.state == RequestState.APPROVED and request.decided_by is None
    assert request_outcome(request) == gettext("You are on the reduced tier from now on.")
    assert tier_of_subscription(subscription).tier == Tier.REDUCED


def test_a_fund_closed_to_new_requests_puts_them_on_its_waiting_list(
    fund, subscription, member, coordinator
):
    fund.open_to_requests = False
    fund.trusts_declarations = True  # closed wins: the fund cannot afford one more
    fund.save()

    request = ask_reduced(member, subscription)

    assert request.state == RequestState.WAITING
    assert request_outcome(request) == gettext(
        "The solidarity fund is not taking new reduced-tier requests for now: yours is on "
        "its waiting list, and you will be told when it can be approved."
    )
    assert not SolidarityTier.objects.exists()
    assert list(pending_requests_for(coordinator)) == [request]

    with pytest.raises(SolidarityRefused) as refused:
        approve_request(coordinator, request)
    assert said(
        refused,
        "The fund is closed to new reduced-tier requests: this one stays on the waiting "
        "list until a review reopens it.",
    )
    request.refresh_from_db()
    assert request.state == RequestState.WAITING

    fund.open_to_requests = True
    fund.save()
    approve_request(coordinator, request)
    assert tier_of_subscription(subscription).tier == Tier.REDUCED


def test_a_coordinator_refuses_with_a_word(subscription, member, coordinator):
    request = ask_reduced(member, subscription)

    refuse_request(coordinator, request, answer="Parlons-en à la prochaine distribution.")

    request.refresh_from_db()
    assert request.state == RequestState.REFUSED
    assert request.answer == "Parlons-en à la prochaine distribution."
    assert tier_of_subscription(subscription).tier == Tier.STANDARD
    with pytest.raises(SolidarityRefused) as refused:
        approve_request(coordinator, request)
    assert said(refused, "This request has already been answered.")


def test_only_the_funds_coordinators_and_staff_decide(subscription, member, staff):
    request = ask_reduced(member, subscription)
    elsewhere = UserFactory()
    PickupPointFactory().coordinators.add(elsewhere)

    for outsider in (member, elsewhere):
        with pytest.raises(SolidarityRefused) as refused:
            approve_request(outsider, request)
        assert said(
            refused, "Only the coordinators of the fund's pickup points may decide its requests."
        )
        assert not pending_requests_for(elsewhere).exists()
    request.refresh_from_db()
    assert request.state == RequestState.PENDING

    approve_request(staff, request)
    assert tier_of_subscription(subscription).tier == Tier.REDUCED


def test_one_request_at_a_time(subscription, member):
    ask_reduced(member, subscription)

    with pytest.raises(SolidarityRefused) as refused:
        ask_reduced(member, subscription)

    assert said(refused, "You have already asked: your request is waiting for an answer.")
    assert TierRequest.objects.count() == 1


def test_a_member_already_on_the_reduced_tier_does_not_ask_again(fund, subscription, member):
    fund.trusts_declarations = True
    fund.save()
    ask_reduced(member, subscription)

    with pytest.raises(SolidarityRefused) as refused:
        ask_reduced(member, subscription)

    assert said(refused, "You are already on the reduced tier.")


def test_a_supporter_chooses_a_percentage_or_a_price_above_the_reference(subscription, member):
    request = ask_for_tier(
        member, Tier.SUPPORTER, subscription=subscription, supporter_percent="15"
    )

    assert request.state == RequestState.APPROVED
    terms = tier_of_subscription(subscription)
    assert (terms.tier, terms.supporter_percent, terms.supporter_amount) == (
        Tier.SUPPORTER,
        Decimal("15.00"),
        None,
    )

    ask_for_tier(member, Tier.SUPPORTER, subscription=subscription, supporter_price="15,50")

    subscription.refresh_from_db()
    terms = tier_of_subscription(subscription)
    assert (terms.supporter_percent, terms.supporter_amount) == (None, Decimal("3.50"))


@pytest.mark.parametrize(
    ("terms", "says"),
    [
        (
            {"supporter_price": "12.00"},
            "As a supporter you pay more than the reference price (%(price)s €).",
        ),
        (
            {"supporter_price": "9"},
            "As a supporter you pay more than the reference price (%(price)s €).",
        ),
        ({"supporter_percent": "0"}, "Give a percentage above 0 and at most 100."),
        ({"supporter_percent": "150"}, "Give a percentage above 0 and at most 100."),
        (
            {},
            "As a supporter, give either a percentage above the price or the price you pay.",
        ),
        (
            {"supporter_percent": "10", "supporter_price": "14"},
            "As a supporter, give either a percentage above the price or the price you pay.",
        ),
    ],
)
def test_a_supporter_amount_not_above_the_reference_price_is_refused(
    subscription, member, terms, says
):
    with pytest.raises(SolidarityRefused) as refused:
        ask_for_tier(member, Tier.SUPPORTER, subscription=subscription, **terms)

    assert said(refused, says)
    assert not TierRequest.objects.exists()
    assert not SolidarityTier.objects.exists()


def test_the_standard_tier_needs_no_request(fund, subscription, member):
    fund.trusts_declarations = True
    fund.save()
    ask_reduced(member, subscription)

    assert ask_for_tier(member, Tier.STANDARD, subscription=subscription) is None

    subscription.refresh_from_db()
    assert tier_of_subscription(subscription).tier == Tier.STANDARD
    assert not SolidarityTier.objects.exists()


def test_choosing_the_standard_tier_withdraws_a_request_not_answered(subscription, member):
    request = ask_reduced(member, subscription)

    ask_for_tier(member, Tier.STANDARD, subscription=subscription)

    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN


def test_a_member_withdraws_their_own_request_only(subscription, member):
    request = ask_reduced(member, subscription)

    with pytest.raises(SolidarityRefused):
        withdraw_request(UserFactory(), request)
    withdraw_request(member, request)

    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN


def test_only_the_holder_chooses_a_subscriptions_tier(subscription):
    with pytest.raises(SolidarityRefused) as refused:
        ask_reduced(UserFactory(), subscription)

    assert said(refused, "Only the subscription's holder may choose its tier.")
    assert not TierRequest.objects.exists()


def test_a_pickup_point_without_a_fund_has_no_tiers(member):
    point = point_on_tuesdays()
    subscription = subscription_to(point, member=member)

    with pytest.raises(SolidarityRefused) as refused:
        ask_reduced(member, subscription)

    assert said(
        refused, "%(point)s has no solidarity fund: everyone pays the reference price there."
    )
    assert not TierRequest.objects.exists()


def test_a_la_carte_a_member_asks_at_the_point_where_they_collect(fund, point, member, coordinator):
    request = ask_for_tier(member, Tier.REDUCED, pickup_point=point, declaration=DECLARATION)
    assert request.subscription is None and request.fund == fund
    assert list(pending_requests_for(coordinator)) == [request]

    approve_request(coordinator, request)

    assert tier_of_member(member).tier == Tier.REDUCED
    assert MemberTier.objects.get(member=member).fund == fund


def test_a_la_carte_a_supporter_gives_a_percentage(fund, point, member):
    with pytest.raises(SolidarityRefused) as refused:
        ask_for_tier(member, Tier.SUPPORTER, pickup_point=point, supporter_price="15")
    assert said(refused, "Your prices vary with what you choose: give a percentage above them.")

    ask_for_tier(member, Tier.SUPPORTER, pickup_point=point, supporter_percent="10")
    assert tier_of_member(member).supporter_percent == Decimal("10.00")
