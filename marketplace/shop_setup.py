"""What every installation needs before the first product: categories, the farm product class,
the site's domain and the pay-at-pickup payment type. Idempotent."""

from django.conf import settings
from django.contrib.sites.models import Site
from django.db import transaction
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from producers.services import farm_product_class

Category = get_model("catalogue", "Category")
SourceType = get_model("payment", "SourceType")
CommunicationEventType = get_model("communication", "CommunicationEventType")

# French names first: they are what members see and search for.
CATEGORIES = [
    "Légumes",
    "Fruits",
    "Produits laitiers",
    "Œufs",
    "Viande",
    "Pain",
    "Épicerie",
    "Boissons",
]


PAY_AT_PICKUP = "pay-at-pickup"
PAID_BY_CARD = "card"


def pay_at_pickup_source_type():
    """The payment source of orders paid at pickup (named in French, the site's language)."""
    return SourceType.objects.get_or_create(
        code=PAY_AT_PICKUP, defaults={"name": "Paiement au retrait"}
    )[0]


def card_source_type():
    """The payment source of orders paid by card at checkout (one Stripe payment per
    producer: payments.OrderPayment)."""
    return SourceType.objects.get_or_create(code=PAID_BY_CARD, defaults={"name": "Carte bancaire"})[
        0
    ]


@transaction.atomic
def ensure_shop_basics() -> None:
    for name in CATEGORIES:
        if not Category.objects.filter(depth=1, name=name).exists():
            create_from_breadcrumbs(name)
    farm_product_class()
    # Oscar records a sent order email only when its event type exists; we rely on that record
    # to send the confirmation once.
    CommunicationEventType.objects.get_or_create(
        code="ORDER_PLACED",
        defaults={"name": "Commande passée", "category": CommunicationEventType.ORDER_RELATED},
    )
    pay_at_pickup_source_type()
    domain = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost"
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.OSCAR_SHOP_NAME}
    )
