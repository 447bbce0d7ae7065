"""The demo looks alive on any day: whenever `make run` loads it, each demo account finds what
the README promises (orders for the coming days, a packing list waiting, yesterday's
distribution to close, a basket offered by a neighbour to take)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, F
from django.utils import timezone

from baskets.models import BasketDelivery, Subscription
from baskets.selectors import member_subscriptions, offered_baskets_for
from deliveries.distribution.selectors.pickup_list import can_run_pickup_list, pickup_list
from deliveries.distribution.selectors.shifts import member_shifts
from deliveries.models import DistributionDay, PickupOrder, PickupPoint
from marketplace.demo import DEMO_ACCOUNTS, DemoSize, load_demo
from marketplace.demo.deliveries import PICKUP_POINTS
from marketplace.demo.solidarity import FUND_NAME
from marketplace.payments.models import (
    LedgerEntry,
    ManualPayment,
    PaymentMethod,
    SubscriptionPayment,
)
from marketplace.payments.selectors import (
    member_accounts,
    producer_statement,
    statement_months,
    subscriptions_without_plan,
)
from marketplace.solidarity.models import (
    ContributionRound,
    Fund,
    FundEntry,
    FundEntryKind,
    Pledge,
    RateReview,
    RoundState,
    TierRequest,
)
from marketplace.solidarity.selectors.history import coordinated_funds
from marketplace.solidarity.selectors.rounds import contracts_with_rounds
from marketplace.solidarity.selectors.tiers import pending_requests_for
from producers.selectors import producer_of, producer_packing_lists

pytestmark = pytest.mark.django_db

User = get_user_model()
ZERO = Decimal("0.00")
MEMBER, PRODUCER, VOLUNTEER, COORDINATOR, STAFF = (account[0] for account in DEMO_ACCOUNTS)

DAYS = {
    "a Saturday evening": "2027-05-22 20:30",
    "the night of the spring DST change": "2027-03-28T01:30:00+01:00",
    "the night of the autumn DST change": "2027-10-31T02:30:00+01:00",
    "New Year's Eve, during the Christmas closure": "2026-12-31 10:00",
    "a Monday morning": "2026-11-23 10:00",
}


def promises_broken() -> list[str]:
    """What the README promises the demo accounts and is not there, in words."""
    now, today = timezone.now(), timezone.localdate()
    broken = []

    member = User.objects.get(email=MEMBER)
    coming_baskets = [
        delivery
        for entry in member_subscriptions(member)
        if entry.subscription.pickup_point.name == PICKUP_POINTS[0][1]
        for delivery in entry.deliveries
    ]
    if not coming_baskets:
        broken.append("member: no coming basket at the Thabor")
    if not [basket for basket in offered_baskets_for(member) if basket.is_open]:
        broken.append("member: no basket offered by a neighbour to take")
    for point in PickupPoint.objects.filter(name__in=[point[1] for point in PICKUP_POINTS]):
        next_day = (
            DistributionDay.objects.open_for_orders(now)
            .filter(pickup_point=point)
            .order_by("starts_at")
            .first()
        )
        if next_day is None:
            broken.append(f"member: no day open for orders at {point.name}")
        elif not PickupOrder.objects.filter(distribution_day=next_day).exists():
            broken.append(f"member: no demo orders on {point.name}'s next day ({next_day.date})")

    waiting = [
        packing
        for packing in producer_packing_lists(producer_of(User.objects.get(email=PRODUCER)))
        if packing.distribution_day.starts_at > now
    ]
    if not waiting:
        broken.append("producer: no packing list waiting for a coming distribution")

    volunteer = User.objects.get(email=VOLUNTEER)
    to_close = [
        shift.distribution_day
        for shift in member_shifts(volunteer).past
        if shift.distribution_day.date == today - dt.timedelta(days=1)
        and shift.distribution_day.closed_at is None
    ]
    if not to_close:
        broken.append("volunteer: no distribution of yesterday to close")
    elif not pickup_list(to_close[0], add_missing=True).lines:
        broken.append("volunteer: yesterday's pickup list is empty")
    elif not can_run_pickup_list(User.objects.get(email=COORDINATOR), to_close[0]):
        broken.append("coordinator: cannot open yesterday's pickup list at their point")

    payments = member_accounts(member)
    if not payments.contracts:
        broken.append("member: no payment schedule in My payments")
    if not subscriptions_without_plan(member):
        broken.append("member: no subscription left to choose how to pay")
    if not ManualPayment.objects.filter(recorded_by__email=COORDINATOR).exists():
        broken.append("coordinator: no payment recorded")

    broken += statements_broken(producer_of(User.objects.get(email=PRODUCER)))
    broken += solidarity_broken(User.objects.get(email=COORDINATOR))

    if not User.objects.get(email=STAFF).is_staff:
        broken.append("staff: the admin account is not staff")
    return broken


def statements_broken(producer) -> list[str]:
    """The producer's statements of this month and the last (yesterday's distribution may be
    last month's) show baskets owed and money received, and add up to the cent."""
    broken = []
    statements = [producer_statement(producer, month) for month in statement_months(producer)[:2]]
    if not any(statement.owed_for_baskets for statement in statements):
        broken.append("producer: no basket owed in this month's or last month's statement")
    if not any(statement.received_net for statement in statements):
        broken.append("producer: nothing received in this month's or last month's statement")
    for statement in statements:
        lines = (*statement.baskets, *statement.orders)
        received = sum(line.amount for line in statement.received)
        refunded = sum(line.amount for line in statement.refunded)
        if statement.owed != sum(line.amount for line in lines) or (
            statement.difference != statement.owed - received + refunded
        ):
            broken.append(f"producer: the statement of {statement.month:%Y-%m} does not add up")
    return broken


