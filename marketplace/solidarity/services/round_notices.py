"""The emails a contribution round's close sends: to the coordinator who opened it (or the
contract's référents), and to every household holding a place in the contract, each once."""

from django.conf import settings
from django.urls import reverse

from marketplace.core.emails import compose
from marketplace.core.sending import send_each_once
from marketplace.solidarity.models import ContributionRound, RoundState
from marketplace.solidarity.selectors.rounds import (
    holding_subscriptions,
    pledges_of,
    round_figures,
)

MEMBER_TEMPLATE = "solidarity/email/round_closed_member"
COORDINATOR_TEMPLATE = "solidarity/email/round_closed_coordinator"


def tell_round_closed(round_id: int) -> int:
    """Email the round's close to its coordinator and its households, each once whatever the
    number of runs. Nothing while the round is open. Returns the emails sent."""
    contribution_round = (
        ContributionRound.objects.filter(pk=round_id)
        .exclude(state=RoundState.OPEN)
        .select_related("contract__plan__producer", "opened_by")
        .first()
    )
    if contribution_round is None:
        return 0
    contract = contribution_round.contract
    common = {
        "round": contribution_round,
        "contract": contract,
        "plan": contract.plan,
        "producer": contract.plan.producer,
        "figures": round_figures(contribution_round),
        "is_covered": contribution_round.state == RoundState.COVERED,
        "shop_name": settings.OSCAR_SHOP_NAME,
    }
    messages = {}
    coordinators = (
        [contribution_round.opened_by]
        if contribution_round.opened_by
        else list(contract.coordinators.all())
    )
    round_url = settings.SITE_URL + reverse("solidarity:round", args=[contribution_round.pk])
    for coordinator in coordinators:
        if coordinator.email:
            messages[_key(contribution_round, coordinator)] = [
                compose(
                    COORDINATOR_TEMPLATE,
                    {**common, "round_url": round_url},
                    [coordinator.email],
                )
            ]
    pledges = pledges_of(contribution_round)
    pledge_url = settings.SITE_URL + reverse("solidarity:pledge", args=[contribution_round.pk])
    for subscription in holding_subscriptions(contract, with_people=True):
        for person in (subscription.member, subscription.co_holder):
            if person is None or not person.email or _key(contribution_round, person) in messages:
                continue
            context = {
                **common,
                "pledge": pledges.get(subscription.pk),
                "pledge_url": pledge_url,
            }
            messages[_key(contribution_round, person)] = [
                compose(MEMBER_TEMPLATE, context, [person.email])
            ]
    return len(send_each_once(messages))


def _key(contribution_round: ContributionRound, person) -> str:
    return f"contribution-round-closed:{contribution_round.pk}:{person.pk}"
