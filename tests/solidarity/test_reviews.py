"""The fund's rate review as beat runs it: the figures it reads, the review it records once per
period, the rate members pay and when, the emails it sends, the waiting list it opens and
closes, and its queries."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import translation

from baskets.models import BasketDelivery, Subscription
from baskets.services import generate_basket_deliveries
from marketplace.core.models import OutboxTask
from marketplace.core.sending import was_sent
from marketplace.solidarity import tasks
from marketplace.solidarity.models import (
    Fund,
    FundEntryKind,
    RateReview,
    RequestState,
    SolidarityTier,
    Tier,
)
from marketplace.solidarity.rates import Reason, ReviewInputs, review
from marketplace.solidarity.selectors import rate_in_force, review_period, tier_of_subscription
from marketplace.solidarity.services import (
    ask_for_tier,
    attach_pickup_points,
    record_fund_entry,
    review_fund,
    write_fund_entry,
)
from tests.baskets.calendar import DEC_1, season
from tests.factories import UserFactory
from tests.payments.world import NOW, TODAY, point_on_tuesdays, subscription_to

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]

# The fund was created on Monday 23 November 2026 (NOW), its periods run a week from then; with
# a week's notice, today's review decides the week from Monday 30 November, Tuesday 1 December
# its one distribution day.
PERIOD_START, PERIOD_END = dt.date(2026, 11, 30), dt.date(2026, 12, 7)
DECLARATION = "Je suis au RSA depuis septembre."


def on_tier(subscription, tier, **terms):
    SolidarityTier.objects.create(subscription=subscription, tier=tier, **terms)
    return subscription


def holder(email):
    return UserFactory(email=email)


@pytest.fixture
def second_point(fund, staff):
    """Another AMAP's point on Tuesdays drawing on the same fund, with its own coordinator."""
    point = point_on_tuesdays()
    point.coordinators.add(UserFactory(email="referent-b@example.org"))
    attach_pickup_points(staff, fund, [point], now=NOW)
    return point


@pytest.fixture
def world(fund, point, second_point):
    """Reduced and supporter holders at both points, one standard, one reduced elsewhere. The
    beat has made the baskets of the first point; the second's are not made yet."""
    w = SimpleNamespace(fund=fund)
    w.reduced_a = on_tier(
        subscription_to(point, price="12.00", member=holder("reduit-a@example.org")), Tier.REDUCED
    )
    w.reduced_b = on_tier(
        subscription_to(
            second_point, price="20.00", quantity=2, member=holder("reduit-b@example.org")
        ),
        Tier.REDUCED,
    )
    w.supporter_a = on_tier(
        subscription_to(point, price="12.00", member=holder("soutien-a@example.org")),
        Tier.SUPPORTER,
        supporter_percent=Decimal("10"),
    )
    w.supporter_b = on_tier(
        subscription_to(second_point, price="15.00", member=holder("soutien-b@example.org")),
        Tier.SUPPORTER,
        supporter_amount=Decimal("3.00"),
    )
    w.standard = subscription_to(point, price="12.00", member=holder("standard@example.org"))
    w.elsewhere = on_tier(
        subscription_to(point_on_tuesdays(), member=holder("ailleurs@example.org")), Tier.REDUCED
    )
    BasketDelivery.objects.filter(distribution_day__pickup_point=second_point).delete()
    return w


def give(fund, amount, on=TODAY):
    write_fund_entry(fund, FundEntryKind.DONATION, Decimal(amount), on=on, now=NOW)


def test_the_review_reads_the_coming_period_at_every_point_of_the_fund(world, coordinator):
    record_fund_entry(coordinator, world.fund, FundEntryKind.DONATION, "500.00", on=TODAY)
    give(world.fund, "1000.00", on=TODAY + dt.timedelta(days=1))  # not in the balance yet

    made = review_fund(world.fund.pk)

    assert made.period_start == PERIOD_START
    assert review_period(world.fund, TODAY) == (PERIOD_START, PERIOD_END)
    inputs = made.inputs
    # reduced: 12.00 at the first point, 2 × 20.00 at the second (from the calendar)
    assert inputs["reduced_commitments"] == "52.00"
    # supporters: 10 % of 12.00, and 3.00 above 15.00
    assert inputs["expected_contributions"] == "4.20"
    assert (inputs["balance"], inputs["reserve"], inputs["current_rate"]) == (
        "500.00",
        "200.00",
        "30.00",
    )
    assert (inputs["rate_min"], inputs["rate_max"], inputs["rate_step"]) == (
        "10.00",
        "50.00",
        "5.00",
    )
    assert (inputs["reduced_deliveries"], inputs["supporter_deliveries"]) == (2, 2)
    assert inputs["deliveries_from_calendars"] == 2


