"""Sharing a basket takes both households' consent: the holder invites an address, and the answer
reads the same whether or not it has an account; the invitee accepts (the sharing and its turns
appear) or declines (the holder is told); either household ends the sharing; until it is
accepted, nothing of the invitee shows on the contract, the pickup list or Mes paniers."""

import re

import pytest
from django.urls import reverse

from baskets.contract_pdf import contract_summary_pdf
from baskets.errors import BasketError, CoHoldingRefused
from baskets.models import CoHolding, CoHoldingState, Sharing, Subscription
from baskets.selectors import pickup_list_baskets
from baskets.services import generate_basket_deliveries, subscribe
from baskets.services.co_holding import accept_co_holding, end_co_holding
from baskets.services.notifications import notify_co_holding
from baskets.services.subscriptions import refresh_subscription_states
from baskets.services.transfers import transfer_delivery
from deliveries.models import DistributionDay
from tests.baskets.calendar import DEC_1, DEC_8, DEC_15, PARIS_NOW, SIGN_UP_DAY, season
from tests.baskets.test_confirmations import english, text
from tests.baskets.test_contract_pdf import pdf_text
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]


@pytest.fixture
def lea(db):
    return UserFactory(first_name="Léa", last_name="Guérin", email="lea@example.org")


@pytest.fixture
def hugo(db):
    return UserFactory(first_name="Hugo", last_name="Le Bihan", email="hugo@example.org")


def sign_up_inviting(client, contract, point, email: str, sharing="alternate"):
    return client.post(
        reverse("baskets:contract", kwargs={"pk": contract.pk}),
        {
            "pickup_point": point.pk,
            "quantity": 1,
            "co_holder_email": email,
            "sharing": sharing,
            "agreed": "on",
        },
        follow=True,
    )


def invited(holder, contract, point, co_holder_email, sharing=Sharing.ALTERNATE) -> Subscription:
    return subscribe(
        holder,
        contract,
        point,
        agreed=True,
        co_holder_email=co_holder_email,
        sharing=sharing,
        today=SIGN_UP_DAY,
    )


def day_on(point, date):
    return DistributionDay.objects.get(pickup_point=point, date=date)


def holders_on(point, date) -> set[str]:
    return {row.holder for row in pickup_list_baskets(day_on(point, date))}


def test_naming_a_known_or_an_unknown_email_answers_the_same(
    client, point, hugo, mailoutbox, django_capture_on_commit_callbacks
):
    contract, answers = season(point), []
    for email in ("hugo@example.org", "nobody@example.org"):
        english(client).force_login(UserFactory())
        with django_capture_on_commit_callbacks(execute=True):
            page = text(sign_up_inviting(client, contract, point, email))
        answers.append(page.replace(email, "<email>"))
        assert "Nobody has an account" not in page

    assert answers[0] == answers[1]
    assert "We emailed an invitation to share this basket to <email>" in answers[0]
    # Nobody is named on anything until they accept; both addresses got the same invitation.
    assert not Subscription.objects.filter(co_holder__isnull=False).exists()
    assert sorted(message.to[0] for message in mailoutbox) == [
        "hugo@example.org",
        "nobody@example.org",
    ]
    assert CoHolding.objects.filter(state=CoHoldingState.INVITED).count() == 2


def test_the_invitee_accepts_and_the_turns_appear(
    client, point, lea, hugo, mailoutbox, django_capture_on_commit_callbacks
):
    contract = season(point)
    with django_capture_on_commit_callbacks(execute=True):
        subscription = invited(lea, contract, point, "hugo@example.org")
    generate_basket_deliveries([point.pk], DEC_1, DEC_8)
    assert holders_on(point, DEC_8) == {"Léa Guérin"}  # not shared yet: hers alone

    link = re.search(r"https?://[^/\s]+(/\S*/partage/\S+/)", mailoutbox[0].body).group(1)
    english(client).force_login(hugo)
    invitation = client.get(link)
    assert "Léa Guérin invites you" in text(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("baskets:accept-co-holding", kwargs={"token": invited_token(lea)}))

    subscription.refresh_from_db()
    assert (subscription.co_holder, subscription.sharing) == (hugo, Sharing.ALTERNATE)
    assert holders_on(point, DEC_1) == {"Léa Guérin"}
    assert holders_on(point, DEC_8) == {"Hugo Le Bihan"}
    # Emails go out in the site's language.
    assert "Hugo Le Bihan a accepté votre invitation" in mailoutbox[-1].body
    assert mailoutbox[-1].to == ["lea@example.org"]
    assert contract.plan.name in text(client.get(reverse("baskets:mine")))


