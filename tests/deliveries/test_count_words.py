"""Counts agree with their nouns in French, where 0 and 1 are singular ("1 retiré", "0 retiré",
"2 retirés") and in English ("1 collected", "1 hour"): the pickup list's counts, as the page
shows them and as its script rewrites them, and the volunteers' deadline."""

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.utils import translation

from deliveries.distribution.errors import ShiftRefused
from deliveries.distribution.services.shifts import sign_up_for_shift
from tests.deliveries.test_shifts import NOW, days_of, subscriber_of, tuesdays_point

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]

# (count, word in English, word in French) for each count the pickup list shows.
WORDS = {
    "collected": [
        (0, "collected", "retiré"),
        (1, "collected", "retiré"),
        (2, "collected", "retirés"),
    ],
    "remaining": [
        (0, "remaining", "restant"),
        (1, "remaining", "restant"),
        (2, "remaining", "restants"),
    ],
    "pending": [
        (0, "ticks waiting to be sent", "coche en attente d'envoi"),
        (1, "tick waiting to be sent", "coche en attente d'envoi"),
        (2, "ticks waiting to be sent", "coches en attente d'envoi"),
    ],
}


def render(source: str, **context) -> str:
    with translation.override("fr"):
        return Template("{% load pickup_list_tags %}" + source).render(Context(context))


@pytest.mark.parametrize("key", WORDS)
def test_pickup_list_words_agree_with_their_count_in_french(key):
    for n, english, french in WORDS[key]:
        assert render(f'{{% count_word "{key}" n %}}', n=n).replace("&#x27;", "'") in (
            english,
            french,
        )


@pytest.mark.parametrize("key", WORDS)
def test_the_script_gets_the_word_for_zero_one_and_more(key):
    attributes = dict(
        re.findall(r'data-([\w-]+)="([^"]*)"', render(f'{{% count_forms "{key}" %}}'))
    )

    for n, english, french in WORDS[key]:
        form = {0: "zero", 1: "one"}.get(n, "other")
        assert attributes[f"{key}-{form}"].replace("&#x27;", "'") in (english, french)


@pytest.mark.parametrize(
    ("hours", "said", "never"),
    [
        (1, ("1 hour before", "1 heure avant"), ("hours", "heures")),
        (2, ("2 hours", "2 heures"), ()),
    ],
)
def test_the_volunteers_deadline_says_hour_or_hours(hours, said, never):
    point = tuesdays_point(shift_changes_close_hours=hours)
    tuesday = days_of(point)[0]

    with translation.override("fr"), pytest.raises(ShiftRefused) as refused:
        sign_up_for_shift(
            subscriber_of(point), tuesday.pk, now=tuesday.starts_at - dt.timedelta(minutes=30)
        )

    message = str(refused.value)
    assert any(words in message for words in said)
    assert not any(word in message for word in never)
