"""Contribution rounds: a coordinator opens one on a contract, households pledge per basket until
the deadline, and the round closes covered (the pledges become the prices) or short (the
shortfall is reported, and a second round may open).

The season: 13 Tuesdays at the point, 1 December 2026 to 23 February 2027, 12.00 € a basket;
the clock stands on Monday 23 November 2026.
"""

import datetime as dt

import pytest
from django.core import mail

from marketplace.payments.selectors.schedules import season_deliveries
from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.models import ContributionRound, Pledge, PledgedPrice, RoundState
from marketplace.solidarity.selectors.rounds import (
    count_round,
    pledged_prices,
    round_figures,
    season_baskets,
)
from marketplace.solidarity.services.round_notices import tell_round_closed
from marketplace.solidarity.services.rounds import (
    RoundTerms,
    close_covered_round,
    close_due_rounds,
    close_round,
    open_round,
    pledge,
)
from marketplace.solidarity.tasks import close_due_rounds as close_due_rounds_task
from tests.factories import UserFactory
from tests.payments.world import NOW, SEASON_TUESDAYS, TODAY, point_on_tuesdays, subscription_to
from tests.solidarity.round_world import DEADLINE, TERMS, euros, household
from tests.solidarity.world import said

pytestmark = pytest.mark.now(NOW)


@pytest.fixture
def holding(point, member):
    """The member's place in the season, one basket a delivery."""
    return subscription_to(point, member=member)


@pytest.fixture
def contract(holding):
    return holding.contract


@pytest.fixture
def neighbour(contract, point):
    """Another household, two baskets a delivery."""
    return household(contract, point, quantity=2, email="voisine@example.org")


@pytest.fixture
def open_one(coordinator, contract):
    return open_round(coordinator, contract, TERMS)


# Opening a round


def test_a_contracts_coordinator_opens_the_first_round(open_one, contract, coordinator):
    assert open_one.number == 1
    assert open_one.state == RoundState.OPEN
    assert open_one.budget == euros("1000.00")
    assert (open_one.min_pledge, open_one.max_pledge) == (euros("8.00"), euros("20.00"))
    assert open_one.opened_by == coordinator


def test_the_contracts_referent_and_staff_open_rounds_too(contract):
    referent = UserFactory()
    contract.coordinators.add(referent)

    assert open_round(referent, contract, TERMS).number == 1
    ContributionRound.objects.all().delete()
    assert open_round(UserFactory(is_staff=True), contract, TERMS).number == 1


