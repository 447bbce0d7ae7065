"""Markup typed into any field a person fills in is shown as text everywhere it goes: escaped on
every page and in HTML emails, word for word in text emails, PDFs and CSV files."""

import csv
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from baskets.services import announce_composition, generate_basket_deliveries, subscribe
from deliveries.distribution.sign_off_sheet import sign_off_sheet_csv, sign_off_sheet_pdf
from deliveries.distribution.tasks import close_distribution_days
from deliveries.models import DistributionDay, Handover
from deliveries.network.services import cancel_distribution_day
from marketplace.shop_setup import ensure_shop_basics
from producers.models import PackingList
from tests.baskets.calendar import DEC_1, DEC_8, PARIS_NOW, SIGN_UP_DAY, season, tuesdays
from tests.baskets.test_contract_pdf import pdf_text
from tests.deliveries.distribution_day import day_under_way
from tests.factories import PickupPointFactory, ProducerFactory, UserFactory, product_for
from tests.ordering import choose_and_order, fill_cart

Order = get_model("order", "Order")

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

# What a visitor who tries their luck types: a script, a tag, and a way out of an attribute.
MARKUP = '<script>alert(1)</script><b>x</b>"><img src=x onerror=alert(1)>'
# How it reads once escaped in HTML.
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;"
# Enough of it to recognise in a PDF's text, whose lines may wrap at the space.
PDF_MARKUP = "<script>alert(1)</script><b>x</b>"


def in_pdf(typed_text: str, text: str) -> bool:
    """Whether the PDF's text reads ``typed_text``, the markup as characters (not bold, not a
    tag), however its words and fragments were spaced when drawn."""
    return "".join(typed_text.split()) in "".join(text.split())


def typed(word: str) -> str:
    return f"{word} {MARKUP}"


def assert_shown_escaped(html: str, where: str) -> None:
    assert "<script>alert(1)" not in html, where
    assert "<b>x</b>" not in html, where
    assert "<img src=x" not in html, where
    assert ESCAPED in html, f"{where} does not show the typed text"


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def world(client, django_capture_on_commit_callbacks):
    """A producer, a pickup point, a member, a product, a basket plan and its composition, an
    order, all with markup in every field a person types."""
    farmer = UserFactory(first_name=typed("Paul"), last_name=typed("Paysan"))
    producer = ProducerFactory(users=[farmer])
    client.force_login(farmer)
    response = client.post(
        reverse("producer_space:profile"),
        {
            "name": typed("Ferme"),
            "story": typed("Notre histoire"),
            "address": typed("Lieu-dit"),
            "postcode": "35510",
            "town": "Cesson-Sévigné",
            "latitude": "48.12",
            "longitude": "-1.60",
        },
    )
    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.name == typed("Ferme")
    product = product_for(producer, title=typed("Carottes"), stock=50)

    coordinator = UserFactory(first_name=typed("Rita"), last_name=typed("Référente"))
    point = tuesdays(
        PickupPointFactory(
            name=typed("Salle"),
            address=typed("1 rue"),
            access_notes=typed("Accès"),
            food_aid_partner=typed("Épicerie"),
        )
    )
    point.coordinators.add(coordinator)

    member = UserFactory(
        first_name=typed("Awa"), last_name=typed("Diallo"), email="awa@example.org"
    )
    contract = season(point, plan__producer=producer, plan__name=typed("Panier"), capacity=10)
    subscription = subscribe(member, contract, point, agreed=True, today=SIGN_UP_DAY)
    announce_composition(
        producer,
        contract.plan_id,
        DEC_1,
        [(typed("Poireaux"), Decimal("1"), "kg")],
        note=typed("Note"),
    )
    first_day = DistributionDay.objects.get(pickup_point=point, date=DEC_1)
    generate_basket_deliveries([point.pk], DEC_1, DEC_8)

    client.force_login(member)
    fill_cart(client, product, 2)
    with django_capture_on_commit_callbacks(execute=True):
        placed = choose_and_order(client, first_day)
    assert placed.status_code == 200
    order = Order.objects.get(user=member)
    client.logout()
    return SimpleNamespace(
        farmer=farmer,
        producer=producer,
        product=product,
        coordinator=coordinator,
        point=point,
        member=member,
        contract=contract,
        subscription=subscription,
        first_day=first_day,
        order=order,
    )


