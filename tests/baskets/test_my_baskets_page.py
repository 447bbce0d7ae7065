""" "Mes paniers" on a phone: what an action did is said next to the delivery that was tapped
(not 6,000 px above), read out to screen readers, without JavaScript; the coming deliveries
come by month, later months and past deliveries folded."""

import datetime as dt

import pytest
from django.test.html import Element, parse_html
from django.urls import reverse

from baskets.services import generate_basket_deliveries, skip_delivery, subscribe
from deliveries.models import DistributionDay
from tests.baskets.calendar import DEC_1, DEC_8, PARIS_NOW, SIGN_UP_DAY, season, tuesdays
from tests.clock import PARIS
from tests.factories import PickupPointFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

JAN_12 = dt.date(2027, 1, 12)


@pytest.fixture
def point(db):
    return tuesdays(PickupPointFactory(name="Thabor", food_aid_partner="Restos du Cœur"))


@pytest.fixture
def subscription(point, producer):
    contract = season(point, plan__producer=producer, plan__name="Petit panier", capacity=50)
    member = UserFactory(first_name="Léa", last_name="Guérin")
    return subscribe(member, contract, point, agreed=True, today=SIGN_UP_DAY)


def day_on(point, date):
    return DistributionDay.objects.get(pickup_point=point, date=date)


def page_of(response) -> Element:
    body = response.content.decode()
    return parse_html(body[body.index("<body") : body.index("</body>") + len("</body>")])


def by_id(element: Element, id_: str) -> Element:
    found = list(elements(element, lambda e: dict(e.attributes).get("id") == id_))
    assert len(found) == 1, f"{len(found)} elements with id {id_}"
    return found[0]


def elements(element, matches):
    if isinstance(element, Element):
        if element.name and matches(element):
            yield element
        for child in element.children:
            yield from elements(child, matches)


def with_class(element: Element, name: str) -> list[Element]:
    return list(
        elements(element, lambda e: name in (dict(e.attributes).get("class") or "").split())
    )


def text_of(element) -> str:
    if not isinstance(element, Element):
        return str(element)
    return " ".join(" ".join(text_of(child) for child in element.children).split())


def skip(client, subscription, point, date):
    client.force_login(subscription.member)
    url = reverse("baskets:skip", kwargs={"pk": subscription.pk, "day_id": day_on(point, date).pk})
    return client.post(url, follow=True)


def test_after_a_skip_the_confirmation_is_in_the_delivery_tapped_and_read_out(
    client, subscription, point
):
    response = skip(client, subscription, point, DEC_8)

    anchor = f"delivery-{subscription.pk}-{day_on(point, DEC_8).pk}"
    assert response.redirect_chain[-1][0].endswith(f"#{anchor}")
    page = page_of(response)
    (note,) = with_class(by_id(page, anchor), "placed-message")
    assert dict(note.attributes)["role"] == "status"
    assert "8 décembre" in text_of(note) or "8 December" in text_of(note)
    assert text_of(by_id(page, "messages")) == ""  # not at the top as well


def test_a_refused_skip_is_an_alert_in_the_delivery_tapped(client, clock, subscription, point):
    clock.now = dt.datetime(2026, 12, 6, 18, 0, tzinfo=PARIS)  # 8 December's deadline

    response = skip(client, subscription, point, DEC_8)

    page = page_of(response)
    (note,) = with_class(
        by_id(page, f"delivery-{subscription.pk}-{day_on(point, DEC_8).pk}"), "alert"
    )
    assert dict(note.attributes)["role"] == "alert"
    assert "48" in text_of(note)


def test_a_message_whose_place_is_gone_stays_at_the_top(client, point, producer):
    contract = season(point, plan__producer=producer, capacity=1)
    subscribe(UserFactory(), contract, point, agreed=True, today=SIGN_UP_DAY)
    waiting = subscribe(UserFactory(), contract, point, agreed=True, today=SIGN_UP_DAY)
    client.force_login(waiting.member)

    response = client.post(reverse("baskets:leave", kwargs={"pk": waiting.pk}), follow=True)

    page = page_of(response)
    assert not list(elements(page, lambda e: dict(e.attributes).get("id", "").startswith("sub")))
    (note,) = with_class(by_id(page, "messages"), "alert")
    assert "anchor-" not in (dict(note.attributes).get("class") or "")
    assert contract.plan.name in text_of(note)


def test_coming_deliveries_come_by_month_the_later_ones_folded(client, subscription, point):
    client.force_login(subscription.member)

    page = page_of(client.get(reverse("baskets:mine")))

    months = with_class(by_id(page, f"subscription-{subscription.pk}"), "basket-month")
    # Month names are Django's own French.
    assert [text_of(month.children[0]).split(" · ")[0] for month in months] == [
        "Décembre 2026",
        "Janvier 2027",
    ]
    assert [month.name for month in months] == ["details", "details"]
    assert ["open" in dict(month.attributes) for month in months] == [True, False]
    december, january = (
        [dict(li.attributes)["id"] for li in elements(month, lambda e: e.name == "li")]
        for month in months
    )
    assert len(december) == 5 and len(january) == 2  # 1 December to 12 January: 8 weeks


def test_the_month_of_the_delivery_just_changed_opens(client, subscription, point):
    response = skip(client, subscription, point, JAN_12)

    page = page_of(response)
    months = with_class(by_id(page, f"subscription-{subscription.pk}"), "basket-month")
    assert ["open" in dict(month.attributes) for month in months] == [True, True]
    delivery = by_id(page, f"delivery-{subscription.pk}-{day_on(point, JAN_12).pk}")
    assert with_class(delivery, "placed-message")


def test_past_deliveries_are_folded(client, clock, subscription, point):
    generate_basket_deliveries([point.pk], DEC_1, DEC_8)
    skip_delivery(subscription.member, subscription.pk, day_on(point, DEC_8).pk)
    clock.now = dt.datetime(2026, 12, 10, 10, 0, tzinfo=PARIS)
    client.force_login(subscription.member)

    page = page_of(client.get(reverse("baskets:mine")))

    (past,) = with_class(by_id(page, "past"), "basket-past")
    assert past.name == "details" and "open" not in dict(past.attributes)
    assert len(list(elements(past, lambda e: e.name == "li"))) == 2
