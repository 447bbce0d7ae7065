"""A photo with too many pixels is refused before it is decoded, whatever its size in bytes.

A 419 KB PNG of 12,000 × 12,000 pixels was accepted and took a worker from 144 MB to 1.7 GB."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from oscar.core.loading import get_model
from PIL import Image

from tests.producers.test_space import jpeg_bytes, valid_form

Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")

pytestmark = pytest.mark.django_db


def huge_png(width: int = 12_000, height: int = 12_000) -> bytes:
    """A black-and-white PNG of ``width`` × ``height`` pixels, all white: a few kilobytes of
    file for 144 million pixels. Written row by row, so the test never holds it decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, grey
    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter "none", then the row's bits
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_the_huge_png_is_a_small_file_that_pillow_refuses_to_open():
    data = huge_png()

    assert len(data) < 500_000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(data))


def test_a_product_photo_with_too_many_pixels_is_refused_and_nothing_saved(client, producer):
    client.force_login(producer.partner.users.get())
    photo = SimpleUploadedFile("affiche.png", huge_png(), content_type="image/png")

    response = client.post(reverse("producer_space:product-create"), valid_form(photo=photo))

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["photo"])
    assert "trop de pixels" in errors and "30 mégapixels" in errors
    assert "Rien n’a été enregistré" in response.content.decode().replace("'", "’")
    assert not Product.objects.exists()
    assert not ProductImage.objects.exists()


def test_a_farm_photo_with_too_many_pixels_is_refused_in_english_too(client, producer):
    client.force_login(producer.partner.users.get())
    photo = SimpleUploadedFile("ferme.png", huge_png(), content_type="image/png")

    response = client.post(
        reverse("producer_space:profile"),
        {
            "name": "Ferme du Bocage",
            "postcode": "35510",
            "town": "Cesson-Sévigné",
            "new_photo": photo,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["new_photo"])
    assert "too many pixels" in errors
    producer.refresh_from_db()
    assert producer.name != "Ferme du Bocage"


def test_a_photo_just_over_the_limit_is_refused_and_one_under_it_taken(client, producer, settings):
    settings.MAX_PHOTO_PIXELS = 4_000_000
    client.force_login(producer.partner.users.get())
    over = SimpleUploadedFile("over.jpg", jpeg_bytes((2001, 2000)), content_type="image/jpeg")
    under = SimpleUploadedFile("under.jpg", jpeg_bytes((2000, 2000)), content_type="image/jpeg")

    refused = client.post(reverse("producer_space:product-create"), valid_form(photo=over))
    taken = client.post(reverse("producer_space:product-create"), valid_form(photo=under))

    assert "photo" in refused.context["form"].errors
    assert taken.status_code == 302
    with Image.open(Product.objects.get().images.get().original.path) as stored:
        assert stored.size == (1200, 1200)
