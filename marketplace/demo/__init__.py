"""Demo data: farms around Rennes (Ille-et-Vilaine), their products, and one account per role.

Seeded and idempotent: running it again finds what it made and creates nothing twice.
"""

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify
from oscar.core.loading import get_model

from deliveries.network.geocoding import locate_town
from marketplace.demo.baskets import ensure_demo_baskets
from marketplace.demo.deliveries import ensure_demo_distribution, ensure_pickup_points
from marketplace.demo.orders import demo_members, ensure_demo_orders
from marketplace.demo.payments import ensure_demo_online_payment, ensure_demo_payments
from marketplace.demo.solidarity import ensure_demo_solidarity
from marketplace.shop_setup import ensure_shop_basics
from producers.models import Label, Producer, ProductSheet
from producers.services import ProductDraft, create_product

Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")
User = get_user_model()

DEMO_PASSWORD = "demo-circuit-court"

TOWNS = [
    "Rennes",
    "Betton",
    "Cesson-Sévigné",
    "Bruz",
    "Pacé",
    "Saint-Grégoire",
    "Vitré",
    "Fougères",
    "Redon",
    "Montfort-sur-Meu",
    "Liffré",
    "Châteaugiron",
    "Janzé",
    "Guichen",
    "Bain-de-Bretagne",
    "Saint-Aubin-du-Cormier",
    "Melesse",
    "Noyal-sur-Vilaine",
    "Vern-sur-Seiche",
    "Chartres-de-Bretagne",
    "Acigné",
    "Mordelles",
    "Laillé",
    "Thorigné-Fouillard",
    "Servon-sur-Vilaine",
    "Saint-Malo",
    "Dinard",
    "Combourg",
    "Tinténiac",
    "Montauban-de-Bretagne",
    "Plélan-le-Grand",
]

FARMS = [
    ("La Ferme des Prés Verts", ["Légumes"], ["ab"]),
    ("Le Jardin de Margaux", ["Légumes", "Fruits"], ["ab", "nature-progres"]),
    ("Chèvrerie du Vallon", ["Produits laitiers"], ["ab"]),
    ("Les Poules de Bruz", ["Œufs"], ["ab"]),
    ("Fournil du Pays de Vitré", ["Pain"], ["nature-progres"]),
    ("Vergers de la Vilaine", ["Fruits", "Boissons"], ["hve"]),
    ("GAEC du Bocage", ["Viande", "Produits laitiers"], []),
    ("Miellerie des Landes", ["Épicerie"], ["ab"]),
    ("Cidrerie de la Forêt", ["Boissons"], ["ab"]),
    ("Ferme de la Prévalaye", ["Légumes", "Œufs"], ["ab", "demeter"]),
    ("Bergerie des Marais", ["Viande"], ["nature-progres"]),
    ("Moulin de Pacé", ["Épicerie", "Pain"], ["ab"]),
    ("Laiterie du Coglais", ["Produits laitiers"], []),
    ("Les Serres de Saint-Grégoire", ["Légumes"], ["hve"]),
]

LABELS = [
    ("ab", "Agriculture biologique (AB)"),
    ("nature-progres", "Nature & Progrès"),
    ("demeter", "Demeter"),
    ("hve", "Haute valeur environnementale (HVE)"),
]

