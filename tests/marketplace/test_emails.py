"""Every email has a text body and an HTML part in the shared layout (marketplace.core.emails): the
same facts in both, the names escaped in the HTML, the footer once, the attachments kept. The
pickup point's name has markup in it, as a coordinator could type."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape

from baskets.services import (
    claim_basket,
    generate_basket_deliveries,
    leave_contract,
    subscribe,
    transfer_delivery,
)
from baskets.tasks import offer_free_places
from deliveries.distribution.services.shifts import sign_up_for_shift
from deliveries.distribution.tasks import close_distribution_days, remind_volunteers
from deliveries.models import Closure, DistributionDay
from deliveries.network.tasks import materialise_calendar
from marketplace.shop_setup import ensure_shop_basics
from tests.baskets.calendar import DEC_1, DEC_8, PARIS_NOW, SIGN_UP_DAY, season, tuesdays
from tests.factories import PickupPointFactory, UserFactory, product_for
from tests.ordering import choose_and_order, fill_cart

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

NAME = "Thabor <b>&</b> Lices"
WHY = "Vous recevez cet e-mail"


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def point(db):
    return tuesdays(
        PickupPointFactory(name=NAME, volunteers_needed=2, shift_changes_close_hours=24)
    )


def day_on(point, date):
    return DistributionDay.objects.get(pickup_point=point, date=date)


def member_of(contract, point, first_name="Léa"):
    return subscribe(
        UserFactory(first_name=first_name), contract, point, agreed=True, today=SIGN_UP_DAY
    )


def html_of(message) -> str:
    (html,) = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    return html


def assert_in_both_parts(message, *facts: str) -> None:
    """The text and the HTML say the same: each fact as is in the text, escaped in the HTML; the
    footer (why this email, how to change it) once, in the layout's footer."""
    text, html = message.body, html_of(message)
    assert text.strip() and html.startswith("<!DOCTYPE html>")
    assert escape(NAME) not in message.subject  # a subject is plain text
    for fact in (NAME, *facts):
        assert fact in text, fact
        assert escape(fact) in html, fact
    assert NAME not in html and "<b>" not in html  # the markup is shown, not applied
    assert text.count(WHY) == 1 and html.count(WHY) == 1
    assert f"— {settings.OSCAR_SHOP_NAME}" not in html
    manage_url = text.rstrip().rsplit(" ", 1)[-1]
    assert manage_url.startswith(settings.SITE_URL)
    assert text.count(manage_url) == 1 and html.count(f'href="{manage_url}"') == 1


def test_a_basket_taken_tells_the_taker_and_the_holder_in_text_and_html(
    point, mailoutbox, django_capture_on_commit_callbacks
):
    contract = season(point, plan__name="Petit panier", capacity=50)
    holder = member_of(contract, point)
    taker = member_of(contract, point, "Hugo").member
    generate_basket_deliveries([point.pk], DEC_1, DEC_8)
    transfer = transfer_delivery(holder.member, holder.pk, day_on(point, DEC_8).pk, "offered")

    with django_capture_on_commit_callbacks(execute=True):
        claim_basket(taker, transfer.pk)

    to_taker, to_holder = mailoutbox
    assert to_taker.to == [taker.email] and to_holder.to == [holder.member.email]
    assert_in_both_parts(to_taker, "Petit panier", "mardi 8 décembre 2026", "18:00", "19:30")
    assert_in_both_parts(to_holder, "Petit panier", "mardi 8 décembre")
    assert 'href="http' in html_of(to_taker)  # the baskets page, as a link


def test_a_place_offered_from_the_waiting_list_has_its_deadline_in_both_parts(point, mailoutbox):
    contract = season(point, plan__name="Œufs", capacity=1)
    holder = member_of(contract, point)
    waiting = member_of(contract, point, "Hugo")
    leave_contract(holder.member, holder.pk, today=SIGN_UP_DAY)

    assert offer_free_places() == 1

    (message,) = mailoutbox
    waiting.refresh_from_db()
    with translation.override("fr"):
        deadline = date_format(timezone.localtime(waiting.offer_expires_at), "l j F, H:i")
    assert_in_both_parts(message, "Œufs", deadline)
    assert NAME in message.subject


def test_a_cancelled_day_is_announced_in_text_and_html(point, mailoutbox):
    contract = season(point, plan__name="Petit panier")
    holder = member_of(contract, point)
    generate_basket_deliveries([point.pk], DEC_8, DEC_8)
    reason = "Salle <i>inondée</i>"
    Closure.objects.create(pickup_point=point, start_date=DEC_8, end_date=DEC_8, reason=reason)

    materialise_calendar()

    (message,) = mailoutbox
    assert message.to == [holder.member.email]
    assert_in_both_parts(message, "mardi 8 décembre 2026", reason, "1 × Petit panier")
    assert NAME in message.subject


def test_the_packing_list_has_both_parts_and_still_its_pdf_and_csv(
    client, clock, point, producer, producer_user, mailoutbox
):
    day = day_on(point, DEC_1)
    client.force_login(UserFactory())
    fill_cart(client, product_for(producer, title="Carottes", stock=10), 2)
    choose_and_order(client, day)
    client.logout()
    mailoutbox.clear()
    clock.now = day.cutoff_at + dt.timedelta(hours=1)

    close_distribution_days()

    (message,) = mailoutbox
    assert producer_user.email in message.to
    assert_in_both_parts(message, "mardi 1 décembre 2026, 18:00", "Carottes", point.address)
    assert NAME in message.subject
    files = sorted(name.rsplit(".", 1)[1] for name, _content, _type in message.attachments)
    assert files == ["csv", "pdf"]


def test_the_shift_reminder_has_both_parts_with_the_instructions_kept_on_their_lines(
    clock, point, mailoutbox
):
    point.volunteer_instructions = "La clé est chez Mme Morel.\nLe code du portail : 1234."
    point.save()
    volunteer = UserFactory(email="benevole@example.org")
    point.volunteers.add(volunteer)
    day = day_on(point, DEC_1)
    sign_up_for_shift(volunteer, day.pk, now=PARIS_NOW)
    clock.now = day.starts_at - dt.timedelta(hours=47)

    assert remind_volunteers() == 1

    (message,) = mailoutbox
    assert_in_both_parts(message, "mardi 1 décembre 2026", "18:00", "19:30")
    assert NAME in message.subject
    assert "La clé est chez Mme Morel.<br>Le code du portail : 1234." in html_of(message)
