"""The producer's own space: each producer reaches their own products, and nobody else's."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from oscar.core.loading import get_model
from PIL import Image

from tests.factories import UserFactory, category, product_for

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


def valid_form(**overrides):
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


def jpeg_bytes(size=(1600, 1200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_producer_adds_a_published_product_with_stock_and_a_resized_photo(client, producer):
    client.force_login(producer.partner.users.get())
    photo = SimpleUploadedFile("poireaux.jpg", jpeg_bytes(), content_type="image/jpeg")

    response = client.post(
        reverse("producer_space:product-create"), valid_form(photo=photo), follow=True
    )

    assert response.status_code == 200
    product = Product.objects.get(title="Poireaux")
    assert product.is_public
    assert product.sheet.producer == producer
    record = product.stockrecords.get()
    assert record.partner == producer.partner
    assert record.price == Decimal("3.20")
    assert record.net_stock_level == 25
    image = product.images.get()
    with Image.open(image.original.path) as stored:
        assert max(stored.size) <= 1200
    assert "Poireaux" in response.content.decode()


def test_producer_updates_stock_and_unpublishes(client, producer):
    product = product_for(producer, stock=3)
    client.force_login(producer.partner.users.get())

    client.post(reverse("producer_space:product-stock", args=[product.pk]), {"stock": "40"})
    client.post(
        reverse("producer_space:product-publication", args=[product.pk]), {"is_public": "0"}
    )

    product.refresh_from_db()
    assert product.stockrecords.get().net_stock_level == 40
    assert not product.is_public
    assert client.get(product.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "-2", "au moins 0,01"),
        ("price", "0", "au moins 0,01"),
        ("price", "125000", ""),
        ("price", "abc", ""),
        ("stock", "-1", "négative"),
        ("stock", "5000000", "100\u00a0000"),
        ("vat_rate", "55", ""),
        ("vat_rate", "-5.5", ""),
        ("category", "", "catégorie"),
        ("title", "", ""),
    ],
)
def test_bad_product_input_shows_an_error_and_saves_nothing(
    client, producer, field, value, message
):
    client.force_login(producer.partner.users.get())

    response = client.post(reverse("producer_space:product-create"), valid_form(**{field: value}))

    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert "Rien n’a été enregistré" in response.content.decode().replace("'", "’")
    assert not Product.objects.exists()
    assert not StockRecord.objects.exists()


def test_non_image_upload_is_refused(client, producer):
    client.force_login(producer.partner.users.get())
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")

    response = client.post(reverse("producer_space:product-create"), valid_form(photo=fake))

    assert "photo" in response.context["form"].errors
    assert not Product.objects.exists()


def test_oversized_upload_is_refused(client, producer, settings):
    settings.MAX_PHOTO_BYTES = 10_000
    client.force_login(producer.partner.users.get())
    big = SimpleUploadedFile("big.jpg", jpeg_bytes((3000, 3000)), content_type="image/jpeg")

    response = client.post(reverse("producer_space:product-create"), valid_form(photo=big))

    assert "trop lourde" in " ".join(response.context["form"].errors["photo"])
    assert not Product.objects.exists()


def test_producer_cannot_see_or_change_another_producers_product(client, producer, other_producer):
    theirs = product_for(other_producer, title="Miel", stock=7, price="9.50")
    client.force_login(producer.partner.users.get())

    assert client.get(reverse("producer_space:product-edit", args=[theirs.pk])).status_code == 404
    assert (
        client.post(
            reverse("producer_space:product-edit", args=[theirs.pk]), valid_form()
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("producer_space:product-stock", args=[theirs.pk]), {"stock": "0"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("producer_space:product-publication", args=[theirs.pk]), {"is_public": "0"}
        ).status_code
        == 404
    )
    listing = client.get(reverse("producer_space:products")).content.decode()

    theirs.refresh_from_db()
    record = theirs.stockrecords.get()
    assert theirs.is_public and theirs.title == "Miel"
    assert record.net_stock_level == 7 and record.price == Decimal("9.50")
    assert "Miel" not in listing


def test_member_cannot_reach_the_producer_space(client, member):
    client.force_login(member)

    for url in [
        reverse("producer_space:products"),
        reverse("producer_space:product-create"),
        reverse("producer_space:order-lines"),
        reverse("producer_space:profile"),
    ]:
        assert client.get(url).status_code == 403


def test_visitor_is_sent_to_sign_in(client, db):
    response = client.get(reverse("producer_space:products"))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_producers_do_not_get_oscars_dashboard(client, producer):
    client.force_login(producer.partner.users.get())

    response = client.get("/dashboard/orders/")

    assert response.status_code in (302, 403)


def test_producer_updates_their_farm_profile(client, producer):
    client.force_login(producer.partner.users.get())

    response = client.post(
        reverse("producer_space:profile"),
        {
            "name": "Ferme du Bocage",
            "postcode": "35510",
            "town": "Cesson-Sévigné",
            "story": "Maraîchage sur sol vivant.",
            "latitude": "48.12",
            "longitude": "-1.60",
        },
    )

    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.name == "Ferme du Bocage"


def test_out_of_range_coordinates_are_refused(client, producer):
    client.force_login(producer.partner.users.get())

    response = client.post(
        reverse("producer_space:profile"),
        {
            "name": "Ferme",
            "postcode": "35000",
            "town": "Rennes",
            "latitude": "123",
            "longitude": "-1.6",
        },
    )

    assert "latitude" in response.context["form"].errors
    producer.refresh_from_db()
    assert producer.latitude == Decimal("48.111000")


def test_a_new_user_is_not_a_producer(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("producer_space:products")).status_code == 403
