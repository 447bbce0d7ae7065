"""A member's solidarity data is theirs: their export holds their tiers, their requests with
what they declared, and their pledges; closing their account deletes their requests and their
tier à la carte (the fund's ledger keeps its amounts)."""

import pytest

from marketplace.member_data.selectors import member_data
from marketplace.member_data.services import close_account
from marketplace.solidarity.models import FundEntry, MemberTier, Tier, TierRequest
from marketplace.solidarity.services import approve_request, ask_for_tier
from marketplace.solidarity.services.entries import write_fund_entry
from tests.factories import UserFactory
from tests.payments.world import NOW, TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]


def test_the_export_holds_the_members_tiers_and_what_they_declared(fund, subscription, coordinator):
    member = subscription.member
    request = ask_for_tier(
        member, Tier.REDUCED, subscription=subscription, declaration="Au chômage depuis mars."
    )
    approve_request(coordinator, request)

    data = member_data(member)["solidarity"]

    assert [tier["plan"] for tier in data["tiers"]] == [subscription.contract.plan.name]
    assert data["requests"][0]["declaration"] == "Au chômage depuis mars."
    assert data["tier_a_la_carte"] is None
    assert member_data(UserFactory())["solidarity"]["requests"] == []


def test_closing_the_account_deletes_the_requests_and_the_tier_a_la_carte(fund, point, coordinator):
    member = UserFactory()
    request = ask_for_tier(member, Tier.REDUCED, pickup_point=point, declaration="RSA")
    approve_request(coordinator, request)
    write_fund_entry(fund, "reduction", "-2.40", on=TODAY, now=NOW, member=member)

    close_account(member)

    assert not TierRequest.objects.filter(member=member).exists()
    assert not MemberTier.objects.filter(member=member).exists()
    assert FundEntry.objects.filter(fund=fund, kind="reduction").count() == 1
