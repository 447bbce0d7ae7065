"""The fund's settlement over random seasons (hypothesis), and the bad inputs the example tests
(test_funds.py, test_tiers.py, test_rounds.py) leave out.

Each run draws a fund (its bounds and the rate it starts at) and one to six households at the
solidarity tests' point (13 Tuesdays, 1 December 2026 to 23 February 2027), each on a tier
(standard, reduced, supporter by a percentage or by a price per basket), 1 or 2 baskets a
delivery, on a plan of its own or sharing an earlier household's; some baskets are skipped or
given away. Each household chooses to pay the whole season by cheque, the baskets are made, and
the settlement runs at random instants (each twice), then once after the season. Everything is
rolled back after each run. The oracle prices every delivery on its own, from the drawn terms:
reduced P × q × (1 − r), supporter P × q × (1 + s) or the chosen price × q, half up to the cent.
"""

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction

pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, Phase, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from baskets.models import BROUGHT_STATUSES, BasketDelivery, DeliveryStatus  # noqa: E402
from baskets.services import generate_basket_deliveries  # noqa: E402
from deliveries.network.services import materialise_distribution_days  # noqa: E402
from marketplace.payments.models import (  # noqa: E402
    EntryKind,
    LedgerEntry,
    PaymentMethod,
    PaymentPlan,
)
from marketplace.payments.selectors import producer_statement  # noqa: E402
from marketplace.payments.selectors.accounts import subscription_account  # noqa: E402
from marketplace.payments.services import (  # noqa: E402
    PaymentDetails,
    record_manual_payment,
    schedule_subscription_payments,
)
from marketplace.solidarity.errors import SolidarityRefused  # noqa: E402
from marketplace.solidarity.models import (  # noqa: E402
    Fund,
    FundEntry,
    MemberTier,
    RequestState,
    SolidarityTier,
    Tier,
)
from marketplace.solidarity.services import (  # noqa: E402
    FundSettings,
    approve_request,
    ask_for_tier,
    change_fund_settings,
    create_fund,
)
from marketplace.solidarity.services.settlement import settle_fund_deliveries  # noqa: E402
from tests.clock import PARIS  # noqa: E402
from tests.payments.world import NOW, SEASON_TUESDAYS, TODAY, subscription_to  # noqa: E402
from tests.solidarity.round_world import household  # noqa: E402
from tests.solidarity.world import SETTINGS, said  # noqa: E402

pytestmark = pytest.mark.now(NOW)

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
SEASON_START = dt.datetime(2026, 12, 1, tzinfo=PARIS)
AFTER_SEASON = dt.datetime(2027, 3, 2, 4, 25, tzinfo=PARIS)
MONTHS = (dt.date(2026, 12, 1), dt.date(2027, 1, 1), dt.date(2027, 2, 1))
KINDS = ("standard", "reduced", "supporter percent", "supporter price")
STATUSES = (DeliveryStatus.TO_COLLECT,) * 3 + (DeliveryStatus.SKIPPED, DeliveryStatus.TRANSFERRED)


def runs(examples: int):
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        # No shrinking nor explaining: each example builds a season, and rerunning them takes
        # minutes. A failure prints its example as drawn; derandomized, a rerun finds it again.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture
def whole_season(point):
    """The point's distribution days made to the season's end, not just the usual weeks ahead."""
    materialise_distribution_days(now=NOW, weeks=14, pickup_point_ids=[point.pk])
    return point


class Rollback(Exception):
    pass


def rolled_back(check, *args) -> None:
    try:
        with transaction.atomic():
            check(*args)
            raise Rollback
    except Rollback:
        pass


def to_cent(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


@dataclass(frozen=True)
class Household:
    shares_with: int | None  # an earlier household whose plan (and producer) it shares
    cents: int  # the plan's reference price, when it has its own
    quantity: int
    kind: str
    supporter: int  # basis points above P (percentage), or cents above P (price)
    statuses: tuple[str, ...]  # of its 13 deliveries, in order


@st.composite
def funds(draw):
    """Bounds and a starting rate within them, in basis points (0 to 90 %)."""
    low = draw(st.integers(0, 9_000))
    high = draw(st.integers(low, 9_000))
    return low, high, draw(st.integers(low, high))


@st.composite
def households(draw):
    drawn = []
    for index in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(KINDS))
        drawn.append(
            Household(
                shares_with=draw(st.none() | st.integers(0, index - 1)) if index else None,
                cents=draw(st.integers(500, 3_000)),
                quantity=draw(st.integers(1, 2)),
                kind=kind,
                supporter=draw(st.integers(1, 10_000 if kind == "supporter percent" else 1_500)),
                statuses=tuple(draw(st.lists(st.sampled_from(STATUSES), min_size=13, max_size=13))),
            )
        )
    return drawn


