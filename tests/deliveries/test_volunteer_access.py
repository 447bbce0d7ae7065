"""Who reads a day's list of households: an order is not membership of a point; a point lets its
members sign up freely or has a coordinator approve each volunteer; a sign-up waiting, refused
or withdrawn opens nothing, not even the copy kept on the phone for reloads without signal."""

import pytest
from django.urls import reverse

from deliveries.distribution.errors import ShiftRefused
from deliveries.distribution.offline import COOKIE_NAME, RESPONSE_HEADER
from deliveries.distribution.services.shifts import (
    approve_shift,
    refuse_shift,
    sign_up_for_shift,
    withdraw_from_shift,
)
from deliveries.models import VolunteerShift
from deliveries.network.models import VolunteerSignUp
from marketplace.shop_setup import ensure_shop_basics
from tests.baskets.test_confirmations import english
from tests.deliveries.test_shifts import NOW, days_of, subscriber_of, tuesdays_point
from tests.factories import UserFactory, product_for
from tests.ordering import choose_and_order, fill_cart

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]


@pytest.fixture
def free_point(db):
    return tuesdays_point(name="Maison de quartier Thabor", volunteers_needed=2)


@pytest.fixture
def approval_point(db):
    return tuesdays_point(
        name="Ferme du Bois", volunteers_needed=2, volunteer_sign_up=VolunteerSignUp.APPROVAL
    )


@pytest.fixture
def coordinator(approval_point):
    user = UserFactory(first_name="Claire", last_name="Morel")
    approval_point.coordinators.add(user)
    return user


def list_url(day) -> str:
    return reverse("deliveries:pickup-list", kwargs={"pk": day.pk})


def state_url(day) -> str:
    return reverse("deliveries:pickup-list-state", kwargs={"pk": day.pk})


def reads_list(client, day) -> bool:
    page, state = client.get(list_url(day)), client.get(state_url(day))
    assert page.status_code == state.status_code
    return page.status_code == 200


def an_outsider_with_one_order(client, producer, day):
    outsider = UserFactory(email="passant@example.org")
    ensure_shop_basics()
    client.force_login(outsider)
    fill_cart(client, product_for(producer, stock=5))
    choose_and_order(client, day)
    return outsider


def test_an_outsider_with_one_order_cannot_volunteer_nor_read_the_list(
    client, producer, free_point
):
    tuesday, next_tuesday = days_of(free_point)[:2]
    outsider = an_outsider_with_one_order(client, producer, tuesday)

    with pytest.raises(ShiftRefused, match="Thabor"):
        sign_up_for_shift(outsider, tuesday.pk, now=NOW)
    with pytest.raises(ShiftRefused):
        sign_up_for_shift(outsider, next_tuesday.pk, now=NOW)

    assert not VolunteerShift.objects.exists()
    assert not reads_list(client, tuesday)


def test_a_member_of_a_free_point_reads_the_list_once_signed_up(client, free_point):
    tuesday = days_of(free_point)[0]
    member = subscriber_of(free_point)
    client.force_login(member)
    assert not reads_list(client, tuesday)

    sign_up_for_shift(member, tuesday.pk, now=NOW)

    assert reads_list(client, tuesday)


def test_at_an_approval_point_the_list_opens_on_approval_and_closes_on_withdrawal(
    client, approval_point, coordinator
):
    tuesday = days_of(approval_point)[0]
    member = subscriber_of(approval_point, first_name="Léa", last_name="Guérin")
    english(client).force_login(member)

    shift = sign_up_for_shift(member, tuesday.pk, now=NOW)
    assert not shift.is_approved
    assert not reads_list(client, tuesday)
    assert "Waiting for a coordinator" in client.get(reverse("deliveries:shifts")).content.decode()

    client.force_login(coordinator)
    unstaffed = client.get(reverse("deliveries:unstaffed-days")).content.decode()
    assert "Léa Guérin" in unstaffed and f"shift-{shift.pk}" in unstaffed
    client.post(reverse("deliveries:shift-approve", kwargs={"pk": shift.pk}))

    client.force_login(member)
    assert reads_list(client, tuesday)

    withdraw_from_shift(member, tuesday.pk, now=NOW)

    assert not reads_list(client, tuesday)


def test_an_outsider_with_an_order_may_ask_where_coordinators_approve(
    client, producer, approval_point, coordinator
):
    tuesday = days_of(approval_point)[0]
    outsider = an_outsider_with_one_order(client, producer, tuesday)

    shift = sign_up_for_shift(outsider, tuesday.pk, now=NOW)
    assert not reads_list(client, tuesday)

    refuse_shift(coordinator, shift.pk)

    assert not VolunteerShift.objects.exists()
    assert not reads_list(client, tuesday)


def test_only_the_points_coordinators_approve(approval_point, coordinator, free_point):
    tuesday = days_of(approval_point)[0]
    shift = sign_up_for_shift(subscriber_of(approval_point), tuesday.pk, now=NOW)
    someone_else = UserFactory()
    free_point.coordinators.add(someone_else)

    with pytest.raises(ShiftRefused):
        approve_shift(someone_else, shift.pk, now=NOW)

    approve_shift(coordinator, shift.pk, now=NOW)
    shift.refresh_from_db()
    assert shift.is_approved and shift.approved_by == coordinator


def test_a_withdrawn_volunteer_loses_the_copy_kept_for_reloads_without_signal(client, free_point):
    tuesday = days_of(free_point)[0]
    member = subscriber_of(free_point)
    sign_up_for_shift(member, tuesday.pk, now=NOW)
    client.force_login(member)
    opened = client.get(list_url(tuesday))
    key = opened[RESPONSE_HEADER]
    assert opened.cookies[COOKIE_NAME].value == key

    withdrawn = client.post(reverse("deliveries:shift-withdraw", kwargs={"pk": tuesday.pk}))

    # The cookie naming the phone's copy goes with the access, so the service worker drops it.
    assert withdrawn.cookies[COOKIE_NAME].value == ""
    assert client.get(list_url(tuesday)).status_code == 403
    assert client.get(state_url(tuesday)).status_code == 403


def test_a_refusal_from_a_coordinator_forgets_the_phones_copy_too(
    client, approval_point, coordinator
):
    tuesday = days_of(approval_point)[0]
    member = subscriber_of(approval_point)
    first = sign_up_for_shift(member, tuesday.pk, now=NOW)
    approve_shift(coordinator, first.pk, now=NOW)
    client.force_login(member)
    client.get(list_url(tuesday))
    VolunteerShift.objects.filter(pk=first.pk).delete()  # the coordinator took them off

    response = client.get(reverse("deliveries:shifts"))

    assert response.cookies[COOKIE_NAME].value == ""
    assert client.get(state_url(tuesday)).status_code == 403
