"""A member's own data: they download it (JSON and CSV) and close their account; what is still
to come is undone or they are told what to do first; the records of past days stay whole and
name them "former member"."""

import csv
import datetime as dt
import io
import json
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from oscar.core.loading import get_model

from baskets.services import refresh_subscription_states
from deliveries.distribution.selectors.pickup_list import prepare_handovers
from deliveries.distribution.services.handovers import Tick, record_ticks
from deliveries.models import Handover, VolunteerShift
from marketplace.checkout.services import place_order_for_day
from marketplace.core.former_members import former_member_name
from marketplace.member_data.errors import AccountNotClosed
from marketplace.member_data.services import close_account
from marketplace.members.models import MemberProfile
from marketplace.shop_setup import ensure_shop_basics
from producers.packing import packing_list_for
from tests.deliveries.distribution_day import BENOIT, day_under_way
from tests.factories import UserFactory, product_for

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
PASSWORD = "secret-pass-123"


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def history(clock, producer):
    """Zoé Bouvier's past: a basket subscription, an order and a volunteer shift on today's
    distribution, her basket and her order handed over and ticked."""
    day = day_under_way(
        clock, producer, [("Zoé", "Bouvier"), ("Léa", "Guérin")], volunteers=[BENOIT]
    )
    zoe = day.households["Zoé"].member
    zoe.email = "zoe@example.org"
    zoe.save()
    MemberProfile.objects.create(user=zoe, phone="06 12 34 56 78")
    squash = product_for(producer, title="Courge butternut", price="3.40", stock=20)
    order = place_order_for_day(
        zoe, [(squash, 2)], day.day.pk, at=day.day.cutoff_at - dt.timedelta(hours=1)
    )
    prepare_handovers(day.day)
    VolunteerShift.objects.create(distribution_day=day.day, volunteer=zoe)
    theirs = Handover.objects.filter(distribution_day=day.day).filter(
        basket_delivery__subscription__member=zoe
    ) | Handover.objects.filter(pickup_order__order=order)
    ticks = [Tick(uuid.uuid4(), handover.pk, True, timezone.now()) for handover in theirs]
    assert record_ticks(day.volunteer, day.day, ticks) == 2
    day.zoe, day.order = zoe, Order.objects.get(pk=order.pk)
    return day


def season_over(clock, history):
    clock.now = timezone.now() + dt.timedelta(weeks=14)
    refresh_subscription_states()


def sign_in(client, email) -> bool:
    """Through the sign-in page, as a member would (and the login throttle sees it)."""
    client.post(
        reverse("customer:login"),
        {"login-username": email, "login-password": PASSWORD, "login_submit": "1"},
    )
    return "_auth_user_id" in client.session


def test_a_member_downloads_everything_we_hold_about_them(client, history):
    assert sign_in(client, "zoe@example.org")
    page = client.get(reverse("member_data:my-data"))
    assert page.status_code == 200
    assert reverse("member_data:download", kwargs={"format": "json"}) in page.content.decode()
    assert reverse("member_data:my-data") in client.get(reverse("customer:profile-view")).text

    response = client.get(reverse("member_data:download", kwargs={"format": "json"}))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"] == {
        **data["profile"],
        "first_name": "Zoé",
        "last_name": "Bouvier",
        "email": "zoe@example.org",
        "phone": "06 12 34 56 78",
    }
    [order] = data["orders"]
    assert order["number"] == history.order.number
    assert order["total_incl_tax"] == "6.80"
    assert order["distribution_day"] == history.day.date.isoformat()
    assert order["pickup_point"] == "Maison du Thabor"
    assert [(line["product"], line["quantity"]) for line in order["lines"]] == [
        ("Courge butternut", 2)
    ]
    [subscription] = data["subscriptions"]
    assert subscription["pickup_point"] == "Maison du Thabor"
    [basket] = subscription["basket_deliveries"]
    assert basket["distribution_day"] == history.day.date.isoformat()
    assert basket["collected_at"] is not None
    for part in ("absences", "baskets_given", "choices"):
        assert subscription[part] == []
    assert [shift["distribution_day"] for shift in data["volunteer_shifts"]] == [
        history.day.date.isoformat()
    ]
    assert len(data["collected"]) == 2
    assert data["baskets_taken"] == [] and data["shared_subscriptions"] == []
    assert "Guérin" not in response.content.decode()  # nobody else's data

    response = client.get(reverse("member_data:download", kwargs={"format": "csv"}))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, *rows = csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";")
    assert len(header) == 9 and len(rows) == 2
    assert {row[3] for row in rows} == {history.order.number, str(history.contract)}
    assert all(row[0] == history.day.date.isoformat() for row in rows)
    assert client.get("/accounts/mes-donnees/telecharger.xml").status_code == 404