instants = st.lists(st.integers(0, 13 * 7 * 24), min_size=1, max_size=4).map(
    lambda hours: [SEASON_START + dt.timedelta(hours=hour) for hour in sorted(hours)]
)


def member_price(reference: Decimal, rate: Decimal, drawn: Household) -> Decimal:
    """The oracle: what one delivery of ``reference`` (all its baskets) costs the household."""
    if drawn.kind == "reduced":
        return to_cent(reference * (HUNDRED - rate) / HUNDRED)
    if drawn.kind == "supporter percent":
        return to_cent(reference * (HUNDRED + euros(drawn.supporter)) / HUNDRED)
    if drawn.kind == "supporter price":
        return reference + euros(drawn.supporter) * drawn.quantity
    return reference


@dataclass(frozen=True)
class Delivery:
    pk: int
    subscription: object
    producer_id: int
    starts_at: dt.datetime
    month: dt.date
    brought: bool
    reference: Decimal  # P × q
    member: Decimal  # what the household pays for it

    @property
    def part(self) -> Decimal:
        """The fund's part: paid to the producer (above 0) or given by a supporter (below)."""
        return self.reference - self.member


def a_season(point, coordinator, fund_bounds, drawn: list[Household]) -> list[Delivery]:
    """The fund, the households on their tiers with their plans chosen, and the baskets made,
    as the oracle sees them."""
    low, high, rate = (euros(value) for value in fund_bounds)
    terms = FundSettings("Caisse", rate_min=low, rate_max=high, rate_step="5", reserve="200")
    create_fund(coordinator, terms, [point], starting_rate=rate, now=NOW)
    subscriptions = []
    for row in drawn:
        if row.shares_with is None:
            subscription = subscription_to(point, price=euros(row.cents), quantity=row.quantity)
        else:
            contract = subscriptions[row.shares_with].contract
            subscription = household(contract, point, quantity=row.quantity)
        subscriptions.append(subscription)
        on_tier(subscription, coordinator, row)
        payment = schedule_subscription_payments(
            subscription, PaymentPlan.WHOLE_SEASON, PaymentMethod.CHEQUE, today=TODAY, now=NOW
        )
        reference = subscription.contract.plan.reference_price * row.quantity
        assert payment.total == member_price(reference, rate, row) * SEASON_TUESDAYS
    generate_basket_deliveries([point.pk], dt.date(2026, 11, 24), dt.date(2027, 2, 28))
    deliveries = []
    for subscription, row in zip(subscriptions, drawn, strict=True):
        made = list(
            BasketDelivery.objects.filter(subscription=subscription)
            .select_related("distribution_day")
            .order_by("distribution_day__date")
        )
        assert len(made) == SEASON_TUESDAYS
        for delivery, status in zip(made, row.statuses, strict=True):
            if status != DeliveryStatus.TO_COLLECT:
                BasketDelivery.objects.filter(pk=delivery.pk).update(status=status)
            day = delivery.distribution_day
            deliveries.append(
                Delivery(
                    pk=delivery.pk,
                    subscription=subscription,
                    producer_id=subscription.contract.plan.producer_id,
                    starts_at=day.starts_at,
                    month=day.date.replace(day=1),
                    brought=status in BROUGHT_STATUSES,
                    reference=delivery.price,
                    member=member_price(delivery.price, rate, row),
                )
            )
    return deliveries


def on_tier(subscription, coordinator, row: Household) -> None:
    member = subscription.member
    if row.kind == "reduced":
        request = ask_for_tier(member, Tier.REDUCED, subscription=subscription, declaration="RSA")
        approve_request(coordinator, request)
    elif row.kind == "supporter percent":
        percent = euros(row.supporter)
        ask_for_tier(member, Tier.SUPPORTER, subscription=subscription, supporter_percent=percent)
    elif row.kind == "supporter price":
        price = subscription.contract.plan.reference_price + euros(row.supporter)
        ask_for_tier(member, Tier.SUPPORTER, subscription=subscription, supporter_price=price)


def settled_by(deliveries: list[Delivery], now: dt.datetime) -> dict[int, Decimal]:
    """The oracle's fund entries at ``now``: delivery -> amount in the fund's ledger."""
    return {
        delivery.pk: -delivery.part
        for delivery in deliveries
        if delivery.brought and delivery.starts_at <= now and delivery.part
    }


def fund_entries() -> dict[int, Decimal]:
    return dict(
        FundEntry.objects.filter(delivery__isnull=False).values_list("delivery_id", "amount")
    )


def total(values) -> Decimal:
    return sum(values, Decimal("0.00"))