def invited_token(holder) -> str:
    return CoHolding.objects.get(subscription__member=holder).token


def test_the_invitee_declines_and_the_holder_is_told(
    client, point, lea, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscription = invited(lea, season(point), point, "nobody@example.org")
    token = invited_token(lea)

    # No account needed to say no.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("baskets:decline-co-holding", kwargs={"token": token}))

    subscription.refresh_from_db()
    assert subscription.co_holder is None and subscription.sharing == Sharing.ALONE
    assert mailoutbox[-1].to == ["lea@example.org"]
    assert "envoyée à nobody@example.org, a été refusée" in mailoutbox[-1].body
    english(client).force_login(lea)
    assert "sent to nobody@example.org, was declined" in text(client.get(reverse("baskets:mine")))
    with pytest.raises(CoHoldingRefused):
        accept_co_holding(UserFactory(), token)


def test_an_invitation_is_emailed_once_when_its_task_runs_again(point, lea, mailoutbox):
    invited(lea, season(point), point, "hugo@example.org")
    invitation = CoHolding.objects.get(subscription__member=lea)

    assert notify_co_holding(invitation.pk, "invited") == 1
    assert notify_co_holding(invitation.pk, "invited") == 0  # a worker handed it again

    assert [message.to for message in mailoutbox] == [["hugo@example.org"]]


def test_until_accepted_the_contract_and_mes_paniers_show_only_the_typed_address_to_the_holder(
    client, point, lea, hugo
):
    subscription = invited(lea, season(point), point, "hugo@example.org")

    assert "Hugo" not in pdf_text(contract_summary_pdf(subscription))
    assert "hugo@example.org" not in pdf_text(contract_summary_pdf(subscription))
    english(client).force_login(lea)
    assert "Invitation to share sent to hugo@example.org" in text(
        client.get(reverse("baskets:mine"))
    )
    client.force_login(hugo)
    assert "Guérin" not in text(client.get(reverse("baskets:mine")))

    accept_co_holding(hugo, invited_token(lea))
    subscription.refresh_from_db()

    assert "Hugo Le Bihan" in pdf_text(contract_summary_pdf(subscription))


@pytest.mark.parametrize("who_ends", ["holder", "co_holder"])
def test_either_household_ends_the_sharing(client, point, lea, hugo, who_ends, clock):
    subscription = invited(lea, season(point), point, "hugo@example.org")
    accept_co_holding(hugo, invited_token(lea))
    generate_basket_deliveries([point.pk], DEC_1, DEC_15)
    ender = lea if who_ends == "holder" else hugo
    english(client).force_login(ender)
    url = reverse("baskets:end-sharing", kwargs={"pk": subscription.pk})

    asked = client.post(url)
    assert "End the sharing?" in text(asked)
    client.post(url, {"confirm": "1"})

    subscription.refresh_from_db()
    assert subscription.co_holder is None and subscription.sharing == Sharing.ALONE
    assert holders_on(point, DEC_8) == {"Léa Guérin"}  # no turn any more
    with pytest.raises(BasketError):
        transfer_delivery(hugo, subscription.pk, day_on(point, DEC_15).pk, "offered", "")
    client.force_login(hugo)
    assert client.get(reverse("baskets:pdf", kwargs={"pk": subscription.pk})).status_code == 404


def test_a_sharing_ended_after_a_days_deadline_keeps_that_day_shared(point, lea, hugo, clock):
    subscription = invited(lea, season(point), point, "hugo@example.org")
    accept_co_holding(hugo, invited_token(lea))
    generate_basket_deliveries([point.pk], DEC_1, DEC_15)
    clock.now = day_on(point, DEC_8).starts_at.replace(hour=10)  # DEC_8 prepared: Hugo's turn

    co_holding = end_co_holding(lea, subscription.pk)

    assert co_holding.shared_until == DEC_8
    assert holders_on(point, DEC_8) == {"Hugo Le Bihan"}
    with pytest.raises(BasketError):  # but nothing more of it is his to change
        transfer_delivery(hugo, subscription.pk, day_on(point, DEC_15).pk, "offered", "")

    refresh_subscription_states(today=DEC_15)

    subscription.refresh_from_db()
    assert subscription.co_holder is None
    assert holders_on(point, DEC_15) == {"Léa Guérin"}


def test_the_holder_withdraws_an_invitation_not_answered(point, lea):
    subscription = invited(lea, season(point), point, "nobody@example.org")
    token = invited_token(lea)

    end_co_holding(lea, subscription.pk)

    with pytest.raises(CoHoldingRefused):
        accept_co_holding(UserFactory(), token)
