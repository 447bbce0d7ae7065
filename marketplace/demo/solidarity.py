"""The demo's solidarity: one fund shared by two AMAPs, "Caisse de solidarité du pays de
Rennes", coordinated by the demo coordinator. Three households of its own: one on the reduced
tier (approved by the coordinator), one supporter, one whose reduced-tier request waits on the
fund's page. Their baskets of yesterday's distribution are settled in both ledgers (the
producer's statement shows the fund's part received), a donation is recorded, the first rate
review has moved the rate and says why, and a contribution round is open on a contract of the
coordinator's, with a few pledges.

A tier is set before the household's payment plan is made, so that the plan is at its price.
Made once: each part finds what an earlier run made and makes nothing twice.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from oscar.core.loading import get_model

from baskets.models import HOLDING_STATES, Contract, ContractKind, Subscription
from baskets.services import GENERATION_WEEKS, generate_basket_deliveries, live_subscription
from baskets.services import subscribe as subscribe_to
from deliveries.distribution.selectors.pickup_list import prepare_handovers
from deliveries.network.models import DistributionDay, PickupPoint
from marketplace.demo.baskets import CESSON, PLANS, THABOR
from marketplace.demo.orders import DEMO_DOMAIN
from marketplace.payments.models import PaymentMethod, PaymentPlan, SubscriptionPayment
from marketplace.payments.services import schedule_subscription_payments
from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.models import (
    ContributionRound,
    EligibleProduct,
    Fund,
    FundEntryKind,
    RateReview,
    Tier,
    TierRequest,
)
from marketplace.solidarity.selectors.access import coordinates_contract
from marketplace.solidarity.selectors.rounds import holding_subscriptions, season_baskets
from marketplace.solidarity.services import (
    FundSettings,
    approve_request,
    ask_for_tier,
    create_fund,
    record_fund_entry,
    review_fund,
)
from marketplace.solidarity.services.rounds import RoundTerms, open_round, pledge
from marketplace.solidarity.services.settlement import settle_fund_deliveries
from marketplace.solidarity.services.staples import set_eligible_products

User = get_user_model()
Product = get_model("catalogue", "Product")

FUND_NAME = "Caisse de solidarité du pays de Rennes"
FUND_POINTS = (THABOR, CESSON)  # two AMAPs: du Thabor (Rennes) and de Cesson
# The reduced tier pays 10 to 40 % less, moving by 5 points a week at most; 150 € kept aside.
FUND_SETTINGS = FundSettings(
    name=FUND_NAME, rate_min="10", rate_max="40", rate_step="5", reserve="150"
)
STARTING_RATE = Decimal("20")
FUND_AGE = timedelta(weeks=4)  # set up by the network a month before
DONATION = ("450.00", "Chèque n° 0041523", "Recette de la fête de l'AMAP du Thabor")
SOLIDARITY_PLAN = "small_vegetables"
# The staples the coordinators open to the reduced tier à la carte.
STAPLES = ("Pain de campagne", "Pain complet", "Œufs plein air", "Pommes de terre", "Carottes")


@dataclass(frozen=True)
class Household:
    first: str
    last: str
    point: str
    tier: str
    declaration: str = ""
    approved: bool = True  # a reduced-tier request the coordinator approved
    payment: tuple[str, str] | None = None  # plan and method, once the tier is set


HOUSEHOLDS = [
    Household(
        "Nolwenn",
        "Le Meur",
        THABOR,
        Tier.REDUCED,
        "Je suis seule avec deux enfants et au RSA depuis le printemps.",
        payment=(PaymentPlan.PER_DELIVERY, PaymentMethod.CASH),
    ),
    Household(
        "Patrick",
        "Gourvès",
        THABOR,
        Tier.SUPPORTER,
        payment=(PaymentPlan.WHOLE_SEASON, PaymentMethod.TRANSFER),
    ),
    Household(
        "Aïcha",
        "Benhamou",
        CESSON,
        Tier.REDUCED,
        "Étudiante boursière, je voudrais un panier à prix réduit.",
        approved=False,  # waits for the coordinator on the fund's page
    ),
]
SUPPORTER_PERCENT = "25"

# The round: on the first of these contracts the coordinator runs with enough households,
# one the demo member holds if any, so that they may pledge too.
ROUND_PLANS = ("bread", "eggs", "fruit")
PLEDGE_FACTORS = (Decimal("0.90"), Decimal("1.10"), Decimal("1.30"))
ROUND_DAYS = 14


def ensure_demo_solidarity(*, coordinator, staff, first_member, now=None) -> Fund | None:
    """The demo's fund and what happens in it; after the demo's baskets, payments and
    yesterday's distribution. Returns the fund (None when the demo points are missing or an
    admin gave them another fund)."""
    now = now or timezone.now()
    points = list(PickupPoint.objects.filter(slug__in=[slugify(name) for name in FUND_POINTS]))
    if len(points) < len(FUND_POINTS):
        return None
    fund = Fund.objects.filter(slug=slugify(FUND_NAME)).first()
    if fund is None:
        try:
            fund = create_fund(
                staff, FUND_SETTINGS, points, starting_rate=STARTING_RATE, now=now - FUND_AGE
            )
        except SolidarityRefused:  # a demo point already draws on a fund made by hand
            return None
    _ensure_households(fund, coordinator, now)
    _ensure_round(coordinator, first_member, now)
    settle_fund_deliveries(now=now)
    _ensure_donation(fund, coordinator, now)
    _ensure_staples(fund, coordinator)
    if not RateReview.objects.filter(fund=fund).exists():
        review_fund(fund.pk, now=now)
    return fund


def _household_user(household: Household):
    """Made like the demo's neighbours: they cannot sign in."""
    local = f"{slugify(household.first)}.{slugify(household.last).replace('-', '')}"
    email = f"{local}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            username=local[:150],
            email=email,
            password=None,
            first_name=household.first,
            last_name=household.last,
        )
    return user


