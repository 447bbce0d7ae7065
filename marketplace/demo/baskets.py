"""Demo AMAP subscriptions: basket plans of the demo farms, a season of contracts at each demo
pickup point, neighbours subscribed to them (one full place with its waiting list), absences,
baskets given away, the coming weeks' compositions and the basket deliveries of the next two
weeks, so that members, volunteers, coordinators and producers all have something to look at.

Once only: nothing happens if the demo contracts already exist.
"""

import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from oscar.core.loading import get_model

from baskets.models import (
    BasketPlan,
    CoHolding,
    CoHoldingState,
    Contract,
    ContractKind,
    ContractPickupPoint,
    PlanFrequency,
    Sharing,
    Subscription,
    SubscriptionState,
    TransferKind,
)
from baskets.services import (
    GENERATION_WEEKS,
    announce_composition,
    claim_basket,
    contract_delivery_dates,
    generate_basket_deliveries,
    pause_subscription,
    skip_delivery,
    subscribe,
    transfer_delivery,
)
from baskets.services.choices import choice_total, unit_prices
from baskets.services.compositions import plan_delivery_dates
from deliveries.network.models import DayState, DistributionDay, PickupPoint
from marketplace.demo.deliveries import PICKUP_POINTS
from marketplace.demo.orders import DEMO_DOMAIN, demo_members
from producers.models import Producer

User = get_user_model()
Product = get_model("catalogue", "Product")

THABOR = "Maison de quartier Thabor"
SAINT_HELIER = "Salle Saint-Hélier"
CESSON = "Carré Sévigné"
BRUZ = "Halle de Bruz"
BETTON = "Ferme de la Chaperonnais"
VITRE = "Centre social de Vitré"

SEASON_WEEKS = 20
WAITING_LIST_CAPACITY = 3


@dataclass(frozen=True)
class PlanSpec:
    key: str
    name: str
    category: str  # the catalogue category of the farm that offers it
    price: str
    size: str
    description: str
    frequency: str = PlanFrequency.EVERY_DAY


PLANS = [
    PlanSpec(
        "small_vegetables",
        "Petit panier de légumes",
        "Légumes",
        "12.00",
        "4 à 5 kg",
        "Les légumes de saison de la ferme, pour un foyer de deux personnes.",
    ),
    PlanSpec(
        "large_vegetables",
        "Grand panier de légumes",
        "Légumes",
        "20.00",
        "7 à 8 kg",
        "Les légumes de saison de la ferme, pour une famille de quatre personnes.",
    ),
    PlanSpec(
        "eggs",
        "Part d'œufs",
        "Œufs",
        "2.40",
        "6 œufs",
        "Six œufs de poules élevées en plein air.",
    ),
    PlanSpec(
        "bread",
        "Pain de la semaine",
        "Pain",
        "5.50",
        "1 pain de 1 kg",
        "Un pain au levain cuit au feu de bois, farine de blé de la ferme.",
    ),
    PlanSpec(
        "fruit",
        "Panier de fruits",
        "Fruits",
        "9.00",
        "2 à 3 kg",
        "Pommes, poires et petits fruits selon la saison, une distribution sur deux.",
        PlanFrequency.EVERY_OTHER_DAY,
    ),
    PlanSpec(
        "dairy",
        "Part de laiterie au choix",
        "Produits laitiers",
        "8.00",
        "au choix",
        "Yaourts, fromages et crème de la ferme : chacun choisit ses produits, au moins 8 € "
        "par distribution.",
    ),
]
# A variable contract: members choose quantities of these plans' products, at least the minimum.
VARIABLE_PLANS = {"dairy"}

# The contracts each pickup point delivers (2 to 4 a point). Bread at Saint-Hélier has room
# for a few households only, and more sign up: a waiting list.
CONTRACTS_AT = {
    "small_vegetables": [THABOR, SAINT_HELIER, CESSON, BRUZ, BETTON, VITRE],
    "large_vegetables": [THABOR, CESSON, BETTON],
    "eggs": [THABOR, SAINT_HELIER, BRUZ],
    "bread": [THABOR, SAINT_HELIER, VITRE],
    "fruit": [CESSON, BRUZ, VITRE],
    "dairy": [SAINT_HELIER, BETTON],
}
FULL_PLACE = ("bread", SAINT_HELIER)

# Neighbours who join the AMAP besides the demo members who order in the shop.
DEMO_NEIGHBOURS = [
    ("Gaël", "Le Roux"),
    ("Maëlle", "Briand"),
    ("Erwan", "Caradec"),
    ("Louise", "Pichon"),
    ("Yannick", "Lemoine"),
    ("Sarah", "Kerbrat"),
    ("Baptiste", "Hervé"),
    ("Clara", "Daniel"),
    ("Antoine", "Lebreton"),
    ("Émilie", "Gicquel"),
    ("Romain", "Nédélec"),
    ("Lucie", "Coquet"),
]

