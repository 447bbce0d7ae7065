"""Malformed input answers 400 or 404, never 500: a NUL character in a search or an order
number, a tick naming an infinite or absurd line, JSON nested 100,000 deep, a close form with
values nobody offered, Oscar's order line page. Run on SQLite and on PostgreSQL, which refuses
NUL characters in a query where SQLite takes them."""

import datetime as dt
import json
import uuid

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from deliveries.models import Handover
from marketplace.checkout.services import place_order_for_day
from marketplace.shop_setup import ensure_shop_basics
from tests.deliveries.distribution_day import day_under_way
from tests.factories import DistributionDayFactory, product_for

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db

REFUSED = (400, 404)


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def order(member, producer):
    day = DistributionDayFactory()
    product = product_for(producer, title="Carottes", stock=10)
    return place_order_for_day(member, [(product, 2)], day.pk)


@pytest.fixture
def day(clock, producer):
    return day_under_way(clock, producer, [("Zoé", "Bouvier"), ("Léa", "Guérin")])


def post_ticks(client, day, body: str | bytes):
    client.force_login(day.volunteer)
    return client.post(
        reverse("deliveries:pickup-list-ticks", kwargs={"pk": day.day.pk}),
        body,
        content_type="application/json",
    )


def a_tick(handover) -> dict:
    return {"operation": str(uuid.uuid4()), "handover": handover, "collected": True}


@pytest.mark.parametrize("url_name", ["catalogue:index", "search:search", "deliveries:finder"])
def test_a_nul_character_in_a_search_is_a_bad_request(client, url_name):
    response = client.get(reverse(url_name) + "?q=%00")

    assert response.status_code == 400


def test_a_nul_character_in_a_search_is_refused_signed_in_too(client, member):
    client.force_login(member)

    assert client.get(reverse("catalogue:index") + "?q=car%00ottes").status_code == 400
    assert client.get(reverse("producers:directory") + "?town=%00").status_code == 400


def test_cancelling_an_order_numbered_with_a_nul_character_is_refused(client, member, order):
    client.force_login(member)

    response = client.post("/lieux-de-distribution/mes-retraits/%00/annulation/")

    assert response.status_code in REFUSED
    assert Order.objects.get().status == order.status


def test_a_tick_for_an_infinite_or_absurd_line_is_a_bad_request(client, day):
    for handover in ("1e999", "-1", "99999999999999999999999", '"NaN"', "null", "[1]"):
        # Written out: json.dumps cannot write 1e999 or an integer past 64 bits as a phone might.
        tick = f'{{"operation": "{uuid.uuid4()}", "handover": {handover}, "collected": true}}'
        body = f'{{"ticks": [{tick}]}}'

        response = post_ticks(client, day, body)

        assert response.status_code == 400, handover
        assert "error" in response.json()
    assert not Handover.objects.filter(collected_at__isnull=False).exists()


def test_json_nested_100000_deep_is_a_bad_request(client, day):
    response = post_ticks(client, day, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400

    response = post_ticks(client, day, '{"ticks": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert response.status_code == 400


def test_ticks_that_are_not_an_object_or_not_json_are_a_bad_request(client, day):
    handover = Handover.objects.filter(distribution_day=day.day).first().pk
    for body in ("[]", '"ticks"', "{", b"\xff\xfe", '{"ticks": {"a": 1}}', '{"ticks": ["x"]}'):
        assert post_ticks(client, day, body).status_code == 400, body
    good = json.dumps({"ticks": [a_tick(handover)]})
    assert post_ticks(client, day, good).status_code == 200


def test_the_close_form_refuses_values_nobody_offered(client, clock, day):
    clock.now = day.day.starts_at + dt.timedelta(hours=1)
    client.force_login(day.volunteer)
    url = reverse("deliveries:close-day", kwargs={"pk": day.day.pk})
    handover = Handover.objects.filter(distribution_day=day.day).first().pk
    forms = [
        {f"fate-{handover}": "burnt"},
        {f"fate-{handover}": "burnt", "confirm": "1"},
        {f"fate-{handover}": "given", f"recipient-{handover}": "x" * 500, "confirm": "1"},
        {"fate-99999999999999999999999": "kept", "confirm": "1"},
        {"fate-abc": "kept", "fate-": "kept", "confirm": "1"},
        {f"fate-{handover}": "kept", f"recipient-{handover}": "Nul\x00", "confirm": "1"},
    ]
    for form in forms:
        response = client.post(url, form)

        assert response.status_code in (200, 302, 400), form
    assert not Handover.objects.filter(distribution_day=day.day, fate="burnt").exists()


def test_an_order_line_address_leads_its_owner_to_the_order(client, member, order):
    line = order.lines.get()
    client.force_login(member)

    response = client.get(
        reverse("customer:order-line", kwargs={"order_number": order.number, "line_id": line.pk})
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("customer:order", kwargs={"order_number": order.number})


def test_an_order_line_of_another_order_or_person_is_not_found(
    client, member, order, other_producer
):
    line = order.lines.get()
    client.force_login(member)
    missing = reverse(
        "customer:order-line", kwargs={"order_number": order.number, "line_id": line.pk + 1000}
    )
    assert client.get(missing).status_code == 404

    client.force_login(other_producer.partner.users.get())
    theirs = reverse(
        "customer:order-line", kwargs={"order_number": order.number, "line_id": line.pk}
    )
    assert client.get(theirs).status_code == 404