# name, unit, reference price incl. VAT
PRODUCTS = {
    "Légumes": [
        ("Carottes", "kg", "2.40"),
        ("Pommes de terre", "kg", "1.80"),
        ("Poireaux", "kg", "3.20"),
        ("Courge butternut", "piece", "2.90"),
        ("Salade batavia", "piece", "1.30"),
        ("Oignons jaunes", "kg", "2.60"),
        ("Betteraves cuites", "kg", "3.90"),
        ("Radis roses", "bunch", "1.60"),
        ("Choux kale", "bunch", "2.20"),
        ("Tomates anciennes", "kg", "5.20"),
        ("Courgettes", "kg", "2.80"),
        ("Épinards", "kg", "6.50"),
        ("Panais", "kg", "3.60"),
        ("Navets", "bunch", "2.10"),
        ("Potimarron", "piece", "3.10"),
        ("Mâche", "kg", "14.00"),
        ("Haricots verts", "kg", "7.50"),
        ("Céleri-rave", "piece", "2.70"),
    ],
    "Fruits": [
        ("Pommes Reinette", "kg", "3.10"),
        ("Poires Conférence", "kg", "3.40"),
        ("Fraises gariguette", "kg", "11.00"),
        ("Framboises", "kg", "18.00"),
        ("Kiwis", "kg", "4.20"),
        ("Prunes", "kg", "4.80"),
        ("Rhubarbe", "kg", "4.00"),
        ("Cassis", "kg", "12.00"),
        ("Pommes Chantecler", "kg", "2.90"),
    ],
    "Produits laitiers": [
        ("Fromage de chèvre frais", "piece", "3.20"),
        ("Tomme de vache", "kg", "22.00"),
        ("Yaourt nature", "piece", "0.90"),
        ("Lait cru", "litre", "1.30"),
        ("Beurre demi-sel", "piece", "3.80"),
        ("Crème fraîche", "piece", "3.40"),
        ("Faisselle", "piece", "2.60"),
        ("Lait ribot", "litre", "1.90"),
        ("Crottin affiné", "piece", "3.60"),
        ("Fromage blanc", "kg", "6.80"),
    ],
    "Œufs": [
        ("Œufs plein air", "dozen", "4.20"),
        ("Œufs bio", "dozen", "4.80"),
        ("Œufs de cane", "piece", "0.70"),
        ("Demi-douzaine d'œufs", "piece", "2.40"),
    ],
    "Viande": [
        ("Colis de bœuf", "kg", "17.50"),
        ("Côtes de porc", "kg", "13.90"),
        ("Poulet fermier", "piece", "19.00"),
        ("Saucisses", "kg", "14.50"),
        ("Gigot d'agneau", "kg", "26.00"),
        ("Rillettes", "piece", "5.40"),
        ("Steak haché", "kg", "16.80"),
        ("Pâté de campagne", "piece", "4.90"),
    ],
    "Pain": [
        ("Pain de campagne", "piece", "4.20"),
        ("Pain complet", "piece", "4.50"),
        ("Pain aux graines", "piece", "5.10"),
        ("Baguette au levain", "piece", "1.60"),
        ("Kouign-amann", "piece", "3.50"),
        ("Brioche", "piece", "6.20"),
        ("Pain de seigle", "piece", "4.80"),
    ],
    "Épicerie": [
        ("Miel de fleurs", "piece", "9.50"),
        ("Miel de châtaignier", "piece", "10.50"),
        ("Farine de blé T80", "kg", "2.40"),
        ("Farine de sarrasin", "kg", "3.90"),
        ("Confiture de fraises", "piece", "5.20"),
        ("Lentilles vertes", "kg", "5.60"),
        ("Huile de colza", "litre", "8.90"),
        ("Caramel au beurre salé", "piece", "6.40"),
        ("Galettes de blé noir", "piece", "4.60"),
    ],
    "Boissons": [
        ("Cidre brut", "litre", "4.60"),
        ("Jus de pomme", "litre", "3.20"),
        ("Poiré", "litre", "5.40"),
        ("Chouchen", "litre", "14.00"),
        ("Jus de pomme-framboise", "litre", "3.90"),
    ],
}

VAT_BY_CATEGORY = {"Boissons": Decimal("20.00")}
SOFT_DRINKS = {"Jus de pomme", "Jus de pomme-framboise"}

DEMO_ACCOUNTS = [
    ("membre@demo.circuit-court.fr", "Camille", "Martin", "member"),
    ("paysan@demo.circuit-court.fr", "Yann", "Le Goff", "producer"),
    ("benevole@demo.circuit-court.fr", "Nadia", "Benali", "volunteer"),
    ("referent@demo.circuit-court.fr", "Pierre", "Rouxel", "coordinator"),
    ("admin@demo.circuit-court.fr", "Sophie", "Admin", "staff"),
]


@dataclass
class DemoSize:
    """How much to make. ``products=None``: each farm sells its whole range (186 products for
    the 14 farms); a number spreads that many over the farms (the benchmarks use 2,000)."""

    producers: int = len(FARMS)
    products: int | None = None
    seed: int = 42


def farm_names(count: int) -> Iterator[tuple[str, list[str], list[str]]]:
    for index in range(count):
        name, categories, labels = FARMS[index % len(FARMS)]
        if index >= len(FARMS):
            name = f"{name} {index // len(FARMS) + 1}"
        yield name, categories, labels


def ensure_labels() -> dict[str, Label]:
    return {
        slug: Label.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in LABELS
    }