# What the vegetable baskets hold, one menu a week in turn: product, quantity, unit.
VEGETABLE_MENUS = [
    (
        [
            ("Carottes", "1", "kg"),
            ("Poireaux", "3", "pièces"),
            ("Courge butternut", "1", "pièce"),
            ("Salade batavia", "1", "pièce"),
            ("Pommes de terre", "2", "kg"),
        ],
        "Premières courges de la saison : elles se gardent plusieurs semaines au frais.",
    ),
    (
        [
            ("Pommes de terre", "1.5", "kg"),
            ("Choux kale", "1", "botte"),
            ("Panais", "0.8", "kg"),
            ("Oignons jaunes", "1", "kg"),
            ("Mâche", "0.2", "kg"),
        ],
        "Le kale se cuisine en chips au four ou en soupe avec les panais.",
    ),
    (
        [
            ("Carottes", "1", "kg"),
            ("Potimarron", "1", "pièce"),
            ("Céleri-rave", "1", "pièce"),
            ("Betteraves cuites", "1", "kg"),
            ("Radis roses", "1", "botte"),
        ],
        "",
    ),
]


def ensure_demo_baskets(first_member, producers: list[Producer], rng: random.Random) -> int:
    """The demo's AMAP side, made once. Returns how many subscriptions were created."""
    if not producers:
        return 0
    points = _demo_points()
    if THABOR not in points:
        return 0
    plan_names = [spec.name for spec in PLANS]
    if Contract.objects.filter(plan__producer__in=producers, plan__name__in=plan_names).exists():
        return 0
    with transaction.atomic():
        return _make_demo_baskets(first_member, producers, points, rng)


def _make_demo_baskets(first_member, producers, points, rng: random.Random) -> int:
    today = timezone.localdate()
    plans = {spec.key: _ensure_plan(spec, _producer_for(spec, producers)) for spec in PLANS}
    contracts = {key: _make_contract(key, plans[key], points, today, rng) for key in CONTRACTS_AT}
    members = demo_members(first_member) + _demo_neighbours()
    subscriptions = _subscribe_neighbours(members, points, contracts, rng, today)
    # The demo's households joined before the season started: their baskets run from its
    # first day, including the days already prepared when the demo is made.
    Subscription.objects.filter(pk__in=[sub.pk for sub in subscriptions.values()]).update(
        first_delivery_on=None
    )
    _absences_and_transfers(first_member, subscriptions)
    for key in ("small_vegetables", "large_vegetables"):
        _announce_compositions(plans[key], today, large=key == "large_vegetables")
    generate_basket_deliveries(
        [point.pk for point in points.values()],
        today,
        today + timedelta(weeks=GENERATION_WEEKS),
    )
    return len(subscriptions)


def _demo_points() -> dict[str, PickupPoint]:
    """The demo pickup points by name, in the order ``PICKUP_POINTS`` lists them."""
    names = [name for _collective, name, *_rest in PICKUP_POINTS]
    found = PickupPoint.objects.in_bulk([slugify(name) for name in names], field_name="slug")
    return {name: found[slugify(name)] for name in names if slugify(name) in found}


def _producer_for(spec: PlanSpec, producers: list[Producer]) -> Producer:
    """Vegetables from the farm the demo producer manages; the rest from a farm of the right
    category, or any other farm when the demo has too few."""
    if spec.category == "Légumes":
        return producers[0]
    fitting = list(
        Producer.objects.filter(
            pk__in=[producer.pk for producer in producers[1:]],
            categories__name=spec.category,
        ).order_by("pk")
    )
    if fitting:
        return fitting[0]
    others = producers[1:] or producers
    return others[PLANS.index(spec) % len(others)]


def _ensure_plan(spec: PlanSpec, producer: Producer) -> BasketPlan:
    plan, _created = BasketPlan.objects.get_or_create(
        producer=producer,
        name=spec.name,
        defaults={
            "description": spec.description,
            "size": spec.size,
            "reference_price": Decimal(spec.price),
            "frequency": spec.frequency,
        },
    )
    return plan


