"""The order confirmation: the email (text and HTML, in the shop's layout) and the thank-you
page tell the member where and when to collect, until when to cancel, and that they pay at
pickup, in French and in English; nothing of Oscar's posted-parcel words."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.shop_setup import ensure_shop_basics
from tests.factories import DistributionDayFactory, PickupPointFactory, UserFactory, product_for
from tests.ordering import choose_and_order, fill_cart

Order = get_model("order", "Order")
PARIS = ZoneInfo("Europe/Paris")

# A Monday; the distribution is on Thursday 18:00–19:30, orders close on Tuesday at 18:00.
pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-11-23 10:00")]


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def thabor(db):
    ensure_shop_basics()
    point = PickupPointFactory(
        name="Jardin du Thabor",
        address="Place Saint-Mélaine",
        postcode="35000",
        town="Rennes",
        access_notes="Entrée par la grille nord, accessible en fauteuil.",
        phone="02 99 00 00 00",
    )
    return DistributionDayFactory(
        pickup_point=point,
        date=dt.date(2026, 11, 26),
        starts_at=paris(2026, 11, 26, 18, 0),
        ends_at=paris(2026, 11, 26, 19, 30),
        cutoff_at=paris(2026, 11, 24, 18, 0),
    )


@pytest.fixture
def placed(client, member, producer, thabor, django_capture_on_commit_callbacks, mailoutbox):
    """The member orders 3 kg of carrots for the Thabor; the confirmation email is sent."""
    member.first_name = "Léa"
    member.save()
    carrots = product_for(producer, title="Carottes", price="2.40", stock=10)
    client.force_login(member)
    fill_cart(client, carrots, 3)
    with django_capture_on_commit_callbacks(execute=True):
        response = choose_and_order(client, thabor)
    assert len(mailoutbox) == 1
    return response


def parts(message) -> tuple[str, str]:
    """The text body and the HTML alternative of an email."""
    html = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    assert len(html) == 1, "the email has an HTML part"
    return message.body, html[0]


def test_the_email_says_where_when_until_when_and_how_to_pay_in_french(
    placed, mailoutbox, producer
):
    message = mailoutbox[0]
    order = Order.objects.get()
    text, html = parts(message)

    assert order.number in message.subject
    assert "jeudi 26 novembre" in message.subject and "Jardin du Thabor" in message.subject
    for body in (text, html):
        assert "Jardin du Thabor" in body
        assert "Place Saint-Mélaine, 35000 Rennes" in body
        assert "Entrée par la grille nord" in body
        assert "jeudi 26 novembre 2026" in body
        assert "18:00" in body and "19:30" in body
        assert "mardi 24 novembre, 18:00" in body  # the cut-off to cancel
        assert "Carottes" in body and producer.name in body
        assert "7,20" in body
        assert settings.SITE_URL + reverse("deliveries:upcoming-orders") in body
        assert "02 99 00 00 00" in body
        # The shop's layout: its name, its address, how to change the email address.
        assert settings.OSCAR_SHOP_NAME in body
        assert settings.SITE_URL + reverse("customer:profile-update") in body
        # Nothing of Oscar's parcel email.
        for oscar_word in ("Livraison", "Shipping", "Adresse de livraison", "0,00"):
            assert oscar_word not in body


def test_the_email_in_english(
    client, member, producer, thabor, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.LANGUAGE_CODE = "en"
    client.force_login(member)
    fill_cart(client, product_for(producer, title="Carottes", price="2.40"), 3)
    with django_capture_on_commit_callbacks(execute=True):
        choose_and_order(client, thabor)

    text, html = parts(mailoutbox[0])
    assert "to collect on Thursday 26 November at Jardin du Thabor" in mailoutbox[0].subject
    for body in (text, html):
        assert "Thursday 26 November 2026, from 18:00 to 19:30" in body
        assert "You can cancel this order until Tuesday 24 November, 18:00" in body
        assert "when you collect your order, by cheque or in cash" in body
        assert "bags or boxes" in body
        assert "Access:" in body


def test_the_text_part_is_plain_text_and_the_html_part_is_escaped(
    client, member, producer, thabor, django_capture_on_commit_callbacks, mailoutbox
):
    thabor.pickup_point.access_notes = "Cour <B> & jardin"
    thabor.pickup_point.save()
    client.force_login(member)
    fill_cart(client, product_for(producer, title="Pain & miel"), 1)
    with django_capture_on_commit_callbacks(execute=True):
        choose_and_order(client, thabor)

    text, html = parts(mailoutbox[0])
    assert "Pain & miel" in text and "Cour <B> & jardin" in text
    assert "&amp;" not in text
    assert "Pain &amp; miel" in html and "Cour &lt;B&gt; &amp; jardin" in html


def test_an_order_past_its_cutoff_is_not_said_cancellable(placed, mailoutbox, clock):
    from marketplace.checkout.services import send_order_confirmation_email
    from marketplace.core.models import SentMessage

    order = Order.objects.get()
    order.communication_events.all().delete()
    SentMessage.objects.all().delete()  # sent again, as if for the first time
    clock.now = paris(2026, 11, 25, 9, 0)
    send_order_confirmation_email(order.pk)

    text, html = parts(mailoutbox[-1])
    for body in (text, html):
        assert "24 novembre, 18:00" not in body
        assert settings.SITE_URL + reverse("deliveries:upcoming-orders") in body


def test_the_thank_you_page_speaks_of_the_pickup_not_of_oscars_allocations(placed):
    order = Order.objects.get()
    page = placed.content.decode()

    assert placed.request["PATH_INFO"] == reverse("checkout:thank-you")
    assert order.number in page
    assert "Jardin du Thabor" in page and "Place Saint-Mélaine" in page
    assert "jeudi 26 novembre 2026" in page and "18:00" in page and "19:30" in page
    assert "mardi 24 novembre, 18:00" in page
    assert reverse("deliveries:upcoming-orders") in page
    assert "7,20" in page
    for oscar_words in ("Allocation", "pending", "Adresse de livraison", "17:00"):
        assert oscar_words not in page


def test_the_order_detail_shows_the_status_in_our_words_and_the_pickup(client, placed):
    order = Order.objects.get()

    page = client.get(reverse("customer:order", kwargs={"order_number": order.number}))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Jardin du Thabor" in text and "jeudi 26 novembre 2026" in text
    assert "mardi 24 novembre, 18:00" in text
    assert "pending" not in text and "Shipping" not in text
    assert "17:00" not in text


def test_a_cancelled_order_reads_cancelled_and_a_collected_one_collected_at(client, placed, clock):
    from deliveries.distribution.selectors.pickup_list import prepare_handovers
    from deliveries.distribution.services.handovers import Tick, record_ticks
    from deliveries.models import Handover
    from deliveries.network.services import cancel_order_before_cutoff

    first = Order.objects.get()
    url = reverse("customer:order", kwargs={"order_number": first.number})
    cancel_order_before_cutoff(first.user, first.number)
    cancelled = client.get(url).content.decode()
    client.post(url, {"order_id": first.pk, "action": "reorder"})
    choose_and_order(client, first.pickup.distribution_day)
    second = Order.objects.exclude(pk=first.pk).get()
    day = second.pickup.distribution_day
    clock.now = paris(2026, 11, 26, 18, 20)
    prepare_handovers(day)
    handover = Handover.objects.get(pickup_order__order=second)
    record_ticks(UserFactory(), day, [Tick(uuid.uuid4(), handover.pk, True, clock.now)])
    clock.now = paris(2026, 11, 26, 21, 0)

    collected = client.get(reverse("customer:order", kwargs={"order_number": second.number}))

    assert "Annulée" in cancelled and "pending" not in cancelled
    assert "You can cancel" not in cancelled and "Vous pouvez annuler" not in cancelled
    assert "Retirée à 18:20" in collected.content.decode()


def test_order_status_labels_cover_oscars_pipeline():
    from marketplace.checkout.selectors import ORDER_STATUS_LABELS

    assert set(ORDER_STATUS_LABELS) == set(settings.OSCAR_ORDER_STATUS_PIPELINE)
