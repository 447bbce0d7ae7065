"""The staples a fund opens to its reduced tier à la carte, and the catalogue's products its
coordinators choose them from. Each read takes one query, however many products."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from oscar.core.loading import get_model

from marketplace.solidarity.models import EligibleProduct, Fund
from producers.models import Producer

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")


def public_products() -> QuerySet:
    """The products members may order: published, stand-alone, with a producer's stock record
    (as the catalogue lists them)."""
    return Product.objects.filter(
        Exists(StockRecord.objects.filter(product=OuterRef("pk"))),
        is_public=True,
        structure=Product.STANDALONE,
    )


def eligible_product_ids(fund: Fund) -> set[int]:
    return set(EligibleProduct.objects.filter(fund=fund).values_list("product_id", flat=True))


def eligible_count(fund: Fund) -> int:
    return EligibleProduct.objects.filter(fund=fund).count()


@dataclass(frozen=True)
class ProductChoice:
    pk: int
    title: str
    price: Decimal | None
    is_eligible: bool


@dataclass
class ProducerChoices:
    """One producer's public products, in the order of their titles."""

    producer_id: int | None
    name: str
    products: list[ProductChoice] = field(default_factory=list)


def producers_to_filter_by() -> list[tuple[int, str]]:
    """(pk, name) of the producers with public products, by name: the page's filter."""
    has_public = public_products().filter(stockrecords__partner=OuterRef("partner_id"))
    return list(
        Producer.objects.filter(Exists(has_public)).order_by("name", "pk").values_list("pk", "name")
    )


def products_to_choose(
    fund: Fund, producer_id: int | None = None, query: str = "", *, limit: int | None = None
) -> list[ProducerChoices]:
    """The public products (of one producer, or whose title or producer's name holds
    ``query``), grouped by producer, each with the price of its stock record (the one the
    shop's strategy uses, the first) and whether ``fund`` opens it to the reduced tier.
    At most ``limit`` products."""
    first_record = StockRecord.objects.filter(product=OuterRef("pk")).order_by("pk")
    products = public_products().annotate(
        price=Subquery(first_record.values("price")[:1]),
        producer_pk=Subquery(first_record.values("partner__producer__pk")[:1]),
        producer_name=Coalesce(
            Subquery(first_record.values("partner__producer__name")[:1]),
            Subquery(first_record.values("partner__name")[:1]),
        ),
        is_eligible=Exists(EligibleProduct.objects.filter(fund=fund, product=OuterRef("pk"))),
    )
    if producer_id is not None:
        products = products.filter(
            Exists(
                StockRecord.objects.filter(
                    product=OuterRef("pk"), partner__producer__pk=producer_id
                )
            )
        )
    query = query.strip()
    if query:
        products = products.filter(Q(title__icontains=query) | Q(producer_name__icontains=query))
    rows = products.order_by("producer_name", "producer_pk", "title", "pk").values_list(
        "pk", "title", "price", "producer_pk", "producer_name", "is_eligible"
    )
    if limit is not None:
        rows = rows[:limit]
    groups: list[ProducerChoices] = []
    for pk, title, price, producer, name, is_eligible in rows:
        if not groups or groups[-1].producer_id != producer or groups[-1].name != name:
            groups.append(ProducerChoices(producer, name or ""))
        groups[-1].products.append(ProductChoice(pk, title, price, is_eligible))
    return groups


@dataclass(frozen=True)
class Staple:
    title: str
    producer: str
    price: Decimal | None


def staples_of(fund: Fund, limit: int = 100) -> list[Staple]:
    """The fund's staples members may order, by title and producer, with their price: what a
    reduced-tier member sees on their tier's page. One query."""
    first_record = StockRecord.objects.filter(product=OuterRef("pk")).order_by("pk")
    rows = (
        public_products()
        .filter(solidarity_funds__fund=fund)
        .annotate(
            price=Subquery(first_record.values("price")[:1]),
            producer_name=Coalesce(
                Subquery(first_record.values("partner__producer__name")[:1]),
                Subquery(first_record.values("partner__name")[:1]),
            ),
        )
        .order_by("title", "producer_name", "pk")
        .values_list("title", "producer_name", "price")[:limit]
    )
    return [Staple(title, producer or "", price) for title, producer, price in rows]