def _make_contract(
    key: str, plan: BasketPlan, points: dict[str, PickupPoint], today: date, rng: random.Random
) -> Contract:
    """One season from today, at the pickup points ``CONTRACTS_AT`` gives it."""
    ends_on = today + timedelta(weeks=SEASON_WEEKS)
    season = f"{today.year}" if ends_on.year == today.year else f"{today.year}-{ends_on.year}"
    contract = Contract.objects.create(
        plan=plan,
        name=f"Saison {season}",
        starts_on=today - timedelta(weeks=1),  # under way: last week's baskets exist
        ends_on=ends_on,
        signup_opens_on=today - timedelta(weeks=2),
        signup_closes_on=today + timedelta(weeks=6),
        absence_allowance=4,
        absence_deadline_hours=48,
    )
    if key in VARIABLE_PLANS:
        contract.kind = ContractKind.VARIABLE
        contract.minimum_per_delivery = plan.reference_price
        contract.save(update_fields=["kind", "minimum_per_delivery"])
        plan.products.set(
            Product.objects.filter(stockrecords__partner=plan.producer.partner).order_by("pk")[:5]
        )
    delivered = [name for name in CONTRACTS_AT[key] if name in points]
    for name in delivered:
        ContractPickupPoint.objects.create(
            contract=contract,
            pickup_point=points[name],
            capacity=WAITING_LIST_CAPACITY if (key, name) == FULL_PLACE else rng.randint(20, 40),
        )
    contract.coordinators.set(
        User.objects.filter(
            coordinated_pickup_points__in=[points[name] for name in delivered]
        ).distinct()
    )
    return contract


def _demo_neighbours() -> list:
    """More demo households, made like the demo members: they cannot sign in."""
    neighbours = []
    for first, last in DEMO_NEIGHBOURS:
        local = f"{slugify(first)}.{slugify(last).replace('-', '')}"
        email = f"{local}@{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                username=local[:150], email=email, password=None, first_name=first, last_name=last
            )
        neighbours.append(user)
    return neighbours


def _subscribe_neighbours(
    members: list, points: dict[str, PickupPoint], contracts: dict[str, Contract], rng, today
) -> dict[tuple[int, str], Subscription]:
    """Each member collects at one pickup point (the first member at the Thabor): a vegetable
    basket there, and some of the point's other contracts. The full place fills first: its
    point's members and one from the Thabor sign up, the last two wait."""
    names = list(points)
    home = {name: [] for name in names}
    for index, member in enumerate(members):
        home[names[index % len(names)]].append(member)
    subscriptions: dict[tuple[int, str], Subscription] = {}

    def sign_up(member, key: str, point_name: str) -> None:
        if (member.pk, key) not in subscriptions:
            contract = contracts[key]
            choice = _a_choice(contract, rng) if key in VARIABLE_PLANS else None
            if key in VARIABLE_PLANS and not choice:
                return  # a demo farm without products: nothing to choose from
            subscriptions[member.pk, key] = subscribe(
                member,
                contract,
                points[point_name],
                agreed=True,
                today=today,
                choice=choice,
            )

    full_key, full_point = FULL_PLACE
    if full_point in points:
        neighbours = [member for member in home[THABOR] if member.pk != members[0].pk]
        for member in (home[full_point] + neighbours)[: WAITING_LIST_CAPACITY + 2]:
            sign_up(member, full_key, full_point)
    for point_name, point_members in home.items():
        offered = [key for key, at in CONTRACTS_AT.items() if point_name in at]
        for index, member in enumerate(point_members):
            large = "large_vegetables" in offered and index % 2 == 1
            sign_up(member, "large_vegetables" if large else "small_vegetables", point_name)
            extras = [k for k in offered if "vegetables" not in k and (k, point_name) != FULL_PLACE]
            for key in extras:
                if rng.random() < 0.6:
                    sign_up(member, key, point_name)
    _share_in_turns(members[0], home.get(THABOR, []), subscriptions)
    return subscriptions


def _share_in_turns(first_member, thabor: list, subscriptions) -> None:
    """The first member shares one of their Thabor contracts with a neighbour, in turns, so
    that "Mes paniers" and the pickup list show whose turn each delivery is."""
    own = {key: sub for (pk, key), sub in subscriptions.items() if pk == first_member.pk}
    shared = next((sub for key, sub in own.items() if "vegetables" not in key), None)
    shared = shared or next(iter(own.values()), None)
    if shared is None:
        return
    holding = {
        sub.member_id for sub in subscriptions.values() if sub.contract_id == shared.contract_id
    }
    neighbour = next((m for m in thabor if m.pk != first_member.pk and m.pk not in holding), None)
    if neighbour is not None:
        shared.co_holder, shared.sharing = neighbour, Sharing.ALTERNATE
        shared.save(update_fields=["co_holder", "sharing"])
        # As if the neighbour had accepted the invitation: either may end the sharing.
        CoHolding.objects.create(
            subscription=shared,
            email=neighbour.email,
            sharing=Sharing.ALTERNATE,
            token=secrets.token_urlsafe(32),
            state=CoHoldingState.ACCEPTED,
            invited_at=shared.agreed_at,
            answered_at=shared.agreed_at,
            co_holder=neighbour,
        )


