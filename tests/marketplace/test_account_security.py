"""Signing in, registering and resetting a password give nothing away and cannot be hammered:
wrong passwords lock an account (5) or an address (30) for 15 minutes; registration and the
password reset answer the same whether the address has an account or not; a new email address
on the profile asks for the password."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from marketplace.members import tasks  # noqa: F401  (registers the tasks the pages queue)
from tests.factories import UserFactory

User = get_user_model()
PASSWORD = "secret-pass-123"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Dozens of sign-ins a test: what is counted matters here, not the hashing's cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post(
        reverse("customer:login"),
        {
            "login-username": email,
            "login-password": password,
            "login-redirect_url": "",
            "login_submit": "Log In",
        },
        **ENGLISH,
        **extra,
    )


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(client, member, clock):
    answers = [sign_in(client, member.email, "wrong-guess").status_code for _ in range(6)]

    assert answers == [200, 200, 200, 200, 429, 429]

    # Locked: even the right password is refused, with the page that says why and what to do.
    locked = sign_in(client, member.email)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many wrong passwords" in page
    assert "Try again in 15 minutes." in page
    assert reverse("password-reset") in page
    assert not is_signed_in(client)

    clock.now += timedelta(minutes=14)
    assert sign_in(client, member.email).status_code == 429

    clock.now += timedelta(minutes=1, seconds=1)
    assert sign_in(client, member.email).status_code == 302
    assert is_signed_in(client)


def test_changing_the_case_of_the_address_does_not_reset_the_count(client, member):
    for email in ["membre@example.org", "MEMBRE@example.org", "Membre@Example.ORG"] * 2:
        sign_in(client, email, "wrong-guess")

    assert sign_in(client, member.email).status_code == 429


def test_another_account_from_the_same_address_still_signs_in(client, member):
    for _ in range(6):
        sign_in(client, member.email, "wrong-guess")
    neighbour = UserFactory(email="voisine@example.org")

    response = sign_in(client, neighbour.email)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_signing_in_clears_the_failures_of_the_account(client, member):
    for _ in range(4):
        sign_in(client, member.email, "wrong-guess")
    assert sign_in(client, member.email).status_code == 302
    client.get(reverse("customer:logout"))

    answers = [sign_in(client, member.email, "wrong-guess").status_code for _ in range(4)]

    assert answers == [200] * 4
    assert sign_in(client, member.email).status_code == 302


def test_thirty_failures_from_one_address_lock_it_for_every_account(client, member):
    for n in range(30):
        assert sign_in(client, f"guess{n}@example.org", "wrong-guess").status_code in (200, 429)

    assert sign_in(client, member.email).status_code == 429
    # The same member from another connection is not held up by that address.
    assert sign_in(client, member.email, REMOTE_ADDR="192.0.2.7").status_code == 302


def test_a_forwarded_for_header_changes_nothing_without_a_trusted_proxy(client, member):
    for n in range(30):
        sign_in(client, f"guess{n}@example.org", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

    response = sign_in(client, member.email, HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_visitor_is_the_forwarded_address(client, member, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # What the visitor sent first is not believed, only what the proxy appended.
    attacker = {"HTTP_X_FORWARDED_FOR": "10.9.9.9, 198.51.100.4", "REMOTE_ADDR": "10.0.0.2"}
    for n in range(30):
        sign_in(client, f"guess{n}@example.org", "wrong", **attacker)

    assert sign_in(client, member.email, **attacker).status_code == 429
    other = {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "REMOTE_ADDR": "10.0.0.2"}
    assert sign_in(client, member.email, **other).status_code == 302


# Registration


def register(client, email, password="une-longue-phrase-42"):
    return client.post(
        reverse("customer:register"),
        {
            "first_name": "Chloé",
            "last_name": "Dumas",
            "email": email,
            "phone": "",
            "password1": password,
            "password2": password,
        },
        **ENGLISH,
    )


def confirmation_link(email) -> str:
    """The link of a confirmation email, as a path on the test server."""
    return re.search(r"https?://[^/\s]+(/\S*/inscription/confirmer/\S+)", email.body).group(1)


def page_text(client, url) -> str:
    html = client.get(url, **ENGLISH).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_registering_an_address_that_has_an_account_answers_as_for_a_new_one(
    client, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for_new = register(client, "nouvelle@example.org")
        for_taken = register(client, member.email)

    assert (for_taken.status_code, for_taken["Location"]) == (
        for_new.status_code,
        for_new["Location"],
    )
    assert page_text(client, for_taken["Location"]) == page_text(client, for_new["Location"])
    assert "Check your inbox" in page_text(client, for_new["Location"])
    assert not is_signed_in(client)

    # The owner of the taken address is told, and their account is as it was.
    to_owner = [email for email in mailoutbox if email.to == [member.email]]
    assert len(to_owner) == 1
    assert reverse("password-reset") in to_owner[0].body
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    assert User.objects.filter(email__iexact=member.email).count() == 1


def test_a_new_account_opens_when_its_address_is_confirmed(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(client, "nouvelle@example.org")

    account = User.objects.get(email="nouvelle@example.org")
    assert not account.is_active
    assert sign_in(client, "nouvelle@example.org", "une-longue-phrase-42").status_code == 200
    (email,) = mailoutbox
    assert email.to == ["nouvelle@example.org"]
    path = confirmation_link(email)

    # Opening the link confirms nothing (mail scanners open links); its button does.
    page = client.get(path, **ENGLISH)
    assert "Confirm my address" in page.content.decode()
    account.refresh_from_db()
    assert not account.is_active
    response = client.post(path, **ENGLISH)

    assert response.status_code == 302
    account.refresh_from_db()
    assert account.is_active and is_signed_in(client)
    assert account.get_full_name() == "Chloé Dumas"
    # Used once: the link is dead.
    client.get(reverse("customer:logout"))
    assert "no longer works" in client.get(path, **ENGLISH).content.decode()


def test_registering_again_before_confirming_sends_a_new_link_for_the_new_password(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    for password in ["premiere-phrase-42", "seconde-phrase-43"]:
        with django_capture_on_commit_callbacks(execute=True):
            register(client, "nouvelle@example.org", password=password)

    first, second = (confirmation_link(email) for email in mailoutbox)
    assert "no longer works" in client.get(first, **ENGLISH).content.decode()
    client.post(second)
    account = User.objects.get(email="nouvelle@example.org")
    assert account.is_active and account.check_password("seconde-phrase-43")


# Password reset


def test_password_reset_answers_the_same_for_any_address(
    client, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("password-reset"), {"email": member.email})
        unknown = client.post(reverse("password-reset"), {"email": "personne@example.org"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [email.to for email in mailoutbox] == [[member.email]]
    assert "/password-reset/confirm/" in mailoutbox[0].body


# A new email address on the profile


def edit_profile(client, member, **fields):
    data = {
        "email": member.email,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "phone": "",
        "current_password": "",
        **fields,
    }
    return client.post(reverse("customer:profile-update"), data, **ENGLISH)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "Enter your current password to change your email address."),
        ("wrong-guess", "This is not your password: your email address was not changed."),
    ],
)
def test_a_new_email_address_without_the_right_password_is_refused(
    client, member, password, message
):
    client.force_login(member)

    response = edit_profile(client, member, email="pirate@example.org", current_password=password)

    assert response.status_code == 200
    assert message in response.content.decode()
    member.refresh_from_db()
    assert member.email == "membre@example.org"


def test_a_new_email_address_with_the_password_is_saved(client, member):
    client.force_login(member)

    response = edit_profile(client, member, email="nouvelle@example.org", current_password=PASSWORD)

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "nouvelle@example.org"


def test_names_and_phone_change_without_the_password(client, member):
    client.force_login(member)

    response = edit_profile(client, member, first_name="Anne", phone="06 12 34 56 78")

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.first_name == "Anne"
    assert member.member_profile.phone == "06 12 34 56 78"