def _plan_contract(key: str, point: PickupPoint, today) -> Contract | None:
    name = next(spec.name for spec in PLANS if spec.key == key)
    return (
        Contract.objects.filter(plan__name=name, pickup_points=point, ends_on__gte=today)
        .order_by("-starts_on", "pk")
        .first()
    )


@transaction.atomic
def _ensure_households(fund: Fund, coordinator, now: datetime) -> None:
    """Each household holds a vegetable basket at its point and asks for its tier; then, the
    tier set, chooses how to pay. Their baskets run from the season's first day, yesterday's
    distribution included, like the demo's other households."""
    today = timezone.localdate(now)
    made = []
    for household in HOUSEHOLDS:
        point = PickupPoint.objects.get(slug=slugify(household.point))
        contract = _plan_contract(SOLIDARITY_PLAN, point, today)
        if contract is None:
            continue
        member = _household_user(household)
        subscription = live_subscription(member, contract)
        if subscription is None:
            subscription = subscribe_to(member, contract, point, agreed=True, today=today)
            Subscription.objects.filter(pk=subscription.pk).update(first_delivery_on=None)
            made.append(subscription.pk)
        if not TierRequest.objects.filter(member=member, subscription=subscription).exists():
            _ask(household, member, subscription, coordinator, now)
        if (
            household.payment
            and subscription.state in HOLDING_STATES
            and not SubscriptionPayment.objects.filter(subscription=subscription).exists()
        ):
            plan, method = household.payment
            schedule_subscription_payments(subscription, plan, method, today=today, now=now)
    if made:
        point_ids = list(fund.points.values_list("pickup_point_id", flat=True))
        yesterday = today - timedelta(days=1)
        generate_basket_deliveries(
            point_ids, yesterday, today + timedelta(weeks=GENERATION_WEEKS), made
        )
        for day in DistributionDay.objects.filter(
            pickup_point_id__in=point_ids, date=yesterday, closed_at__isnull=True
        ):
            prepare_handovers(day)


def _ask(household: Household, member, subscription, coordinator, now) -> None:
    if household.tier == Tier.SUPPORTER:
        ask_for_tier(
            member,
            Tier.SUPPORTER,
            subscription=subscription,
            supporter_percent=SUPPORTER_PERCENT,
            now=now,
        )
        return
    request = ask_for_tier(
        member,
        household.tier,
        subscription=subscription,
        declaration=household.declaration,
        now=now,
    )
    if household.approved and request is not None and request.is_open:
        approve_request(coordinator, request, now=now)


def _round_contract(coordinator, first_member, today):
    """The contract of the round and the households that pledge in it."""
    names = [spec.name for key in ROUND_PLANS for spec in PLANS if spec.key == key]
    candidates = []
    for name in names:
        for contract in Contract.objects.filter(
            plan__name=name, kind=ContractKind.FIXED, ends_on__gte=today
        ).order_by("-starts_on", "pk"):
            if not coordinates_contract(coordinator, contract):
                continue
            holders = holding_subscriptions(contract)
            others = [
                held
                for held in holders
                if first_member.pk not in (held.member_id, held.co_holder_id)
            ]
            if len(others) < len(PLEDGE_FACTORS):
                continue
            theirs = len(others) < len(holders)
            candidates.append((not theirs, len(candidates), contract, holders, others))
    if not candidates:
        return None
    _theirs_last, _order, contract, holders, others = min(candidates)
    return contract, holders, others


def _ensure_round(coordinator, first_member, now: datetime) -> ContributionRound | None:
    today = timezone.localdate(now)
    names = [spec.name for key in ROUND_PLANS for spec in PLANS if spec.key == key]
    existing = ContributionRound.objects.filter(contract__plan__name__in=names).first()
    if existing is not None:
        return existing
    chosen = _round_contract(coordinator, first_member, today)
    if chosen is None:
        return None
    contract, holders, others = chosen
    reference = contract.plan.reference_price
    baskets = sum(season_baskets(contract, holders).values())
    deadline = timezone.make_aware(
        datetime.combine(min(today + timedelta(days=ROUND_DAYS), contract.ends_on), time(20, 0))
    )
    if not baskets or deadline <= now:
        return None
    opened = open_round(
        coordinator,
        contract,
        RoundTerms(
            budget=reference * baskets,
            min_pledge=(reference * Decimal("0.70")).quantize(Decimal("0.01")),
            max_pledge=(reference * Decimal("1.60")).quantize(Decimal("0.01")),
            deadline=deadline,
        ),
        now=now,
    )
    for held, factor in zip(others, PLEDGE_FACTORS, strict=False):
        pledge(held.member, opened.pk, (reference * factor).quantize(Decimal("0.01")), now=now)
    return opened


def _ensure_donation(fund: Fund, coordinator, now: datetime) -> None:
    if fund.entries.filter(kind=FundEntryKind.DONATION).exists():
        return
    amount, reference, note = DONATION
    record_fund_entry(
        coordinator,
        fund,
        FundEntryKind.DONATION,
        amount,
        on=timezone.localdate(now) - timedelta(days=3),
        reference=reference,
        note=note,
        now=now,
    )


def _ensure_staples(fund: Fund, coordinator) -> None:
    """Bread, eggs, potatoes and carrots open to the reduced tier à la carte, once."""
    if EligibleProduct.objects.filter(fund=fund).exists():
        return
    ids = Product.objects.filter(
        title__in=STAPLES, is_public=True, stockrecords__isnull=False
    ).values_list("pk", flat=True)
    set_eligible_products(coordinator, fund, set(ids))