def _a_choice(contract: Contract, rng: random.Random) -> dict[int, int]:
    """A few of the plan's products, enough to reach the contract's minimum."""
    prices = unit_prices(contract.plan.products.values_list("pk", flat=True))
    products = rng.sample(sorted(prices), min(3, len(prices)))
    choice: dict[int, int] = {}
    while products and choice_total(choice, prices) < contract.minimum_per_delivery:
        product = products[len(choice) % len(products)]
        choice[product] = choice.get(product, 0) + 1
    return choice


def _changeable_days(subscription: Subscription, now) -> list[DistributionDay]:
    """The subscription's coming distribution days a member may still skip or give away."""
    dates = contract_delivery_dates(subscription.contract, subscription.pickup_point)
    deadline = timedelta(hours=subscription.contract.absence_deadline_hours + 1)
    return list(
        DistributionDay.objects.filter(
            pickup_point=subscription.pickup_point,
            date__in=dates,
            starts_at__gt=now + deadline,
        )
        .exclude(state=DayState.CANCELLED)
        .order_by("starts_at")
    )


def _absences_and_transfers(first_member, subscriptions) -> None:
    """At the Thabor: the first member skips a later delivery, a neighbour's basket goes to
    a person they name, another's is offered and not taken yet (the first member may take it),
    another pauses. At the Carré Sévigné a basket offered is taken by a neighbour; at Bruz one
    goes to food aid; a few skip elsewhere."""
    now = timezone.now()
    vegetables = {}
    for (_member_id, key), subscription in subscriptions.items():
        if "vegetables" in key and subscription.state == SubscriptionState.ACTIVE:
            vegetables.setdefault(subscription.pickup_point.name, []).append(subscription)

    def days(subscription, count):
        found = _changeable_days(subscription, now)
        return found if len(found) >= count else None

    thabor = vegetables.get(THABOR, [])
    own = [sub for sub in thabor if sub.member_id == first_member.pk]
    others = [sub for sub in thabor if sub.member_id != first_member.pk]
    if own and (coming := days(own[0], 3)):
        skip_delivery(first_member, own[0].pk, coming[2].pk, now=now)
    if len(others) >= 1 and (coming := days(others[0], 1)):
        transfer_delivery(
            others[0].member, others[0].pk, coming[0].pk, TransferKind.NAMED, "Anne Martin", now
        )
    if len(others) >= 2 and (coming := days(others[1], 1)):
        transfer_delivery(
            others[1].member, others[1].pk, coming[0].pk, TransferKind.OFFERED, now=now
        )
    if len(others) >= 3 and (coming := days(others[2], 5)):
        pause_subscription(others[2].member, others[2].pk, coming[3].date, coming[4].date, now=now)

    cesson = vegetables.get(CESSON, [])
    if len(cesson) >= 2 and (coming := days(cesson[0], 1)):
        offered = transfer_delivery(
            cesson[0].member, cesson[0].pk, coming[0].pk, TransferKind.OFFERED, now=now
        )
        claim_basket(cesson[1].member, offered.pk)

    bruz = vegetables.get(BRUZ, [])
    if bruz and bruz[0].pickup_point.food_aid_partner and (coming := days(bruz[0], 2)):
        transfer_delivery(bruz[0].member, bruz[0].pk, coming[1].pk, TransferKind.FOOD_AID, now=now)

    for name in (SAINT_HELIER, BETTON, VITRE):
        for subscription in vegetables.get(name, [])[:2]:
            if coming := days(subscription, 2):
                skip_delivery(subscription.member, subscription.pk, coming[1].pk, now=now)


def _announce_compositions(plan: BasketPlan, today: date, *, large: bool) -> None:
    """What the vegetable baskets hold on each delivery date of the next three weeks: the
    next three distributions of every pickup point, one menu a week."""
    for day in plan_delivery_dates(plan, today, today + timedelta(days=20)):
        products, note = VEGETABLE_MENUS[((day - today).days // 7) % len(VEGETABLE_MENUS)]
        lines = [
            _larger(name, Decimal(quantity), unit) if large else (name, Decimal(quantity), unit)
            for name, quantity, unit in products
        ]
        announce_composition(plan.producer, plan.pk, day, lines, note)


def _larger(name: str, quantity: Decimal, unit: str) -> tuple[str, Decimal, str]:
    """A large basket's share: half as much again by weight, one more of each item."""
    if unit == "kg":
        return name, (quantity * Decimal("1.5")).quantize(Decimal("0.1")), unit
    return name, quantity + 1, unit if unit.endswith("s") else f"{unit}s"
