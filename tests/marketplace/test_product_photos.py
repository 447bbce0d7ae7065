"""Product photos: the catalogue's cards load a card-sized copy, the product page the photo."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.core.thumbnails import get_thumbnailer
from PIL import Image

from marketplace.core.images import card_photo_name, fits_on_card
from tests.factories import category, product_for

Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def jpeg(size=(1600, 1200), name="poireaux.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def product_form(**overrides):
    data = {
        "title": "Poireaux",
        "description": "Poireaux d'hiver",
        "category": category("Légumes").pk,
        "unit": "kg",
        "price": "3.20",
        "vat_rate": "5.50",
        "stock": "25",
        "is_public": "on",
    }
    data.update(overrides)
    return data


def stored_name(url: str) -> str:
    assert url.startswith("/media/"), url
    return url.removeprefix("/media/")


def pixel_size(url: str) -> tuple[int, int]:
    with default_storage.open(stored_name(url)) as file, Image.open(file) as image:
        return image.size


def card_image_urls(client) -> list[str]:
    page = client.get(reverse("catalogue:index")).content.decode()
    cards = re.findall(r'<article class="product-card">.*?</article>', page, re.S)
    return [re.search(r'<img src="([^"]+)"', card).group(1) for card in cards]


def product_page_image_url(client, product) -> str:
    page = client.get(product.get_absolute_url()).content.decode()
    main = page.split('class="row product-page"', 1)[1]
    return re.search(r'<img src="([^"]+)"', main).group(1)


def test_catalogue_card_loads_a_card_sized_copy_and_the_product_page_the_photo(client, producer):
    client.force_login(producer.partner.users.get())
    client.post(reverse("producer_space:product-create"), product_form(photo=jpeg()))
    product = Product.objects.get(title="Poireaux")
    client.logout()

    [card_url] = card_image_urls(client)
    photo_url = product_page_image_url(client, product)

    assert card_url.endswith(".card.jpg")
    assert max(pixel_size(card_url)) <= 480
    assert photo_url == product.images.get().original.url
    assert 480 < max(pixel_size(photo_url)) <= 1200


def test_the_card_copy_is_made_when_the_photo_is_uploaded(client, producer):
    client.force_login(producer.partner.users.get())

    client.post(reverse("producer_space:product-create"), product_form(photo=jpeg()))

    photo = Product.objects.get(title="Poireaux").images.get().original
    assert default_storage.exists(card_photo_name(photo.name))


def test_a_photo_stored_before_card_copies_gets_one_on_first_display(client, producer):
    product = product_for(producer, title="Navets")
    image = ProductImage.objects.create(product=product, original=jpeg((1200, 900), "navets.jpg"))
    card_name = card_photo_name(image.original.name)
    assert not default_storage.exists(card_name)

    [card_url] = card_image_urls(client)

    assert default_storage.exists(card_name)
    assert stored_name(card_url) == card_name
    assert pixel_size(card_url) == (480, 360)


def test_a_photo_that_cannot_be_read_is_shown_as_it_is_and_the_page_still_works(client, producer):
    product = product_for(producer, title="Navets")
    broken = SimpleUploadedFile("navets.jpg", b"not a photo", content_type="image/jpeg")
    image = ProductImage.objects.create(product=product, original=broken)

    [card_url] = card_image_urls(client)

    assert card_url == image.original.url


def test_replacing_a_photo_leaves_no_card_copy_of_the_old_one(client, producer):
    client.force_login(producer.partner.users.get())
    client.post(reverse("producer_space:product-create"), product_form(photo=jpeg()))
    product = Product.objects.get(title="Poireaux")
    old_card = card_photo_name(product.images.get().original.name)

    client.post(
        reverse("producer_space:product-edit", args=[product.pk]),
        product_form(photo=jpeg(name="poireaux-nouveaux.jpg")),
    )

    new_photo = product.images.get().original
    assert not default_storage.exists(old_card)
    assert default_storage.exists(card_photo_name(new_photo.name))


def test_an_upload_cannot_take_the_name_of_another_photos_card_copy(client, producer):
    client.force_login(producer.partner.users.get())

    client.post(
        reverse("producer_space:product-create"),
        product_form(photo=jpeg(name="poireaux.card.jpg")),
    )

    photo = Product.objects.get(title="Poireaux").images.get().original
    assert not photo.name.endswith(".card.jpg")


def test_small_thumbnails_are_the_card_copy_and_large_ones_the_photo_without_queries(
    producer, django_assert_num_queries
):
    product = product_for(producer)
    photo = ProductImage.objects.create(product=product, original=jpeg()).original
    thumbnailer = get_thumbnailer()

    with django_assert_num_queries(0):
        cart_line = thumbnailer.generate_thumbnail(photo, size="100x100", upscale=False)
        large = thumbnailer.generate_thumbnail(photo, size="1200x1200")

    assert cart_line.url == default_storage.url(card_photo_name(photo.name))
    assert large.url == photo.url


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("400x400", True),
        ("x155", True),
        ("200x", True),
        ("480x480", True),
        ("800x600", False),
        ("x600", False),
        ("", False),
        ("big", False),
    ],
)
def test_sizes_up_to_the_card_side_are_served_by_the_card_copy(size, expected):
    assert fits_on_card(size) is expected
