"""An AMAP season in a real browser: a member subscribes to a vegetable basket, sees the coming
deliveries with what is in them, skips one and offers it; a neighbour takes it; the pickup
list and the producer's quantities say so."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from baskets.models import BasketDelivery, BasketTransfer, Subscription
from baskets.selectors import pickup_list_baskets
from baskets.services import announce_composition, subscribe
from baskets.tasks import generate_basket_deliveries
from deliveries.models import DistributionDay
from deliveries.network.services import materialise_distribution_days
from marketplace.shop_setup import ensure_shop_basics
from tests.browser.conftest import assert_no_page_errors, either
from tests.browser.site_menu import header_link
from tests.browser.test_catalogue_journey import sign_in, url_is, visit
from tests.factories import PickupPointFactory, ScheduleFactory, UserFactory, contract_at

pytestmark = pytest.mark.browser


def a_season_with_a_neighbour(producer):
    """A vegetable contract at a point distributing in four days, its first changeable day's
    composition announced, and a neighbour holding another contract there."""
    ensure_shop_basics()
    point = PickupPointFactory(name="Maison du Thabor", food_aid_partner="Restos du Cœur")
    weekday = (timezone.localdate() + dt.timedelta(days=4)).weekday()
    ScheduleFactory(pickup_point=point, weekday=weekday, valid_from=timezone.localdate())
    materialise_distribution_days()
    vegetables = contract_at(point, capacity=20, plan__producer=producer)
    day = (
        DistributionDay.objects.filter(
            pickup_point=point, starts_at__gt=timezone.now() + dt.timedelta(hours=49)
        )
        .order_by("starts_at")
        .first()
    )
    announce_composition(
        producer,
        vegetables.plan.pk,
        day.date,
        [("Carottes", Decimal("1"), "kg"), ("Poireaux", Decimal("3"), "pièces")],
    )
    neighbour = UserFactory(email="voisin@example.org", first_name="Hugo", last_name="Le Bihan")
    subscribe(
        neighbour, contract_at(point, capacity=20, plan__name="Part d'œufs"), point, agreed=True
    )
    return point, vegetables, day, neighbour


def confirm_giving_away(page) -> None:
    """Giving a basket away asks first, on a page saying who is told and until when."""
    expect(page.locator("h1")).to_contain_text(
        either("Give your basket away?", "Céder votre panier ?")
    )
    visit(page, phone=True)
    page.get_by_role(
        "button", name=either("Offer it to other members", "Le proposer aux autres membres")
    ).click()


def test_member_subscribes_skips_and_offers_a_basket_a_neighbour_takes_it(
    transactional_db, live_server, new_page, producer, member
):
    point, vegetables, day, neighbour = a_season_with_a_neighbour(producer)

    # The member finds the vegetable contract and subscribes, on a phone.
    page = new_page(phone=True)
    sign_in(page, member.email, phone=True)
    header_link(page, either("AMAP baskets", "Paniers AMAP")).click()
    visit(page, phone=True)
    page.get_by_role("link", name=re.compile("Petit panier de légumes")).last.click()
    visit(page, phone=True)
    page.get_by_label(either("Baskets per delivery", "Paniers par distribution")).fill("1")
    page.get_by_label(re.compile("contract's terms|conditions du contrat", re.I)).check()
    page.get_by_role(
        "button", name=either("Subscribe to this contract", "M'engager sur ce contrat")
    ).click()
    expect(page).to_have_url(url_is(reverse("baskets:mine")))
    subscription = Subscription.objects.get(member=member)
    assert subscription.state == "active"
    visit(page, phone=True)

    # The coming deliveries, with the announced composition.
    delivery = page.locator(f"#delivery-{subscription.pk}-{day.pk}")
    expect(delivery).to_contain_text("Carottes 1 kg")
    expect(delivery).to_contain_text("Poireaux 3 pièces")
    expect(delivery).to_contain_text(either("To collect", "À retirer"))

    # They skip it, then offer it to the other members.
    delivery.get_by_role("button", name=either("Skip", "Je m'absente")).click()
    delivery = page.locator(f"#delivery-{subscription.pk}-{day.pk}")
    expect(delivery).to_contain_text(either("Skipped", "Absent"))
    delivery.get_by_role(
        "button", name=either("Offer to other members", "Proposer aux autres membres")
    ).click()
    confirm_giving_away(page)
    delivery = page.locator(f"#delivery-{subscription.pk}-{day.pk}")
    expect(delivery).to_contain_text(either("not taken yet", "pas encore pris"))
    visit(page, phone=True)
    assert_no_page_errors(page)

    # A neighbour of the same pickup point takes it.
    other = new_page(phone=True)
    sign_in(other, neighbour.email, phone=True)
    other.goto(reverse("baskets:mine"))
    offered = other.locator("#offered")
    expect(offered).to_contain_text("Petit panier de légumes")
    expect(offered).to_contain_text("Carottes 1 kg")
    visit(other, phone=True)
    offered.get_by_role("button", name=either("Take this basket", "Je prends ce panier")).click()
    expect(other.locator("#offered")).to_have_count(0)
    assert BasketTransfer.objects.get().claimed_by == neighbour
    assert_no_page_errors(other)

    page.reload()
    expect(page.locator(f"#delivery-{subscription.pk}-{day.pk}")).to_contain_text("Hugo Le Bihan")

    # The beat task makes the week's deliveries once; the pickup list says who collects it.
    generate_basket_deliveries()
    generate_basket_deliveries()
    assert BasketDelivery.objects.filter(distribution_day=day).count() == 2
    rows = {row.plan: row for row in pickup_list_baskets(day)}
    assert rows["Petit panier de légumes"].collector == "Hugo Le Bihan"
    assert rows["Petit panier de légumes"].holder == member.get_full_name()
    assert [line.name for line in rows["Petit panier de légumes"].composition.lines.all()] == [
        "Carottes",
        "Poireaux",
    ]

    # The producer still brings it: one vegetable basket for that day at that point.
    farm = new_page()
    sign_in(farm, producer.partner.users.get().email)
    farm.goto(reverse("producer_space:baskets"))
    visit(farm)
    counts = farm.locator(f"#day-{day.date:%Y-%m-%d} + table")
    row = counts.get_by_role("row").filter(has_text="Petit panier de légumes")
    expect(row).to_contain_text("Maison du Thabor")
    expect(row.locator("strong")).to_have_text("1")
    expect(row).to_contain_text(either("given to someone else", "cédé"))
    assert_no_page_errors(farm)


def test_members_change_their_mind_in_one_click_each(
    transactional_db, live_server, new_page, producer, member
):
    point, vegetables, day, neighbour = a_season_with_a_neighbour(producer)
    subscription = subscribe(member, vegetables, point, agreed=True)
    generate_basket_deliveries()

    # The member skips the basket, then collects it after all.
    page = new_page(phone=True)
    sign_in(page, member.email, phone=True)
    page.goto(reverse("baskets:mine"))
    delivery = page.locator(f"#delivery-{subscription.pk}-{day.pk}")
    delivery.get_by_role("button", name=either("Skip", "Je m'absente")).click()
    delivery = page.locator(f"#delivery-{subscription.pk}-{day.pk}")
    expect(delivery).to_contain_text(either("Skipped", "Absent"))
    delivery.get_by_role(
        "button", name=either("Collect it after all", "Je le retire finalement")
    ).click()
    delivery = page.locator(f"#delivery-{subscription.pk}-{day.pk}")
    expect(delivery).to_contain_text(either("To collect", "À retirer"))
    expect(page.get_by_role("alert").or_(page.locator(".alert-success")).first).to_contain_text(
        either("after all", "finalement")
    )

    # They offer it; the neighbour takes it and finds it under "Baskets I take".
    delivery.get_by_role(
        "button", name=either("Offer to other members", "Proposer aux autres membres")
    ).click()
    confirm_giving_away(page)
    other = new_page(phone=True)
    sign_in(other, neighbour.email, phone=True)
    other.goto(reverse("baskets:mine"))
    other.locator("#offered").get_by_role(
        "button", name=either("Take this basket", "Je prends ce panier")
    ).click()
    taken = other.locator("#taken")
    expect(taken).to_contain_text("Petit panier de légumes")
    expect(taken).to_contain_text(member.get_full_name())
    expect(taken).to_contain_text("Maison du Thabor")
    expect(taken).to_contain_text(f"{timezone.localtime(day.starts_at):%H:%M}")
    visit(other, phone=True)
    assert_no_page_errors(other)

    # The neighbour cannot come after all and releases it; the member takes it back.
    taken.get_by_role("button", name=re.compile("release it|le rendre")).click()
    expect(other.locator("#taken")).to_have_count(0)
    page.reload()
    delivery = page.locator(f"#delivery-{subscription.pk}-{day.pk}")
    expect(delivery).to_contain_text(either("not taken yet", "pas encore pris"))
    delivery.get_by_role("button", name=either("Take it back", "Le reprendre")).click()
    delivery = page.locator(f"#delivery-{subscription.pk}-{day.pk}")
    expect(delivery).to_contain_text(either("To collect", "À retirer"))
    visit(page, phone=True)
    assert_no_page_errors(page)
    assert not BasketTransfer.objects.exists()
    assert BasketDelivery.objects.get(subscription=subscription, distribution_day=day).status == (
        "to_collect"
    )
    rows = {row.plan: row for row in pickup_list_baskets(day)}
    assert rows["Petit panier de légumes"].collector == member.get_full_name()
