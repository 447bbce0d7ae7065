"""The pickup list without signal, in a real browser: a volunteer opens the list once, loses the
connection and reloads it: the phone shows it from its copy; a line ticked then says it waits
to be sent, and the count of waiting ticks stays on screen while the list scrolls; back online,
the tick is sent. Once the volunteer signs out, the next person on the phone gets no list."""

import re
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from deliveries.distribution.offline import COOKIE_NAME
from deliveries.distribution.services.handovers import Tick, record_ticks
from deliveries.models import Handover
from marketplace.shop_setup import ensure_shop_basics
from tests.browser.conftest import assert_no_page_errors, either
from tests.browser.test_catalogue_journey import sign_in, visit
from tests.deliveries.distribution_day import BENOIT, CLAIRE, day_under_way

pytestmark = pytest.mark.browser

HOUSEHOLDS = [
    ("Zoé", "Bouvier"),
    ("Léa", "Guérin"),
    ("Hugo", "Le Bihan"),
    ("Inès", "Morvan"),
    ("Jules", "Tanguy"),
    ("Maël", "Le Goff"),
    ("Nina", "Prigent"),
    ("Oscar", "Rolland"),
    ("Paul", "Salaün"),
    ("Rose", "Thomas"),
    ("Yann", "Quéré"),
    ("Anne", "Martin"),
]
WAITING = either("waiting to send", "en attente d'envoi")


def line_of(page, name):
    return (
        page.locator(".household")
        .filter(has=page.get_by_role("heading", name=name))
        .locator(".handover")
    )


def sign_out(page) -> None:
    # The header's own form (folded in the phone menu): what its button sends.
    page.locator("header form[action$='/logout/']").evaluate("form => form.requestSubmit()")
    expect(page.locator("header form[action$='/logout/']")).to_have_count(0)


def kept_lists(page) -> list[str]:
    return page.evaluate(
        "async () => (await caches.keys()).filter((name) => name.startsWith('pickup-list-'))"
    )


def test_list_reloads_offline_from_the_phone_and_only_for_its_volunteer(
    transactional_db, live_server, new_page, producer, clock
):
    ensure_shop_basics()
    under_way = day_under_way(clock, producer, HOUSEHOLDS, volunteers=[BENOIT, CLAIRE])
    day, url = under_way.day, under_way.pickup_list_url
    volunteer, colleague = under_way.volunteers
    members = under_way.households
    now = timezone.now()

    phone = new_page(phone=True)
    sign_in(phone, volunteer.email, phone=True)
    phone.goto(url)
    expect(phone.locator(".household")).to_have_count(len(HOUSEHOLDS))
    # The phone has kept the list, its state and its static files.
    expect(phone.locator(".pickup-list[data-offline-ready]")).to_have_count(1)
    assert phone.locator(".pickup-offline").is_hidden()
    # Claire hands Zoé her basket from her own phone; Benoît's phone learns it with the next poll.
    zoe_handover = Handover.objects.get(basket_delivery__subscription=members["Zoé"])
    record_ticks(colleague, day, [Tick(uuid.uuid4(), zoe_handover.pk, True, now)], now=now)
    expect(line_of(phone, "Zoé Bouvier")).to_have_class(re.compile("is-collected"))
    expect(line_of(phone, "Zoé Bouvier").locator(".handover-by")).to_contain_text("Claire")

    # No signal in the hall: a reload shows the list from the phone, saying it is offline.
    phone.context.set_offline(True)
    response = phone.reload()
    assert response.from_service_worker and response.ok
    expect(phone.locator(".household")).to_have_count(len(HOUSEHOLDS))
    # What the phone last heard, newer than the page it kept: Zoé has her basket.
    expect(line_of(phone, "Zoé Bouvier")).to_have_class(re.compile("is-collected"))
    expect(phone.locator(".js-collected")).to_have_text("1")
    expect(phone.locator(".pickup-offline")).to_be_visible()
    expect(phone.locator(".pickup-offline")).to_contain_text(either("Offline", "Hors ligne"))
    expect(phone.locator(".pickup-sync")).to_contain_text(either("offline", "hors ligne"))
    # The site's stylesheet came from the copy too: the bar is styled (sticky).
    bar = phone.locator(".pickup-bar")
    assert bar.evaluate("el => getComputedStyle(el).position") == "sticky"
    visit(phone, phone=True)

    # Léa collects her basket: her line says it waits to be sent, in its name too.
    lea = line_of(phone, "Léa Guérin")
    lea.get_by_role("button").click()
    expect(lea).to_have_class(re.compile("is-collected"))
    expect(lea.locator(".handover-waiting")).to_be_visible()
    expect(lea.locator(".handover-waiting")).to_have_text(WAITING)
    expect(lea.get_by_role("button")).to_have_accessible_name(WAITING)
    expect(line_of(phone, "Zoé Bouvier").locator(".handover-waiting")).to_have_count(0)
    expect(bar.locator(".js-waiting-count")).to_have_text("1")
    expect(bar).to_contain_text(either("tick waiting to be sent", "coche en attente d'envoi"))
    visit(phone, phone=True)

    # Scrolled to the last household, the count of waiting ticks is still on screen.
    line_of(phone, "Anne Martin").scroll_into_view_if_needed()
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert phone.evaluate("window.scrollY") > 200
    expect(bar.locator(".js-waiting-count")).to_be_in_viewport()
    assert bar.evaluate("el => el.getBoundingClientRect().top") >= 0

    # A second reload without signal keeps the tick waiting.
    phone.reload()
    expect(line_of(phone, "Léa Guérin")).to_have_class(re.compile("is-collected"))
    expect(line_of(phone, "Léa Guérin").locator(".handover-waiting")).to_have_text(WAITING)
    expect(phone.locator(".pickup-bar .js-waiting-count")).to_have_text("1")
    lea_handover = Handover.objects.get(basket_delivery__subscription=members["Léa"])
    assert lea_handover.collected_at is None

    # The signal returns: the tick is sent and the marks go.
    phone.context.set_offline(False)
    expect(phone.locator(".pickup-sync")).to_have_text(
        either("All ticks are sent.", "Toutes les coches sont envoyées."), timeout=15_000
    )
    expect(phone.locator(".handover-waiting")).to_have_count(0)
    expect(phone.locator(".pickup-offline")).to_be_hidden()
    lea_handover.refresh_from_db()
    assert lea_handover.collected_at is not None
    assert lea_handover.collected_by == volunteer
    assert_no_page_errors(phone)

    # Benoît signs out: the key naming his copy goes, and so does the copy.
    sign_out(phone)
    assert COOKIE_NAME not in {cookie["name"] for cookie in phone.context.cookies()}
    for _ in range(50):  # the service worker hears of the cookie going
        if not kept_lists(phone):
            break
        phone.wait_for_timeout(100)
    assert kept_lists(phone) == []

    # Zoé, a member, signs in on the same phone: without signal the list is not there for her.
    sign_in(phone, members["Zoé"].member.email, phone=True)
    phone.context.set_offline(True)
    response = phone.goto(url)
    assert response.from_service_worker and response.status == 503
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        either("No connection", "Pas de connexion")
    )
    expect(phone.locator(".household")).to_have_count(0)
    expect(phone.get_by_text("Guérin")).to_have_count(0)
    assert kept_lists(phone) == []

    # With signal, the server refuses her the list, as before.
    phone.context.set_offline(False)
    assert phone.goto(url).status == 403
    expect(phone.locator(".household")).to_have_count(0)