def test_the_data_pages_are_for_signed_in_members(client, history):
    for url in (
        reverse("member_data:my-data"),
        reverse("member_data:download", kwargs={"format": "json"}),
        reverse("customer:profile-delete"),
    ):
        assert client.get(url).status_code == 302


def test_a_member_with_a_past_subscription_closes_their_account(client, clock, history, producer):
    season_over(clock, history)
    packing_before = packing_list_for(producer, history.day.pk)
    order_before = Order.objects.get(pk=history.order.pk)
    assert sign_in(client, "zoe@example.org")

    page = client.get(reverse("customer:profile-delete"))
    assert page.status_code == 200 and reverse("member_data:my-data") in page.text
    wrong = client.post(reverse("customer:profile-delete"), {"password": "not-it"})
    assert wrong.status_code == 200
    response = client.post(reverse("customer:profile-delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("member_data:goodbye")
    assert client.get(response["Location"]).status_code == 200
    assert client.get(reverse("customer:profile-view")).status_code == 302  # signed out
    assert not sign_in(client, "zoe@example.org")

    zoe = history.zoe
    zoe.refresh_from_db()
    assert (zoe.first_name, zoe.last_name, zoe.is_active) == ("", "", False)
    assert "zoe" not in zoe.email and not zoe.has_usable_password()
    profile = MemberProfile.objects.get(user=zoe)
    assert profile.phone == "" and profile.deleted_at is not None

    with translation.override("fr"):
        former = former_member_name()
    client.force_login(UserFactory(is_staff=True))
    page = client.get(history.pickup_list_url).content.decode()
    assert former in page and "Bouvier" not in page and "Léa Guérin" in page
    sheet = client.get(
        reverse("deliveries:sign-off-sheet", kwargs={"pk": history.day.pk, "format": "csv"})
    ).content.decode()
    assert former in sheet and "Bouvier" not in sheet

    order = Order.objects.get(pk=history.order.pk)
    assert order.total_incl_tax == order_before.total_incl_tax == Decimal("6.80")
    assert order.lines.count() == 1 and order.status == order_before.status
    assert order.user_id == zoe.pk and order.guest_email == ""
    packing = packing_list_for(producer, history.day.pk)
    assert [(p.title, p.quantity) for p in packing.products] == [
        (p.title, p.quantity) for p in packing_before.products
    ]
    [member] = packing.members
    assert member.name == former and member.email == ""
    assert history.day.handovers.filter(collected_at__isnull=False).count() == 2
    assert VolunteerShift.objects.filter(volunteer=zoe).exists()  # the past shift stays


def test_a_commitment_under_way_keeps_the_account_open_and_says_why(client, history):
    assert sign_in(client, "zoe@example.org")
    response = client.post(reverse("customer:profile-delete"), {"password": PASSWORD})
    assert response.status_code == 200
    assert "coordinator" in response.text or "référent" in response.text
    history.zoe.refresh_from_db()
    assert history.zoe.is_active and history.zoe.last_name == "Bouvier"


def test_closing_cancels_orders_before_cut_off_and_withdraws_coming_shifts(open_day, producer):
    member = UserFactory(first_name="Hugo", last_name="Le Bihan")
    squash = product_for(producer, title="Courge butternut", price="3.40", stock=20)
    order = place_order_for_day(member, [(squash, 3)], open_day.pk)
    VolunteerShift.objects.create(distribution_day=open_day, volunteer=member)

    close_account(member)

    order.refresh_from_db()
    assert order.status == "cancelled"
    assert not VolunteerShift.objects.filter(volunteer=member).exists()
    squash.stockrecords.get().refresh_from_db()
    assert squash.stockrecords.get().num_allocated == 0
    member.refresh_from_db()
    assert not member.is_active
    close_account(member)  # again: nothing more happens


def test_an_order_past_its_cut_off_keeps_the_account_open(clock, open_day, producer):
    member = UserFactory(first_name="Hugo", last_name="Le Bihan")
    squash = product_for(producer, title="Courge butternut", price="3.40", stock=20)
    order = place_order_for_day(member, [(squash, 3)], open_day.pk)
    clock.now = open_day.cutoff_at + dt.timedelta(hours=1)

    with translation.override("en"), pytest.raises(AccountNotClosed) as refused:
        close_account(member)

    [reason] = refused.value.reasons
    assert str(order.number) in reason and "collect it first or ask the coordinator" in reason
    order.refresh_from_db()
    member.refresh_from_db()
    assert order.status != "cancelled" and member.is_active and member.first_name == "Hugo"