def passed_on(statement) -> Decimal:
    """What supporters paid above the reference price, passed on to the fund."""
    return total(
        line.amount for line in statement.refunded if line.method == PaymentMethod.SOLIDARITY
    )


def settle_and_check(deliveries: list[Delivery], now: dt.datetime) -> None:
    """Settle at ``now`` twice; the fund's entries are the oracle's, the two ledgers mirror
    each other, and each statement shows the fund's part of each basket brought so far."""
    before = len(fund_entries())
    expected = settled_by(deliveries, now)
    assert settle_fund_deliveries(now=now) == len(expected) - before
    counts = (FundEntry.objects.count(), LedgerEntry.objects.count())
    assert settle_fund_deliveries(now=now) == 0
    assert (FundEntry.objects.count(), LedgerEntry.objects.count()) == counts
    assert fund_entries() == expected
    fund_side = total(expected.values())
    # Summed here, not by SQL: SQLite sums decimals as floats (82.6400000000001).
    payments_side = total(
        LedgerEntry.objects.filter(kind=EntryKind.SOLIDARITY).values_list("amount", flat=True)
    )
    assert fund_side == -payments_side
    for producer in {delivery.subscription.contract.plan.producer for delivery in deliveries}:
        for month in MONTHS:
            brought = [
                delivery
                for delivery in deliveries
                if delivery.producer_id == producer.pk
                and delivery.month == month
                and delivery.brought
                and delivery.starts_at <= now
            ]
            statement = producer_statement(producer, month, now=now)
            assert statement.owed_for_baskets == total(d.reference for d in brought)
            assert statement.from_solidarity_fund - passed_on(statement) == total(
                d.part for d in brought
            )


@runs(12)
@given(fund=funds(), drawn=households(), moments=instants)
def test_each_producer_receives_the_reference_price_of_every_basket_brought(
    whole_season, coordinator, fund, drawn, moments
):
    rolled_back(check_revenue, whole_season, coordinator, fund, drawn, moments)


def check_revenue(point, coordinator, fund, drawn, moments):
    deliveries = a_season(point, coordinator, fund, drawn)
    for row in drawn:
        event(row.kind if row.shares_with is None else f"{row.kind}, sharing a plan")
    for now in [*moments, AFTER_SEASON]:
        settle_and_check(deliveries, now)
    # Each month, the members pay by cheque their own price of the baskets brought to them.
    for month in MONTHS:
        for subscription in {delivery.subscription for delivery in deliveries}:
            amount = total(
                d.member
                for d in deliveries
                if d.subscription == subscription and d.month == month and d.brought
            )
            if amount:
                pay(subscription, amount, dt.datetime.combine(month, dt.time(12), PARIS))
    for producer in {delivery.subscription.contract.plan.producer for delivery in deliveries}:
        for month in MONTHS:
            brought = [
                d
                for d in deliveries
                if d.producer_id == producer.pk and d.month == month and d.brought
            ]
            statement = producer_statement(producer, month, now=AFTER_SEASON)
            assert statement.owed_for_baskets == total(d.reference for d in brought)
            assert statement.by_hand == total(d.member for d in brought)
            assert statement.by_hand + statement.from_solidarity_fund - passed_on(
                statement
            ) == total(d.reference for d in brought)
            assert statement.received_net == statement.owed_for_baskets
            assert statement.refunds == passed_on(statement)
    # The baskets skipped are the member's to pay all the same: paid in March, nothing is left.
    for subscription in {delivery.subscription for delivery in deliveries}:
        rest = total(d.member for d in deliveries if d.subscription == subscription)
        rest -= total(d.member for d in deliveries if d.subscription == subscription and d.brought)
        if rest:
            pay(subscription, rest, dt.datetime(2027, 3, 5, 12, tzinfo=PARIS))
        assert subscription_account(subscription).outstanding == 0


def pay(subscription, amount: Decimal, when: dt.datetime) -> None:
    details = PaymentDetails(method=PaymentMethod.CHEQUE, amount=amount, cheque_number="0042")
    record_manual_payment(
        details, subscription=subscription, recorded_by=subscription.member, now=when
    )


@runs(12)
@given(fund=funds(), drawn=households(), moments=instants, repeats=st.lists(st.booleans()))
def test_settling_again_at_the_same_instant_writes_nothing_and_the_ledgers_reconcile(
    whole_season, coordinator, fund, drawn, moments, repeats
):
    rolled_back(check_reconciliation, whole_season, coordinator, fund, drawn, moments, repeats)