def page(client, user, url, **params) -> str:
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def test_public_pages_show_typed_markup_as_text(client, world):
    pages = {
        "finder": (reverse("deliveries:finder"), {"lat": "48.11", "lon": "-1.68"}),
        "catalogue": (reverse("catalogue:index"), {}),
        "search": (reverse("search:search"), {"q": "Carottes"}),
        "product page": (world.product.get_absolute_url(), {}),
        "producers": (reverse("producers:directory"), {}),
        "producer page": (
            reverse("producers:detail", kwargs={"slug": world.producer.slug}),
            {},
        ),
        "contracts": (reverse("baskets:contracts"), {}),
        "contract": (reverse("baskets:contract", kwargs={"pk": world.contract.pk}), {}),
    }
    for name, (url, params) in pages.items():
        assert_shown_escaped(page(client, None, url, **params), name)


def test_checkout_shows_the_pickup_point_typed_markup_as_text(client, world):
    client.force_login(world.member)
    fill_cart(client, world.product, 1)
    client.get(reverse("checkout:index"), follow=True)

    choose = page(client, world.member, reverse("checkout:shipping-method"))
    client.post(
        reverse("checkout:shipping-method"), {"method_code": f"pickup-{world.first_day.pk}"}
    )
    preview = page(client, world.member, reverse("checkout:preview"))

    assert_shown_escaped(choose, "the choice of distribution day")
    assert_shown_escaped(preview, "the checkout's preview (shipping method description)")
    assert_shown_escaped(page(client, world.member, reverse("basket:summary")), "the cart")


def test_member_pages_show_typed_markup_as_text(client, world):
    pages = {
        "Mes retraits": reverse("deliveries:upcoming-orders"),
        "Mes paniers": reverse("baskets:mine"),
        "order": reverse("customer:order", kwargs={"order_number": world.order.number}),
        "profile": reverse("customer:profile-view"),
    }
    for name, url in pages.items():
        assert_shown_escaped(page(client, world.member, url), name)


def test_coordination_and_producer_space_show_typed_markup_as_text(
    client, clock, world, django_capture_on_commit_callbacks
):
    assert_shown_escaped(
        page(client, world.coordinator, reverse("baskets:coordination")), "coordination"
    )
    past_cutoff(clock, world, django_capture_on_commit_callbacks)
    packing = PackingList.objects.get(producer=world.producer)
    space = {
        "products": reverse("producer_space:products"),
        "product form": reverse("producer_space:product-edit", kwargs={"pk": world.product.pk}),
        "order lines": reverse("producer_space:order-lines"),
        "packing lists": reverse("producer_space:packing-lists"),
        "packing list": reverse("producer_space:packing-list", kwargs={"pk": packing.pk}),
        "profile": reverse("producer_space:profile"),
        "baskets": reverse("producer_space:baskets"),
        "composition": reverse(
            "producer_space:composition",
            kwargs={"plan_id": world.contract.plan_id, "day": DEC_1.isoformat()},
        ),
    }
    for name, url in space.items():
        assert_shown_escaped(page(client, world.farmer, url), f"producer space: {name}")


def past_cutoff(clock, world, capture_on_commit) -> None:
    """The first day's orders close and its packing lists are built and sent."""
    clock.now = world.first_day.cutoff_at + dt.timedelta(minutes=1)
    with capture_on_commit(execute=True):
        close_distribution_days()


