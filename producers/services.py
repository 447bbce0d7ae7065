"""Everything a producer does to their catalogue. One transaction each."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from marketplace.core.images import save_card_photo
from producers.errors import NotYourOrderLine, NotYourProduct, QuotaNotChanged
from producers.models import DayQuota, LineStatus, Producer, ProductSheet
from producers.quotas import ordered_for_day

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductImage = get_model("catalogue", "ProductImage")
ProductCategory = get_model("catalogue", "ProductCategory")
StockRecord = get_model("partner", "StockRecord")
Line = get_model("order", "Line")

FARM_PRODUCT_CLASS = "produit-fermier"


@dataclass
class ProductDraft:
    """What a producer types about a product; validated by the form before it gets here."""

    title: str
    description: str
    category: object
    unit: str
    price: Decimal
    vat_rate: Decimal
    stock: int
    is_public: bool = True
    photo: object = None


def farm_product_class():
    product_class, _created = ProductClass.objects.get_or_create(
        slug=FARM_PRODUCT_CLASS,
        defaults={"name": "Produit fermier", "requires_shipping": True, "track_stock": True},
    )
    return product_class


def _check_owner(producer: Producer, product) -> ProductSheet:
    sheet = ProductSheet.objects.filter(product=product, producer=producer).first()
    if sheet is None:
        raise NotYourProduct(_("This product belongs to another producer."))
    return sheet


def _set_stock_level(stockrecord, available: int) -> None:
    """Set what is left to sell; what members already ordered stays reserved on top of it."""
    stockrecord.num_in_stock = available + (stockrecord.num_allocated or 0)


def _replace_photo(product, photo) -> None:
    if photo is None:
        return
    product.images.all().delete()
    image = ProductImage.objects.create(
        product=product, original=photo, caption="", display_order=0
    )
    save_card_photo(image.original)


@transaction.atomic
def create_product(producer: Producer, draft: ProductDraft):
    product = Product.objects.create(
        title=draft.title,
        description=draft.description,
        product_class=farm_product_class(),
        structure=Product.STANDALONE,
        is_public=draft.is_public,
    )
    product.slug = slugify(draft.title)[:128] or f"produit-{product.pk}"
    product.save(update_fields=["slug"])
    ProductCategory.objects.create(product=product, category=draft.category)
    ProductSheet.objects.create(
        product=product, producer=producer, unit=draft.unit, vat_rate=draft.vat_rate
    )
    stockrecord = StockRecord(
        product=product,
        partner=producer.partner,
        partner_sku=f"{producer.slug}-{product.pk}",
        price=draft.price,
        price_currency="EUR",
    )
    _set_stock_level(stockrecord, draft.stock)
    stockrecord.save()
    _replace_photo(product, draft.photo)
    return product


@transaction.atomic
def update_product(producer: Producer, product, draft: ProductDraft):
    sheet = _check_owner(producer, product)
    product = Product.objects.select_for_update().get(pk=product.pk)
    product.title = draft.title
    product.description = draft.description
    product.is_public = draft.is_public
    product.save()
    ProductCategory.objects.filter(product=product).exclude(category=draft.category).delete()
    ProductCategory.objects.get_or_create(product=product, category=draft.category)
    sheet.unit, sheet.vat_rate = draft.unit, draft.vat_rate
    sheet.save()
    stockrecord = StockRecord.objects.select_for_update().get(
        product=product, partner=producer.partner
    )
    stockrecord.price = draft.price
    _set_stock_level(stockrecord, draft.stock)
    stockrecord.save()
    _replace_photo(product, draft.photo)
    return product


@transaction.atomic
def set_stock(producer: Producer, product, available: int) -> None:
    _check_owner(producer, product)
    if available < 0:
        raise ValueError("stock cannot be negative")
    stockrecord = StockRecord.objects.select_for_update().get(
        product=product, partner=producer.partner
    )
    _set_stock_level(stockrecord, available)
    stockrecord.save()


@transaction.atomic
def set_published(producer: Producer, product, is_public: bool) -> None:
    """Show a product in the catalogue, or take it out (its orders and stock stay)."""
    _check_owner(producer, product)
    product.is_public = is_public
    product.save(update_fields=["is_public", "date_updated"])


@transaction.atomic
def update_profile(producer: Producer, **fields) -> Producer:
    labels = fields.pop("labels", None)
    categories = fields.pop("categories", None)
    for name, value in fields.items():
        setattr(producer, name, value)
    producer.save()
    if labels is not None:
        producer.labels.set(labels)
    if categories is not None:
        producer.categories.set(categories)
    return producer


@transaction.atomic
def set_line_prepared(producer: Producer, line_id: int, prepared: bool):
    """A producer marks one of their own order lines prepared (or back to prepare)."""
    line = (
        Line.objects.select_for_update().filter(pk=line_id, partner_id=producer.partner_id).first()
    )
    if line is None:
        raise NotYourOrderLine(_("This order line is not one of yours."))
    line.set_status(LineStatus.PREPARED if prepared else LineStatus.PENDING)
    return line


@transaction.atomic
def set_day_quota(producer: Producer, product, day_id: int, quantity: int | None):
    """Say how much of a product the producer brings to a distribution day (None: no quota,
    the general stock only). Refused once the day's orders are closed, and below what members
    have already ordered for the day."""
    from deliveries.network.errors import DayNotOpenForOrders
    from deliveries.network.services import lock_day_open_for_orders

    _check_owner(producer, product)
    try:
        day = lock_day_open_for_orders(day_id)
    except DayNotOpenForOrders as error:
        raise QuotaNotChanged(str(error)) from error
    if quantity is None:
        DayQuota.objects.filter(product=product, distribution_day=day).delete()
        return None
    ordered = ordered_for_day(day.pk, [product.pk]).get(product.pk, 0)
    if quantity < ordered:
        raise QuotaNotChanged(
            _(
                "Members have already ordered %(ordered)s for this day: the quota cannot be "
                "lower than that."
            )
            % {"ordered": ordered}
        )
    quota, _created = DayQuota.objects.update_or_create(
        product=product, distribution_day=day, defaults={"quantity": quantity}
    )
    return quota
