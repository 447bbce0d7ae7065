"""Members have a name: registration asks for it (and an optional phone), and an account that
has none is asked once, at its next sign-in."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from marketplace.members.models import MemberProfile
from tests.factories import UserFactory

User = get_user_model()
PASSWORD = "secret-pass-123"

pytestmark = pytest.mark.django_db


def register(client, url_name="customer:register", prefix="", **fields):
    data = {
        "first_name": "Chloé",
        "last_name": "Dumas",
        "email": "chloe@example.org",
        "phone": "06 12 34 56 78",
        "password1": "une-longue-phrase-42",
        "password2": "une-longue-phrase-42",
        **fields,
    }
    data = {f"{prefix}{key}": value for key, value in data.items()}
    if prefix:
        data["registration_submit"] = "Register"
    return client.post(reverse(url_name), data)


def sign_in(client, email, next_url=""):
    return client.post(
        reverse("customer:login"),
        {
            "login-username": email,
            "login-password": PASSWORD,
            "login-redirect_url": next_url,
            "login_submit": "Log In",
        },
    )


@pytest.mark.parametrize(
    ("url_name", "form_name"),
    [("customer:register", "form"), ("customer:login", "registration_form")],
)
def test_registration_asks_for_first_and_last_name_and_an_optional_phone(
    client, url_name, form_name
):
    form = client.get(reverse(url_name)).context[form_name]

    assert list(form.fields)[:4] == ["first_name", "last_name", "email", "phone"]
    assert form.fields["first_name"].required
    assert form.fields["last_name"].required
    assert not form.fields["phone"].required


def test_member_registers_with_their_name_and_phone(client):
    response = register(client)

    # The account opens when its address is confirmed (tests/marketplace/test_account_security.py).
    assert response["Location"] == reverse("members:check-inbox")
    user = User.objects.get(email="chloe@example.org")
    assert (user.first_name, user.last_name) == ("Chloé", "Dumas")
    assert user.member_profile.phone == "06 12 34 56 78"


def test_member_registers_from_the_sign_in_page_too(client):
    response = register(client, "customer:login", prefix="registration-", phone="")

    assert response["Location"] == reverse("members:check-inbox")
    user = User.objects.get(email="chloe@example.org")
    assert user.get_full_name() == "Chloé Dumas"
    assert user.member_profile.phone == ""


@pytest.mark.parametrize("missing", ["first_name", "last_name"])
def test_registration_without_a_name_is_refused(client, missing):
    response = register(client, **{missing: "  "})

    assert response.status_code == 200
    assert missing in response.context["form"].errors
    assert not User.objects.filter(email="chloe@example.org").exists()


def test_registration_refuses_a_phone_that_is_not_one(client):
    response = register(client, phone="call me")

    assert "phone" in response.context["form"].errors
    assert not User.objects.exists()


def test_account_without_a_name_is_asked_for_it_once_at_sign_in(client, clock):
    nameless = UserFactory(email="nouveau.1796064915@example.org", first_name="", last_name="")
    wanted = reverse("baskets:mine")

    response = sign_in(client, nameless.email, next_url=wanted)

    details = reverse("members:details")
    assert response["Location"] == f"{details}?next={wanted.replace('/', '%2F')}"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert [name for name in page.context["form"].fields] == ["first_name", "last_name", "phone"]
    assert MemberProfile.objects.get(user=nameless).name_requested_at is not None

    response = client.post(
        details, {"first_name": "Noé", "last_name": "Lemoine", "phone": "", "next": wanted}
    )

    assert response["Location"] == wanted
    nameless.refresh_from_db()
    assert nameless.get_full_name() == "Noé Lemoine"


def test_account_that_skipped_the_question_is_not_asked_again(client):
    nameless = UserFactory(email="sans-nom@example.org", first_name="", last_name="")
    assert reverse("members:details") in sign_in(client, nameless.email)["Location"]
    client.get(reverse("customer:logout"))

    # They went on without answering: the next sign-in goes where it was going.
    response = sign_in(client, nameless.email)

    assert response["Location"] == "/"
    assert MemberProfile.objects.filter(user=nameless).count() == 1


def test_account_with_a_name_signs_in_without_a_detour(client, member):
    response = sign_in(client, member.email, next_url=reverse("baskets:mine"))

    assert response["Location"] == reverse("baskets:mine")
    assert not MemberProfile.objects.filter(user=member).exists()


def test_details_page_never_sends_a_member_to_another_site(client):
    nameless = UserFactory(first_name="", last_name="")
    client.force_login(nameless)

    response = client.post(
        reverse("members:details"),
        {"first_name": "Noé", "last_name": "Lemoine", "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("customer:profile-view")


def test_member_sees_and_edits_their_phone_on_their_profile(client, member):
    client.force_login(member)

    response = client.post(
        reverse("customer:profile-update"),
        {
            "email": member.email,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "phone": "+33 6 12 34 56 78",
        },
    )

    assert response.status_code == 302
    page = client.get(reverse("customer:profile-view")).content.decode()
    assert "+33 6 12 34 56 78" in page
    assert "name_requested_at" not in page and "requested" not in page
