"""Counts agree with their nouns in French, where 0 and 1 are singular, and in English: the
absences a contract allows and the hours before a distribution, in messages and on the
contract's page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from baskets.errors import AbsenceRefused
from baskets.services import skip_delivery, subscribe
from deliveries.models import DistributionDay
from tests.baskets.calendar import DEC_1, DEC_8, DEC_15, PARIS_NOW, SIGN_UP_DAY, season
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]


def member_of(contract, point):
    return subscribe(UserFactory(), contract, point, agreed=True, today=SIGN_UP_DAY)


def day_on(point, date):
    return DistributionDay.objects.get(pickup_point=point, date=date)


def refusal(call) -> str:
    with translation.override("fr"), pytest.raises(AbsenceRefused) as refused:
        call()
    return str(refused.value)


@pytest.mark.parametrize(
    ("allowance", "said", "never"),
    [
        (1, ("the 1 absence this", "1 absence,"), ("absences",)),
        (2, ("the 2 absences this", "2 absences,"), ()),
    ],
)
def test_a_member_past_the_allowance_is_told_it_in_agreement(point, allowance, said, never):
    subscription = member_of(season(point, absence_allowance=allowance), point)
    member = subscription.member
    for date in (DEC_1, DEC_8)[:allowance]:
        skip_delivery(member, subscription.pk, day_on(point, date).pk, now=PARIS_NOW)

    message = refusal(
        lambda: skip_delivery(member, subscription.pk, day_on(point, DEC_15).pk, now=PARIS_NOW)
    )

    assert any(words in message for words in said)
    assert not any(word in message for word in never)


def test_a_contract_without_absences_says_so(point):
    subscription = member_of(season(point, absence_allowance=0), point)

    message = refusal(
        lambda: skip_delivery(
            subscription.member, subscription.pk, day_on(point, DEC_8).pk, now=PARIS_NOW
        )
    )

    assert message in (
        "This contract allows no skipped delivery.",
        "Ce contrat ne permet aucune absence.",
    )


@pytest.mark.parametrize(
    ("hours", "said", "never"),
    [
        (1, ("1 hour before", "1 heure avant"), ("hours", "heures")),
        (2, ("2 hours", "2 heures"), ()),
    ],
)
def test_the_change_deadline_says_hour_or_hours(point, hours, said, never):
    subscription = member_of(season(point, absence_deadline_hours=hours), point)
    day = day_on(point, DEC_1)

    message = refusal(
        lambda: skip_delivery(
            subscription.member,
            subscription.pk,
            day.pk,
            now=day.starts_at - dt.timedelta(minutes=30),
        )
    )

    assert any(words in message for words in said)
    assert not any(word in message for word in never)


@pytest.mark.parametrize(
    ("allowance", "hours", "said"),
    [
        (1, 1, (("skip 1 delivery", "à 1 distribution"), ("1 hour before", "1 heure avant"))),
        (2, 2, (("up to 2 deliveries", "2 distributions"), ("2 hours before", "2 heures avant"))),
    ],
)
def test_the_contract_page_counts_absences_and_hours_in_agreement(
    client, point, allowance, hours, said
):
    contract = season(point, absence_allowance=allowance, absence_deadline_hours=hours)

    page = client.get(
        reverse("baskets:contract", kwargs={"pk": contract.pk}), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()

    for either in said:
        assert any(words in page for words in either)
    if allowance == 1:
        assert "1 deliveries" not in page and "1 distributions" not in page
        assert "1 hours" not in page and "1 heures" not in page
