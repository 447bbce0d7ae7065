"""The pickup list kept on a volunteer's phone for reloads without signal: the service worker is
served where a list's address can be its scope, and the key naming the signed-in person's copy
is forgotten as soon as the session changes hands (signing out, someone else signing in)."""

import pytest
from django.urls import reverse

from deliveries.distribution.offline import COOKIE_NAME, RESPONSE_HEADER
from deliveries.models import VolunteerShift
from tests.factories import DistributionDayFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(db):
    return DistributionDayFactory()


@pytest.fixture
def volunteer(day):
    user = UserFactory(first_name="Benoît", last_name="Lemaire")
    VolunteerShift.objects.create(distribution_day=day, volunteer=user)
    return user


def list_url(day) -> str:
    return reverse("deliveries:pickup-list", kwargs={"pk": day.pk})


def test_service_worker_is_served_as_fresh_javascript_above_the_lists(client, day):
    url = reverse("deliveries:pickup-list-worker")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    # A script's default maximum scope is its folder: every day's list lies under it.
    assert list_url(day).startswith(url.rsplit("/", 1)[0] + "/")
    script = response.content.decode()
    assert f'var COOKIE = "{COOKIE_NAME}";' in script
    assert 'var STATE = LIST + "etat/";' in script
    assert "{%" not in script and "{{" not in script
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert unchanged.status_code == 304


def test_opening_the_list_names_the_copy_after_a_key_of_the_session(client, day, volunteer):
    client.force_login(volunteer)
    response = client.get(list_url(day))
    assert response.status_code == 200
    key = response[RESPONSE_HEADER]
    cookie = response.cookies[COOKIE_NAME]
    assert cookie.value == key
    assert not cookie["httponly"]  # read offline by the service worker
    assert cookie["path"] == "/"
    assert client.session["pickup_list_offline_key"] == key

    again = client.get(list_url(day))
    assert again[RESPONSE_HEADER] == key
    assert COOKIE_NAME not in again.cookies  # already there: not sent again
    assert COOKIE_NAME not in client.get(reverse("deliveries:shifts")).cookies


def test_signing_out_forgets_the_key(client, day, volunteer):
    client.force_login(volunteer)
    client.get(list_url(day))
    response = client.post(reverse("customer:logout"))
    assert response.cookies[COOKIE_NAME].value == ""
    assert response.cookies[COOKIE_NAME]["max-age"] == 0


def test_another_person_signing_in_forgets_the_previous_key(client, day, volunteer):
    client.force_login(volunteer)
    first_key = client.get(list_url(day))[RESPONSE_HEADER]
    client.force_login(UserFactory(first_name="Claire"))  # a new session, without the key
    response = client.get(reverse("deliveries:finder"))
    assert response.cookies[COOKIE_NAME]["max-age"] == 0

    other = UserFactory(first_name="Claire", last_name="Riou")
    VolunteerShift.objects.create(distribution_day=day, volunteer=other)
    client.force_login(other)
    assert client.get(list_url(day))[RESPONSE_HEADER] != first_key


def test_people_without_the_list_get_no_key(client, day):
    client.force_login(UserFactory())
    response = client.get(list_url(day))
    assert response.status_code == 403
    assert COOKIE_NAME not in response.cookies
