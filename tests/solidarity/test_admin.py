"""Staff see funds, their ledger, requests and reviews in the admin, and decide requests there
through the services."""

import pytest
from django.urls import reverse

from marketplace.solidarity.models import FundEntryKind, RequestState, Tier
from marketplace.solidarity.services import ask_for_tier, record_fund_entry
from tests.payments.world import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]


def test_staff_see_the_funds_pages(admin_client, fund, coordinator):
    record_fund_entry(coordinator, fund, FundEntryKind.DONATION, "25")

    for name in ("fund", "fundentry", "tierrequest", "ratereview"):
        response = admin_client.get(reverse(f"admin:solidarity_{name}_changelist"))
        assert response.status_code == 200
    page = admin_client.get(reverse("admin:solidarity_fund_change", args=[fund.pk]))
    assert page.status_code == 200
    assert fund.name in page.content.decode()


def test_staff_approve_a_request_from_the_admin(admin_client, subscription, member):
    request = ask_for_tier(
        member, Tier.REDUCED, subscription=subscription, declaration="Fin de droits."
    )

    admin_client.post(
        reverse("admin:solidarity_tierrequest_changelist"),
        {"action": "approve", "_selected_action": [request.pk]},
    )

    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
    assert subscription.solidarity_tier.tier == Tier.REDUCED
