"""A first-time visitor served a page that another visitor's visit cached can still post its
forms: the CSRF token in it is their own, not the first visitor's."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import product_for

pytestmark = pytest.mark.django_db


def test_a_first_time_visitor_adds_to_the_cart_from_the_shared_catalogue_page(producer):
    product = product_for(producer, title="Kiwis", category_name="Fruits")
    Client().get(reverse("catalogue:index"))  # another visitor fills the shared page
    visitor = Client(enforce_csrf_checks=True)

    page = visitor.get(reverse("catalogue:index")).content.decode()
    action = reverse("basket:add", kwargs={"pk": product.pk})
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    response = visitor.post(action, {**fields, "quantity": 1})

    assert response.status_code == 302