def solidarity_broken(coordinator) -> list[str]:
    """The fund the coordinator runs for two AMAPs: reductions, contributions and a donation in
    its ledger, a review that moved the rate, a round open with pledges, a request to decide;
    and the fund's part of each basket in its producer's statement."""
    now, today = timezone.now(), timezone.localdate()
    fund = Fund.objects.filter(name=FUND_NAME).first()
    if fund is None:
        return ["solidarity: no fund"]
    broken = []
    if fund.points.count() < 2:
        broken.append("solidarity: the fund serves fewer than two pickup points")
    if not fund.eligible_products.exists():
        broken.append("solidarity: no staple open to the reduced tier à la carte")
    if fund.pk not in [coordinated.pk for coordinated in coordinated_funds(coordinator, today)]:
        broken.append("coordinator: does not coordinate the fund")
    entries = FundEntry.objects.filter(fund=fund)
    if not entries.filter(kind=FundEntryKind.REDUCTION, delivery__isnull=False).exists():
        broken.append("solidarity: no reduced-tier basket in the fund's ledger")
    if not entries.filter(kind=FundEntryKind.CONTRIBUTION, delivery__isnull=False).exists():
        broken.append("solidarity: no supporter's contribution in the fund's ledger")
    if not entries.filter(kind=FundEntryKind.DONATION, recorded_by=coordinator).exists():
        broken.append("coordinator: no donation recorded in the fund's ledger")
    moved = RateReview.objects.filter(fund=fund).exclude(rate_after=F("rate_before"))
    if not moved.exclude(reason="").exists():
        broken.append("solidarity: no review moved the rate and said why")
    open_rounds = ContributionRound.objects.filter(
        state=RoundState.OPEN,
        deadline__gt=now,
        contract__in=contracts_with_rounds(coordinator, today),
    ).annotate(pledged=Count("pledges"))
    if not open_rounds.filter(pledged__gte=2).exists():
        broken.append("coordinator: no contribution round open with pledges")
    if not pending_requests_for(coordinator).filter(fund=fund).exists():
        broken.append("coordinator: no tier request to decide on the fund's page")
    return broken + fund_parts_broken(entries.filter(delivery__isnull=False))


def fund_parts_broken(settled) -> list[str]:
    """Each basket settled: the member's price and the fund's part make the reference price,
    and the producer's statement of its month shows the fund's parts received (reductions) and
    passed on (contributions), to the cent."""
    broken = []
    months: dict[tuple, list] = {}
    for entry in settled.select_related("delivery", "producer"):
        payment = SubscriptionPayment.objects.get(subscription_id=entry.subscription_id)
        member_price = (payment.total / payment.deliveries).quantize(Decimal("0.01"))
        if member_price - entry.amount != entry.delivery.price:
            broken.append(f"solidarity: a basket of {entry.on} is not paid in full")
        parts = months.setdefault((entry.producer, entry.on.replace(day=1)), [ZERO, ZERO])
        parts[entry.kind == FundEntryKind.CONTRIBUTION] += abs(entry.amount)
    for (producer, month), (reductions, contributions) in months.items():
        statement = producer_statement(producer, month)
        passed_on = sum(
            line.amount for line in statement.refunded if line.method == PaymentMethod.SOLIDARITY
        )
        if statement.from_solidarity_fund != reductions or passed_on != contributions:
            broken.append(
                f"producer: {producer.name}'s statement of {month:%Y-%m} lacks the fund's part"
            )
    return broken


@pytest.mark.parametrize(
    "day", [pytest.param(day, marks=pytest.mark.now(instant)) for day, instant in DAYS.items()]
)
def test_each_demo_account_finds_what_the_readme_promises(day):
    load_demo(DemoSize())  # as `make run` loads it

    broken = promises_broken()
    assert not broken, f"{timezone.localtime():%A %d %B %Y %H:%M}:\n" + "\n".join(broken)


def demo_counts() -> dict[str, int]:
    models = (
        User,
        Fund,
        FundEntry,
        RateReview,
        TierRequest,
        ContributionRound,
        Pledge,
        LedgerEntry,
        SubscriptionPayment,
        Subscription,
        BasketDelivery,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_loading_the_demo_again_makes_nothing_twice():
    load_demo(DemoSize(producers=6, products=12))
    made = demo_counts()

    load_demo(DemoSize(producers=6, products=12))

    assert demo_counts() == made
    assert not solidarity_broken(User.objects.get(email=COORDINATOR))
