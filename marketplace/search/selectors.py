"""Reads behind the catalogue pages: which products, in which order, with what prefetched."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from oscar.core.loading import get_model

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")
StockRecord = get_model("partner", "StockRecord")

SORTS = {
    "title": ("title", "pk"),
    "price-asc": ("stockrecords__price", "title", "pk"),
    "price-desc": ("-stockrecords__price", "title", "pk"),
    "newest": ("-date_created", "pk"),
}


def catalogue_products(
    *, category=None, query: str = "", producer=None, sort: str = "title"
) -> QuerySet:
    """Published products with a producer's stock record, filtered, in a stable order."""
    products = Product.objects.filter(
        is_public=True, structure=Product.STANDALONE, stockrecords__isnull=False
    )
    if category is not None:
        in_category = ProductCategory.objects.filter(
            product=OuterRef("pk"),
            category__in=category.get_descendants_and_self().values("pk"),
        )
        products = products.filter(Exists(in_category))
    if producer is not None:
        products = products.filter(stockrecords__partner_id=producer.partner_id)
    query = query.strip()
    if query:
        products = products.filter(
            Q(title__icontains=query)
            | Q(description__icontains=query)
            | Q(stockrecords__partner__producer__name__icontains=query)
        )
    return products.order_by(*SORTS.get(sort, SORTS["title"]))


def with_card_data(products) -> QuerySet:
    """What a product card shows, in three queries whatever the number of products."""
    return products.select_related("sheet", "product_class").prefetch_related(
        Prefetch(
            "stockrecords",
            queryset=StockRecord.objects.select_related("partner__producer"),
        ),
        Prefetch(
            "images",
            queryset=ProductImage.objects.order_by("display_order", "pk"),
        ),
    )


def top_categories() -> list:
    """The public top-level categories, for navigation."""
    return list(Category.objects.filter(depth=1, is_public=True).order_by("path"))


def product_for_page(pk: int):
    """A product with everything its page shows."""
    return (
        Product.objects.select_related("product_class", "sheet__producer")
        .prefetch_related("stockrecords", "images", "categories")
        .get(pk=pk)
    )
