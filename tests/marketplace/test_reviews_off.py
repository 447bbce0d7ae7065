"""Product reviews are off: Oscar's defaults published an anonymous visitor's review at once."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.shop_setup import ensure_shop_basics
from tests.factories import product_for

ProductReview = get_model("reviews", "ProductReview")

pytestmark = pytest.mark.django_db

REVIEW = {
    "title": "Achetez ailleurs",
    "score": "1",
    "body": "<a href='https://spam.example'>promo</a>",
    "name": "Anonyme",
    "email": "anonyme@example.org",
}


@pytest.fixture
def product(producer):
    ensure_shop_basics()
    return product_for(producer, title="Carottes")


def review_url(product, name="reviews-add"):
    return reverse(
        f"catalogue:{name}", kwargs={"product_slug": product.slug, "product_pk": product.pk}
    )


def test_an_anonymous_review_is_not_published(client, product):
    response = client.post(review_url(product), REVIEW)

    assert response.status_code == 404
    assert not ProductReview.objects.exists()
    page = client.get(product.get_absolute_url()).content.decode()
    assert "Achetez ailleurs" not in page


def test_a_member_cannot_post_a_review_either(client, member, product):
    client.force_login(member)

    assert client.post(review_url(product), REVIEW).status_code == 404
    assert not ProductReview.objects.exists()


def test_the_review_pages_are_gone_and_the_product_page_offers_none(client, product):
    assert client.get(review_url(product)).status_code == 404
    assert client.get(review_url(product, "reviews-list")).status_code == 404
    page = client.get(product.get_absolute_url()).content.decode()
    assert "/reviews/" not in page