def test_emails_read_typed_markup_as_text(clock, world, django_capture_on_commit_callbacks):
    confirmation = next(m for m in mail.outbox if world.member.email in m.to)
    assert_literal_and_escaped(confirmation, "order confirmation")

    mail.outbox.clear()
    past_cutoff(clock, world, django_capture_on_commit_callbacks)
    packing_email = next(m for m in mail.outbox if world.farmer.email in m.to)
    assert_literal_and_escaped(packing_email, "packing list")
    files = {name.rsplit(".", 1)[1]: content for name, content, _t in packing_email.attachments}
    assert in_pdf(typed("Carottes"), pdf_text(files["pdf"]))
    assert MARKUP in csv_cells(files["csv"])

    mail.outbox.clear()
    second_day = DistributionDay.objects.get(pickup_point=world.point, date=DEC_8)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_distribution_day(world.coordinator, second_day.pk, typed("Salle inondée"))
    cancelled = next(m for m in mail.outbox if world.member.email in m.to)
    assert "Salle inondée " + MARKUP in cancelled.body
    assert_literal_and_escaped(cancelled, "day cancelled")


def assert_literal_and_escaped(message, where: str) -> None:
    assert MARKUP in message.body, f"{where}: the text part does not read as typed"
    html = message.alternatives[0][0] if message.alternatives else ""
    assert_shown_escaped(html, f"{where} (HTML part)")


def csv_cells(content) -> str:
    text = content.decode() if isinstance(content, bytes) else content
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";")
    return "\n".join(cell for row in rows for cell in row)


def test_contract_pdf_reads_typed_markup_as_text(client, world):
    client.force_login(world.member)
    response = client.get(reverse("baskets:pdf", kwargs={"pk": world.subscription.pk}))

    assert response.status_code == 200
    text = pdf_text(response.content)
    for word in ("Salle", "1 rue", "Accès", "Panier", "Awa", "Diallo", "Ferme"):
        assert in_pdf(typed(word), text), word


def test_the_pickup_list_and_its_sheets_show_typed_markup_as_text(client, clock, producer):
    day = day_under_way(
        clock,
        producer,
        [(typed("Awa"), typed("Diallo"))],
        volunteers=[{"first_name": typed("Benoît"), "last_name": "Lemaire"}],
        name=typed("Salle"),
        address=typed("1 rue"),
    )
    Handover.objects.filter(distribution_day=day.day).update(
        fate="given", fate_recipient=typed("Voisin")
    )

    html = page(client, day.volunteer, day.pickup_list_url)
    assert_shown_escaped(html, "the pickup list")
    assert "Voisin " + ESCAPED in html
    assert_shown_escaped(page(client, day.volunteer, reverse("deliveries:shifts")), "shifts")

    sheet = pdf_text(sign_off_sheet_pdf(day.day))
    cells = csv_cells(sign_off_sheet_csv(day.day))
    for word in ("Awa", "Diallo", "Salle"):
        assert in_pdf(typed(word), sheet), word
    assert typed("Awa") in cells and typed("Diallo") in cells


def test_a_cancelled_day_shows_its_typed_reason_as_text(client, world):
    second_day = DistributionDay.objects.get(pickup_point=world.point, date=DEC_8)
    cancel_distribution_day(world.coordinator, second_day.pk, typed("Salle inondée"))

    for url in (reverse("baskets:mine"), reverse("deliveries:finder")):
        html = page(client, world.member, url, lat="48.11", lon="-1.68")
        assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert timezone.now() < second_day.starts_at


def test_oscars_shipping_method_block_escapes_a_pickup_slots_description(world):
    """The block Oscar's checkout pages show a method in (our preview shows the day instead):
    the slot's description carries the pickup point's address."""
    from django.template import Context
    from django.template.loader import get_template
    from django.template.loader_tags import BlockNode

    from marketplace.shipping.methods import PickupSlot

    method = PickupSlot(world.first_day)
    assert typed("1 rue") in method.description
    template = get_template("oscar/checkout/checkout.html").template
    block = next(
        node
        for node in template.nodelist.get_nodes_by_type(BlockNode)
        if node.name == "shipping_address"
    )
    context = Context({"shipping_method": method})

    with context.bind_template(template):
        html = block.render(context)

    assert_shown_escaped(html, "checkout.html's shipping method")
