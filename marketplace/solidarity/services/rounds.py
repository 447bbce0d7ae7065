"""Contribution rounds: a coordinator opens one on a contract, members pledge until its deadline,
and it closes covered (each pledge becomes its subscription's price per basket) or short (the
coordinator may open the next round, where the pledges that still fit carry over).

Each function is one transaction and checks everything before it writes: a refusal
(``SolidarityRefused``) leaves nothing behind. A round's row is the lock that pledges and the
close take, so a pledge never slips in after the close counted.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from baskets.models import Contract, ContractKind
from marketplace.core.tasks import queue_on_commit
from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.models import ContributionRound, Pledge, PledgedPrice, RoundState
from marketplace.solidarity.selectors.access import coordinates_contract
from marketplace.solidarity.selectors.rounds import count_round, holding_subscription, pledges_of
from marketplace.solidarity.services.amounts import checked_euros

TELL_ROUND_CLOSED = "marketplace.solidarity.tasks.tell_round_closed"
LARGEST_PLEDGE = Decimal("999999.99")  # what a pledge's column holds


@dataclass(frozen=True)
class RoundTerms:
    """What a coordinator sets: amounts in euros as typed or Decimals, the deadline aware."""

    budget: Decimal | str
    min_pledge: Decimal | str
    max_pledge: Decimal | str
    deadline: datetime


def _euros(value) -> str:
    return number_format(value, decimal_pos=2)


def _checked_terms(terms: RoundTerms, contract: Contract, now: datetime) -> dict:
    budget = checked_euros(terms.budget)
    low = checked_euros(terms.min_pledge)
    high = checked_euros(terms.max_pledge)
    deadline = terms.deadline
    if not isinstance(deadline, datetime):
        raise SolidarityRefused(_("Give the date and time pledges close."))
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)
    problems = []
    if budget <= 0:
        problems.append(_("The season's budget must be above 0 €."))
    if low <= 0:
        problems.append(_("The lowest pledge must be above 0 €."))
    if high > LARGEST_PLEDGE:
        problems.append(_("The highest pledge is too large."))
    if high < low:
        problems.append(_("The highest pledge must not be below the lowest pledge."))
    if deadline <= now:
        problems.append(_("The deadline must be in the future."))
    elif timezone.localdate(deadline) > contract.ends_on:
        problems.append(
            _("The deadline must fall within the season, which ends on %(last)s.")
            % {"last": date_format(contract.ends_on, "j F Y")}
        )
    if problems:
        raise SolidarityRefused(" ".join(problems))
    return {"budget": budget, "min_pledge": low, "max_pledge": high, "deadline": deadline}


@transaction.atomic
def open_round(user, contract: Contract, terms: RoundTerms, now=None) -> ContributionRound:
    """A new round on ``contract``: its first, or the next after one that closed short. The
    pledges of the last round that fit the new bounds carry over, so that households who
    cannot give more need not pledge again."""
    now = now or timezone.now()
    if not coordinates_contract(user, contract):
        raise SolidarityRefused(
            _("Only the contract's coordinators may open a contribution round on it.")
        )
    # The contract's row serialises two coordinators opening a round at once.
    contract = Contract.objects.select_for_update().select_related("plan").get(pk=contract.pk)
    if contract.kind != ContractKind.FIXED:
        raise SolidarityRefused(
            _("Contribution rounds are for contracts with the same basket at each delivery.")
        )
    if contract.ends_on < timezone.localdate(now):
        raise SolidarityRefused(_("This contract's season is over."))
    last = contract.contribution_rounds.order_by("-number").first()
    if last is not None and last.state == RoundState.OPEN:
        raise SolidarityRefused(_("A contribution round is already open on this contract."))
    if last is not None and last.state == RoundState.COVERED:
        raise SolidarityRefused(
            _("Round %(number)s covered this contract's budget: its prices are set.")
            % {"number": last.number}
        )
    fields = _checked_terms(terms, contract, now)
    contribution_round = ContributionRound.objects.create(
        contract=contract,
        number=last.number + 1 if last else 1,
        opened_by=user,
        created_at=now,
        **fields,
    )
    if last is not None:
        Pledge.objects.bulk_create(
            Pledge(
                round=contribution_round,
                subscription_id=kept.subscription_id,
                amount=kept.amount,
                created_at=now,
                updated_at=now,
            )
            for kept in last.pledges.filter(
                amount__gte=fields["min_pledge"], amount__lte=fields["max_pledge"]
            )
        )
    return contribution_round


@transaction.atomic
def pledge(user, round_id: int, amount, now=None) -> Pledge:
    """``user``'s household pledges ``amount`` per basket in the round, or changes its pledge,
    until the deadline and within the round's bounds."""
    now = now or timezone.now()
    contribution_round = (
        ContributionRound.objects.select_for_update().select_related("contract").get(pk=round_id)
    )
    if not contribution_round.is_open or contribution_round.deadline <= now:
        raise SolidarityRefused(
            _("This contribution round is closed: pledges are no longer taken.")
        )
    subscription = holding_subscription(user, contribution_round.contract)
    if subscription is None:
        raise SolidarityRefused(
            _("Only the households holding a place in this contract may pledge in its round.")
        )
    amount = checked_euros(amount)
    if not contribution_round.min_pledge <= amount <= contribution_round.max_pledge:
        raise SolidarityRefused(
            _("Pledge between %(low)s € and %(high)s € per basket.")
            % {
                "low": _euros(contribution_round.min_pledge),
                "high": _euros(contribution_round.max_pledge),
            }
        )
    pledged, created = Pledge.objects.get_or_create(
        round=contribution_round,
        subscription=subscription,
        defaults={"amount": amount, "created_at": now, "updated_at": now},
    )
    if not created and pledged.amount != amount:
        pledged.amount, pledged.updated_at = amount, now
        pledged.save(update_fields=["amount", "updated_at"])
    return pledged


