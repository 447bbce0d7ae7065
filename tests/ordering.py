"""A member ordering through the real cart and checkout pages, for the tests."""

from django.urls import reverse


def fill_cart(client, product, quantity=1):
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    assert response.status_code == 302


def choose_and_order(client, day):
    """Check out the cart for a distribution day; the response after placing the order."""
    client.get(reverse("checkout:index"), follow=True)
    client.post(reverse("checkout:shipping-method"), {"method_code": f"pickup-{day.pk}"})
    return client.post(reverse("checkout:preview"), {"action": "place_order"}, follow=True)