def test_the_rate_moves_by_at_most_the_step_and_says_why(world):
    give(world.fund, "500.00")

    made = review_fund(world.fund.pk)

    assert (made.rate_before, made.rate_after) == (Decimal("30.00"), Decimal("35.00"))
    assert made.inputs["reason"] == Reason.RAISED_CAPPED_BY_STEP
    figures = {
        name: Decimal(made.inputs[name])
        for name in ReviewInputs.__dataclass_fields__
        if name != "periods"
    }
    with translation.override("fr"):
        assert made.reason == review(ReviewInputs(**figures)).explanation
    assert made.applies_from == PERIOD_START  # announced a week ahead
    assert made.announced_at == NOW and made.open_to_requests_after
    world.fund.refresh_from_db()
    assert world.fund.rate == Decimal("35.00")


def test_members_pay_the_new_rate_from_the_day_it_applies(world):
    give(world.fund, "500.00")

    review_fund(world.fund.pk)

    assert rate_in_force(world.fund, PERIOD_START - dt.timedelta(days=1)) == Decimal("30.00")
    assert rate_in_force(world.fund, PERIOD_START) == Decimal("35.00")


def test_week_after_week_the_rate_climbs_a_step_at_a_time_up_to_its_bound(world, clock):
    give(world.fund, "5000.00")
    rates = []
    for _week in range(5):
        rates.append(review_fund(world.fund.pk).rate_after)
        clock.now += dt.timedelta(days=7)

    assert rates == [Decimal(rate) for rate in ("35", "40", "45", "50", "50")]
    reasons = list(
        RateReview.objects.order_by("period_start").values_list("inputs__reason", flat=True)
    )
    assert reasons[-1] == Reason.HOLDS
    assert rate_in_force(world.fund, clock.now.date() + dt.timedelta(days=7)) == Decimal("50")


def test_reviewing_twice_for_the_same_period_changes_nothing(
    world, django_capture_on_commit_callbacks
):
    give(world.fund, "500.00")
    with django_capture_on_commit_callbacks(execute=True):
        first = review_fund(world.fund.pk)
    emails, queued = len(mail.outbox), OutboxTask.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        again = review_fund(world.fund.pk, now=NOW + dt.timedelta(hours=5))
        assert tasks.review_funds() == 0

    assert again == first
    assert RateReview.objects.count() == 1
    world.fund.refresh_from_db()
    assert world.fund.rate == Decimal("35.00")
    assert (len(mail.outbox), OutboxTask.objects.count()) == (emails, queued)


def test_a_new_rate_is_announced_once_to_each_member_it_concerns(
    world, django_capture_on_commit_callbacks
):
    give(world.fund, "500.00")

    with django_capture_on_commit_callbacks(execute=True):
        made = review_fund(world.fund.pk)

    told = sorted(address for message in mail.outbox for address in message.to)
    assert told == [
        "reduit-a@example.org",
        "reduit-b@example.org",
        "soutien-a@example.org",
        "soutien-b@example.org",
    ]
    assert all(len(message.to) == 1 and not message.cc for message in mail.outbox)
    assert all("35" in message.subject for message in mail.outbox)
    assert all(world.fund.name in message.body for message in mail.outbox)
    # nobody else is named to anyone
    for message in mail.outbox:
        assert not any(address in message.body for address in told if address not in message.to)
    assert tasks.announce_rate_review(made.pk) == 0
    assert len(mail.outbox) == 4


def test_a_rate_that_stays_is_not_announced(world, django_capture_on_commit_callbacks):
    world.fund.rate_max = Decimal("30")
    world.fund.save()
    give(world.fund, "500.00")

    with django_capture_on_commit_callbacks(execute=True):
        made = review_fund(world.fund.pk)

    assert made.inputs["reason"] == Reason.HOLDS and made.announced_at is None
    assert mail.outbox == []


def test_when_even_the_lowest_rate_breaks_the_reserve_requests_wait_and_coordinators_know(
    world, member, subscription, django_capture_on_commit_callbacks
):
    # nothing in the fund, 200 € of reserve to keep
    with django_capture_on_commit_callbacks(execute=True):
        made = review_fund(world.fund.pk)

    assert made.inputs["reason"] == Reason.RESERVE_BROKEN_EVEN_AT_MIN
    assert made.rate_after == Decimal("25.00")  # down a step toward the lowest rate
    assert not made.open_to_requests_after
    world.fund.refresh_from_db()
    assert not world.fund.open_to_requests
    coordinators = ["referent-b@example.org", "referente@example.org"]
    assert sorted(m.to[0] for m in mail.outbox if m.to[0] in coordinators) == coordinators
    assert tasks.announce_rate_review(made.pk) == 0

    request = ask_for_tier(member, Tier.REDUCED, subscription=subscription, declaration=DECLARATION)

    assert request.state == RequestState.WAITING