def check_reconciliation(point, coordinator, fund, drawn, moments, repeats):
    deliveries = a_season(point, coordinator, fund, drawn)
    for now, repeated in zip(moments, [*repeats, *[False] * len(moments)], strict=False):
        settle_and_check(deliveries, now)
        if repeated:  # the beat runs again before anything new began
            settle_and_check(deliveries, now + dt.timedelta(seconds=1))
    entries = FundEntry.objects.filter(delivery__isnull=False)
    event(f"{entries.count() > 0} any settled")
    for entry in entries.select_related("ledger_entry"):
        assert entry.ledger_entry.amount == -entry.amount
        assert entry.ledger_entry.kind == EntryKind.SOLIDARITY


@runs(25)
@given(
    fund=funds(),
    cents=st.integers(500, 3_000),
    quantity=st.integers(1, 3),
    plan=st.sampled_from(
        [PaymentPlan.WHOLE_SEASON, PaymentPlan.THREE_MONTHLY, PaymentPlan.PER_DELIVERY]
    ),
)
def test_a_reduced_members_dues_are_their_price_of_each_delivery_of_the_season(
    point, coordinator, fund, cents, quantity, plan
):
    rolled_back(check_reduced_dues, point, coordinator, fund, cents, quantity, plan)


def check_reduced_dues(point, coordinator, fund, cents, quantity, plan):
    low, high, rate = (euros(value) for value in fund)
    terms = FundSettings("Caisse", rate_min=low, rate_max=high, rate_step="5", reserve="200")
    create_fund(coordinator, terms, [point], starting_rate=rate, now=NOW)
    subscription = subscription_to(point, price=euros(cents), quantity=quantity)
    row = Household(None, cents, quantity, "reduced", 0, ())
    on_tier(subscription, coordinator, row)

    payment = schedule_subscription_payments(
        subscription, plan, PaymentMethod.CHEQUE, today=TODAY, now=NOW
    )

    each = to_cent(euros(cents) * quantity * (HUNDRED - rate) / HUNDRED)
    assert subscription_account(subscription).due == each * SEASON_TUESDAYS
    assert payment.total == each * SEASON_TUESDAYS
    assert total(payment.instalments.values_list("amount", flat=True)) == payment.total


# Bad inputs: a clear refusal, nothing saved.

CLOSED = (
    "The fund is closed to new reduced-tier requests: this one stays on the waiting "
    "list until a review reopens it."
)


def fund_figures(fund) -> tuple:
    fund = Fund.objects.get(pk=fund.pk)
    return (fund.rate_min, fund.rate_max, fund.rate_step, fund.rate, fund.reserve)


@pytest.mark.parametrize(
    "changes",
    [{"rate_max": "100.01"}, {"rate_min": "-0.01"}, {"rate_min": "150", "rate_max": "200"}],
)
def test_new_bounds_outside_0_to_100_percent_leave_the_fund_as_it_was(fund, coordinator, changes):
    before = fund_figures(fund)

    with pytest.raises(SolidarityRefused) as refused:
        change_fund_settings(coordinator, fund, replace(SETTINGS, **changes))

    assert said(refused, "A rate is a percentage between 0 and 100.")
    assert fund_figures(fund) == before


def test_a_la_carte_a_request_at_a_closed_fund_waits_and_gives_no_tier(
    fund, point, member, coordinator
):
    Fund.objects.filter(pk=fund.pk).update(open_to_requests=False)
    request = ask_for_tier(member, Tier.REDUCED, pickup_point=point, declaration="RSA")
    assert request.state == RequestState.WAITING

    with pytest.raises(SolidarityRefused) as refused:
        approve_request(coordinator, request)

    assert said(refused, CLOSED)
    request.refresh_from_db()
    assert request.state == RequestState.WAITING
    assert not MemberTier.objects.exists()


def test_a_request_waiting_at_a_closed_fund_leaves_the_reference_price_and_nothing_to_settle(
    fund, point, subscription, member, coordinator
):
    Fund.objects.filter(pk=fund.pk).update(open_to_requests=False)
    request = ask_for_tier(member, Tier.REDUCED, subscription=subscription, declaration="RSA")
    with pytest.raises(SolidarityRefused):
        approve_request(coordinator, request)

    payment = schedule_subscription_payments(
        subscription, PaymentPlan.WHOLE_SEASON, PaymentMethod.CHEQUE, today=TODAY, now=NOW
    )
    generate_basket_deliveries([point.pk], dt.date(2026, 11, 24), dt.date(2027, 2, 28))

    assert payment.total == Decimal("12.00") * SEASON_TUESDAYS
    assert not SolidarityTier.objects.exists()
    assert settle_fund_deliveries(now=AFTER_SEASON) == 0
    assert not FundEntry.objects.filter(delivery__isnull=False).exists()