@pytest.mark.parametrize(
    "terms, message",
    [
        (
            RoundTerms(budget="1000", min_pledge="20", max_pledge="8", deadline=DEADLINE),
            "The highest pledge must not be below the lowest pledge.",
        ),
        (
            RoundTerms(budget="0", min_pledge="8", max_pledge="20", deadline=DEADLINE),
            "The season's budget must be above 0 €.",
        ),
        (
            RoundTerms(budget="-5", min_pledge="8", max_pledge="20", deadline=DEADLINE),
            "The season's budget must be above 0 €.",
        ),
        (
            RoundTerms(budget="1000", min_pledge="0", max_pledge="20", deadline=DEADLINE),
            "The lowest pledge must be above 0 €.",
        ),
        (
            RoundTerms(
                budget="1000", min_pledge="8", max_pledge="20", deadline=NOW - dt.timedelta(hours=1)
            ),
            "The deadline must be in the future.",
        ),
        (
            RoundTerms(
                budget="1000",
                min_pledge="8",
                max_pledge="20",
                deadline=NOW + dt.timedelta(days=200),
            ),
            "The deadline must fall within the season, which ends on %(last)s.",
        ),
        (
            RoundTerms(budget="12,345", min_pledge="8", max_pledge="20", deadline=DEADLINE),
            "Enter the amount to the cent, such as 12.50.",
        ),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_saved(coordinator, contract, terms, message):
    with pytest.raises(SolidarityRefused) as refused:
        open_round(coordinator, contract, terms)

    assert said(refused, message)
    assert not ContributionRound.objects.exists()


def test_a_second_round_is_refused_while_one_is_open(open_one, coordinator, contract):
    with pytest.raises(SolidarityRefused) as refused:
        open_round(coordinator, contract, TERMS)

    assert said(refused, "A contribution round is already open on this contract.")
    assert ContributionRound.objects.count() == 1


@pytest.mark.parametrize("who", ["member", "other coordinator", "anonymous"])
def test_only_the_contracts_coordinators_open_a_round(contract, member, who):
    from django.contrib.auth.models import AnonymousUser

    other_point = point_on_tuesdays()
    other_coordinator = UserFactory()
    other_point.coordinators.add(other_coordinator)
    user = {"member": member, "other coordinator": other_coordinator}.get(who, AnonymousUser())

    with pytest.raises(SolidarityRefused) as refused:
        open_round(user, contract, TERMS)

    assert said(refused, "Only the contract's coordinators may open a contribution round on it.")
    assert not ContributionRound.objects.exists()


# Pledging


def test_a_holder_pledges_then_changes_their_pledge(open_one, member, holding):
    pledge(member, open_one.pk, "10.00")
    pledge(member, open_one.pk, "12,50")

    only = Pledge.objects.get()
    assert (only.subscription, only.amount) == (holding, euros("12.50"))


@pytest.mark.parametrize("amount", ["7.99", "20.01", "0", "-3", "ten", "10.001"])
def test_a_pledge_outside_the_bounds_is_refused_and_nothing_is_saved(open_one, member, amount):
    pledge(member, open_one.pk, "15.00")

    with pytest.raises(SolidarityRefused):
        pledge(member, open_one.pk, amount)

    assert Pledge.objects.get().amount == euros("15.00")


def test_the_refusal_names_the_bounds(open_one, member):
    with pytest.raises(SolidarityRefused) as refused:
        pledge(member, open_one.pk, "25")

    assert said(refused, "Pledge between %(low)s € and %(high)s € per basket.")
    assert "8,00" in str(refused.value) or "8.00" in str(refused.value)
    assert not Pledge.objects.exists()


def test_someone_without_a_place_in_the_contract_cannot_pledge(open_one, point):
    elsewhere = subscription_to(point)  # a member of another contract

    with pytest.raises(SolidarityRefused) as refused:
        pledge(elsewhere.member, open_one.pk, "10")

    assert said(
        refused, "Only the households holding a place in this contract may pledge in its round."
    )
    assert not Pledge.objects.exists()


def test_a_co_holder_pledges_for_the_shared_place(open_one, contract, point):
    from tests.factories import subscribe_shared

    co_holder = UserFactory()
    shared = subscribe_shared(
        UserFactory(), contract, point, co_holder=co_holder, agreed=True, today=TODAY
    )

    pledge(co_holder, open_one.pk, "9")

    assert Pledge.objects.get().subscription == shared


def test_pledges_are_refused_once_the_deadline_passed_or_the_round_closed(
    open_one, member, neighbour, clock
):
    pledge(member, open_one.pk, "10")
    clock.now = DEADLINE

    with pytest.raises(SolidarityRefused) as refused:
        pledge(neighbour.member, open_one.pk, "10")
    assert said(refused, "This contribution round is closed: pledges are no longer taken.")

    close_round(open_one.pk)
    with pytest.raises(SolidarityRefused):
        pledge(member, open_one.pk, "12")

    assert Pledge.objects.get().amount == euros("10.00")


# The gauge


def test_baskets_of_the_season_are_counted_as_payments_counts_them(contract, holding, neighbour):
    counts = season_baskets(contract, [holding, neighbour])

    assert counts == {
        holding.pk: len(season_deliveries(holding)),
        neighbour.pk: 2 * len(season_deliveries(neighbour)),
    }
    assert counts[holding.pk] == SEASON_TUESDAYS


def test_the_gauge_counts_each_pledge_times_its_baskets_and_names_nobody(
    open_one, member, neighbour
):
    pledge(member, open_one.pk, "10.00")  # 13 baskets
    pledge(neighbour.member, open_one.pk, "15.00")  # 26 baskets

    figures = count_round(open_one)

    assert figures.pledged == euros("520.00")  # 130 + 390
    assert figures.pledges == 2
    assert figures.percent == 52
    assert figures.shortfall == euros("480.00")
    assert figures.season_baskets == 3 * SEASON_TUESDAYS
    assert not figures.is_covered


def test_the_gauge_stops_at_the_budget_and_says_100_only_once_covered(open_one, member, neighbour):
    pledge(member, open_one.pk, "20")
    pledge(neighbour.member, open_one.pk, "20")

    figures = count_round(open_one)

    assert figures.pledged == euros("780.00")
    assert figures.percent == 78
    ContributionRound.objects.filter(pk=open_one.pk).update(budget=euros("780.01"))
    open_one.refresh_from_db()
    assert count_round(open_one).percent == 99
    ContributionRound.objects.filter(pk=open_one.pk).update(budget=euros("500"))
    open_one.refresh_from_db()
    assert count_round(open_one).percent == 156
    assert count_round(open_one).gauge_value == euros("500")


# Closing


def covered_budget(coordinator, contract):
    """A round whose budget the two households' pledges can cover: 500 €."""
    terms = RoundTerms(budget="500", min_pledge="8", max_pledge="20", deadline=DEADLINE)
    return open_round(coordinator, contract, terms)


def test_a_covered_round_makes_the_pledges_the_subscriptions_prices(
    coordinator, contract, member, holding, neighbour
):
    contribution_round = covered_budget(coordinator, contract)
    pledge(member, contribution_round.pk, "11.00")  # 143.00
    pledge(neighbour.member, contribution_round.pk, "14.00")  # 364.00

    closed = close_round(contribution_round.pk, DEADLINE)

    assert closed.state == RoundState.COVERED
    assert closed.pledged_total == euros("507.00")
    assert closed.shortfall == euros("0.00")
    assert pledged_prices([holding.pk, neighbour.pk]) == {
        holding.pk: euros("11.00"),
        neighbour.pk: euros("14.00"),
    }


def test_a_household_that_did_not_pledge_keeps_the_reference_price(
    coordinator, contract, member, holding, neighbour
):
    contribution_round = covered_budget(coordinator, contract)
    pledge(neighbour.member, contribution_round.pk, "20.00")  # 520.00

    close_round(contribution_round.pk, DEADLINE)

    assert pledged_prices([holding.pk, neighbour.pk]) == {neighbour.pk: euros("20.00")}


def test_a_short_round_reports_the_shortfall_and_what_a_second_round_needs(
    open_one, coordinator, contract, member, neighbour
):
    pledge(member, open_one.pk, "10.00")  # 130.00
    pledge(neighbour.member, open_one.pk, "15.00")  # 390.00

    closed = close_round(open_one.pk, DEADLINE)

    assert closed.state == RoundState.SHORT
    assert closed.pledged_total == euros("520.00")
    assert closed.shortfall == euros("480.00")
    # 480 € over the 39 baskets of the season: 12.3077 €, rounded up so that it is enough.
    assert round_figures(closed).extra_per_basket == euros("12.31")
    assert not PledgedPrice.objects.exists()


def test_after_a_short_round_the_coordinator_opens_a_second_one_with_the_pledges_that_fit(
    open_one, coordinator, contract, member, neighbour
):
    pledge(member, open_one.pk, "8.00")
    pledge(neighbour.member, open_one.pk, "15.00")
    close_round(open_one.pk, DEADLINE)

    second = open_round(
        coordinator,
        contract,
        RoundTerms(
            budget="480", min_pledge="10", max_pledge="25", deadline=DEADLINE + dt.timedelta(days=7)
        ),
        now=DEADLINE,
    )

    assert second.number == 2
    assert dict(second.pledges.values_list("subscription__member", "amount")) == {
        neighbour.member.pk: euros("15.00")
    }


def test_no_round_opens_once_one_covered_the_budget(coordinator, contract, neighbour):
    contribution_round = covered_budget(coordinator, contract)
    pledge(neighbour.member, contribution_round.pk, "20")
    close_round(contribution_round.pk, DEADLINE)

    with pytest.raises(SolidarityRefused) as refused:
        open_round(coordinator, contract, TERMS, now=DEADLINE)

    assert said(refused, "Round %(number)s covered this contract's budget: its prices are set.")
    assert ContributionRound.objects.count() == 1


def test_closing_twice_changes_nothing(
    open_one, member, neighbour, django_capture_on_commit_callbacks
):
    pledge(member, open_one.pk, "10")
    with django_capture_on_commit_callbacks(execute=True):
        first = close_round(open_one.pk, DEADLINE)
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = close_round(open_one.pk, DEADLINE + dt.timedelta(hours=1))

    assert (again.state, again.closed_at, again.shortfall, again.pledged_total) == (
        first.state,
        first.closed_at,
        first.shortfall,
        first.pledged_total,
    )
    assert len(mail.outbox) == sent > 0


def test_a_round_not_covered_does_not_close_before_its_deadline(open_one, member):
    pledge(member, open_one.pk, "10")

    with pytest.raises(SolidarityRefused) as refused:
        close_round(open_one.pk)

    assert said(refused, "The round is open until %(deadline)s and its budget is not covered yet.")
    open_one.refresh_from_db()
    assert open_one.state == RoundState.OPEN


def test_the_coordinator_closes_a_covered_round_early(coordinator, contract, neighbour, member):
    contribution_round = covered_budget(coordinator, contract)
    pledge(neighbour.member, contribution_round.pk, "20")

    with pytest.raises(SolidarityRefused):
        close_covered_round(member, contribution_round.pk)
    closed = close_covered_round(coordinator, contribution_round.pk)

    assert closed.state == RoundState.COVERED


# The beat and the emails


def test_the_beat_closes_the_rounds_past_their_deadline_once_and_tells_everyone_once(
    open_one, coordinator, member, neighbour, clock, django_capture_on_commit_callbacks
):
    pledge(member, open_one.pk, "10")
    with django_capture_on_commit_callbacks(execute=True):
        assert close_due_rounds() == 0  # not yet
    assert not mail.outbox

    clock.now = DEADLINE + dt.timedelta(minutes=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert close_due_rounds_task() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert close_due_rounds_task() == 0
    assert tell_round_closed(open_one.pk) == 0  # a second run of the email task

    open_one.refresh_from_db()
    assert open_one.state == RoundState.SHORT
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [coordinator.email, member.email, neighbour.member.email]
    )
    to_member = next(message for message in mail.outbox if message.to == [member.email])
    assert "870" in to_member.body  # the shortfall: 1000 − 13 × 10


def test_the_beat_runs_every_15_minutes():
    from marketplace.celery import app as celery_app

    schedules = {
        entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()
    }
    schedule = schedules["marketplace.solidarity.tasks.close_due_rounds"]
    assert schedule.minute == {0, 15, 30, 45}