def close_round(round_id: int, now=None) -> ContributionRound:
    """Close the round once its deadline has passed, or before when its pledges already cover
    the budget: covered, each pledge becomes its subscription's price per basket; short, the
    shortfall is kept. Everyone is told by email after the commit. A closed round is left as
    it is: closing twice changes nothing."""
    return _close(round_id, now or timezone.now())[0]


@transaction.atomic
def _close(round_id: int, now: datetime) -> tuple[ContributionRound, bool]:
    """The round, and whether this call closed it."""
    contribution_round = (
        ContributionRound.objects.select_for_update()
        .select_related("contract__plan")
        .get(pk=round_id)
    )
    if not contribution_round.is_open:
        return contribution_round, False
    figures = count_round(contribution_round)
    if now < contribution_round.deadline and not figures.is_covered:
        deadline = date_format(timezone.localtime(contribution_round.deadline), "j F Y, H:i")
        raise SolidarityRefused(
            _("The round is open until %(deadline)s and its budget is not covered yet.")
            % {"deadline": deadline}
        )
    contribution_round.pledged_total = figures.pledged
    contribution_round.season_baskets = figures.season_baskets
    contribution_round.shortfall = figures.shortfall
    contribution_round.closed_at = now
    if figures.is_covered:
        contribution_round.state = RoundState.COVERED
        _set_prices(contribution_round, now)
    else:
        contribution_round.state = RoundState.SHORT
    contribution_round.save(
        update_fields=["state", "pledged_total", "season_baskets", "shortfall", "closed_at"]
    )
    queue_on_commit(TELL_ROUND_CLOSED, contribution_round.pk)
    return contribution_round, True


def _set_prices(contribution_round: ContributionRound, now: datetime) -> None:
    PledgedPrice.objects.bulk_create(
        [
            PledgedPrice(
                subscription_id=subscription_id, round=contribution_round, price=amount, set_at=now
            )
            for subscription_id, amount in pledges_of(contribution_round).items()
        ],
        update_conflicts=True,
        unique_fields=["subscription"],
        update_fields=["round", "price", "set_at"],
    )


def close_covered_round(user, round_id: int, now=None) -> ContributionRound:
    """A coordinator closes the round before its deadline, its budget being covered."""
    contribution_round = ContributionRound.objects.select_related("contract").get(pk=round_id)
    if not coordinates_contract(user, contribution_round.contract):
        raise SolidarityRefused(_("Only the contract's coordinators may close its round."))
    return close_round(round_id, now)


def close_due_rounds(now=None) -> int:
    """Close every open round whose deadline has passed (beat), each in its own transaction.
    Idempotent. Returns how many it closed."""
    now = now or timezone.now()
    due = ContributionRound.objects.filter(state=RoundState.OPEN, deadline__lte=now)
    return sum(
        _close(round_id, now)[1]
        for round_id in due.order_by("deadline", "pk").values_list("pk", flat=True)
    )