@transaction.atomic
def ensure_producer(
    index: int,
    name: str,
    categories: list[str],
    labels: list[str],
    label_objects: dict[str, Label],
    rng: random.Random,
) -> Producer:
    slug = slugify(name)
    producer = Producer.objects.filter(slug=slug).first()
    if producer:
        return producer
    town = TOWNS[index % len(TOWNS)]
    place = locate_town(town)
    partner = Partner.objects.create(name=name, code=slug)
    producer = Producer.objects.create(
        partner=partner,
        name=name,
        slug=slug,
        story=(
            f"{name} est une ferme familiale installée à {town}. Nous cultivons et élevons "
            "en respectant les sols et les saisons, et nous vendons en circuit court "
            "aux AMAP et aux familles du pays de Rennes."
        ),
        address=f"Lieu-dit La {rng.choice(['Touche', 'Haie', 'Lande', 'Motte', 'Noë'])}",
        postcode=place.postcode if place else "35000",
        town=town,
        latitude=Decimal(str(round(place.latitude + rng.uniform(-0.02, 0.02), 6)))
        if place
        else None,
        longitude=Decimal(str(round(place.longitude + rng.uniform(-0.02, 0.02), 6)))
        if place
        else None,
        contact_email=f"contact@{slug[:40]}.example.fr",
        phone=f"02 99 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
    )
    producer.labels.set([label_objects[s] for s in labels])
    producer.categories.set(Category.objects.filter(depth=1, name__in=categories))
    return producer


def ensure_products(
    producer: Producer, categories: list[str], count: int, rng: random.Random
) -> int:
    """Give a producer `count` products from their categories; returns how many were created."""
    existing = set(
        ProductSheet.objects.filter(producer=producer).values_list("product__title", flat=True)
    )
    catalogue = [(c, item) for c in categories for item in PRODUCTS[c]]
    created = 0
    for index in range(count):
        category_name, (title, unit, price) = catalogue[index % len(catalogue)]
        if index >= len(catalogue):
            title = f"{title} – sélection {index // len(catalogue) + 1}"
        if title in existing:
            continue
        vat = VAT_BY_CATEGORY.get(category_name, Decimal("5.50"))
        if title.split(" – ")[0] in SOFT_DRINKS:
            vat = Decimal("5.50")
        create_product(
            producer,
            ProductDraft(
                title=title,
                description=f"{title} — {producer.name}. Récolté ou préparé pour la distribution.",
                category=Category.objects.get(depth=1, name=category_name),
                unit=unit,
                price=(Decimal(price) * Decimal(str(rng.uniform(0.9, 1.15)))).quantize(
                    Decimal("0.01")
                ),
                vat_rate=vat,
                stock=rng.choice([0, 5, 12, 20, 30, 40, 60]) if rng.random() > 0.05 else 0,
            ),
        )
        created += 1
    return created


@transaction.atomic
def ensure_accounts(first_producer: Producer) -> list[tuple[str, str, str]]:
    for email, first, last, role in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                username=email.split("@")[0],
                email=email,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
            )
        if role == "producer":
            first_producer.partner.users.add(user)
        if role == "staff":
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
    return [(role, email, DEMO_PASSWORD) for email, _, _, role in DEMO_ACCOUNTS]


def load_demo(size: DemoSize, progress: Callable[[int, int], None] = lambda done, total: None):
    ensure_shop_basics()
    rng = random.Random(size.seed)
    label_objects = ensure_labels()
    per_producer, extra = divmod(size.products or 0, size.producers)
    producers = []
    for index, (name, categories, labels) in enumerate(farm_names(size.producers)):
        producer = ensure_producer(index, name, categories, labels, label_objects, rng)
        producers.append(producer)
        if size.products is None:
            wanted = sum(len(PRODUCTS[category]) for category in categories)
        else:
            wanted = per_producer + (1 if index < extra else 0)
        ensure_products(producer, categories, wanted, rng)
        progress(index + 1, size.producers)
    accounts = ensure_accounts(producers[0])
    ensure_pickup_points(
        coordinator=User.objects.get(email=DEMO_ACCOUNTS[3][0]),
        volunteer=User.objects.get(email=DEMO_ACCOUNTS[2][0]),
    )
    first_member = User.objects.get(email=DEMO_ACCOUNTS[0][0])
    ensure_demo_orders(first_member, producers[0], rng)
    ensure_demo_baskets(first_member, producers, rng)
    ensure_demo_payments(first_member, coordinator=User.objects.get(email=DEMO_ACCOUNTS[3][0]))
    ensure_demo_online_payment(producers)
    ensure_demo_distribution(
        volunteer=User.objects.get(email=DEMO_ACCOUNTS[2][0]),
        neighbour=demo_members(first_member)[1],
    )
    # After the payments and yesterday's distribution: its households' tiers come before
    # their payment plans, and yesterday's baskets are settled with the fund.
    ensure_demo_solidarity(
        coordinator=User.objects.get(email=DEMO_ACCOUNTS[3][0]),
        staff=User.objects.get(email=DEMO_ACCOUNTS[4][0]),
        first_member=first_member,
    )
    return accounts