@pytest.mark.parametrize(
    ("trusts", "moved_to", "tier"),
    [(True, RequestState.APPROVED, Tier.REDUCED), (False, RequestState.PENDING, Tier.STANDARD)],
)
def test_a_fund_that_reopens_moves_its_waiting_list_on(
    world, member, subscription, clock, django_capture_on_commit_callbacks, trusts, moved_to, tier
):
    Fund.objects.filter(pk=world.fund.pk).update(trusts_declarations=trusts)
    review_fund(world.fund.pk)
    request = ask_for_tier(member, Tier.REDUCED, subscription=subscription, declaration=DECLARATION)
    assert request.state == RequestState.WAITING
    give(world.fund, "800.00")
    clock.now += dt.timedelta(days=7)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        made = review_fund(world.fund.pk)

    assert made.open_to_requests_after
    world.fund.refresh_from_db()
    assert world.fund.open_to_requests
    request.refresh_from_db()
    assert request.state == moved_to
    assert tier_of_subscription(subscription).tier == tier
    assert was_sent(f"solidarity-request-moved:{request.pk}:{moved_to}")
    assert any(m.to == [member.email] for m in mail.outbox)


def _many_subscriptions(point, second_point, count: int) -> None:
    """``count`` households in two seasons, one at each point, a third supporters and the rest
    on the reduced tier; written in bulk, the first point's baskets made by the beat's own
    generation, the second's left to the calendar."""
    users = get_user_model()
    users.objects.bulk_create(
        [users(username=f"foyer-{n}", email=f"foyer{n}@example.org") for n in range(count)]
    )
    households = list(users.objects.filter(username__startswith="foyer-").order_by("pk"))
    contracts = [
        season(place, capacity=100, plan__reference_price=Decimal("12.00"))
        for place in (point, second_point)
    ]
    subscriptions = Subscription.objects.bulk_create(
        Subscription(
            contract=contracts[n % 2],
            pickup_point=(point, second_point)[n % 2],
            member=household,
            agreed_at=NOW,
            first_delivery_on=DEC_1,
        )
        for n, household in enumerate(households)
    )
    SolidarityTier.objects.bulk_create(
        SolidarityTier(subscription=subscription, tier=Tier.SUPPORTER, supporter_percent=5)
        if n % 3 == 0
        else SolidarityTier(subscription=subscription, tier=Tier.REDUCED)
        for n, subscription in enumerate(subscriptions)
    )
    generate_basket_deliveries([point.pk], PERIOD_START, PERIOD_END)


@pytest.mark.parametrize("count", [3, 30])
def test_the_review_s_queries_do_not_grow_with_the_subscriptions(
    fund, point, second_point, count, django_assert_max_num_queries
):
    _many_subscriptions(point, second_point, count)
    give(fund, "500.00")

    with django_assert_max_num_queries(17):
        made = review_fund(fund.pk)

    reduced = count - len(range(0, count, 3))
    assert made.inputs["reduced_deliveries"] == reduced
    assert Decimal(made.inputs["reduced_commitments"]) == Decimal("12.00") * reduced


def test_the_beat_task_reviews_each_fund_once_per_period(fund, staff, clock):
    other = Fund.objects.create(
        name="Caisse du marché", slug="caisse-du-marche", created_at=NOW, rate=Decimal("10")
    )

    assert tasks.review_funds() == 2
    assert tasks.review_funds() == 0
    clock.now += dt.timedelta(days=6)
    assert tasks.review_funds() == 0
    clock.now += dt.timedelta(days=1)
    assert tasks.review_funds() == 2

    assert RateReview.objects.filter(fund=other).count() == 2
    assert list(
        RateReview.objects.filter(fund=fund)
        .order_by("period_start")
        .values_list("period_start", "applies_from")
    ) == [(PERIOD_START, PERIOD_START), (PERIOD_END, PERIOD_END)]


def test_the_period_under_review_starts_notice_days_ahead(fund):
    fund.review_days, fund.notice_days = 14, 3

    assert review_period(fund, TODAY) == (TODAY, TODAY + dt.timedelta(days=14))
    assert review_period(fund, TODAY + dt.timedelta(days=11)) == (
        TODAY + dt.timedelta(days=14),
        TODAY + dt.timedelta(days=28),
    )


def test_why_a_rate_moved_reads_in_each_coordinators_language(world):
    give(world.fund, "500.00")
    made = review_fund(world.fund.pk)

    with translation.override("fr"):
        assert made.explanation() == made.reason  # recorded in the site's language
    with translation.override("en"):
        english = made.explanation()
    assert english != made.reason
    assert "35" in english
