"""Members change their mind before the deadline: a skip, a pause, a basket offered or taken
is undone in one click on "Mes paniers", refused with a clear message after it. A basket taken
is on the taker's page and in their email; history says what really became of a basket."""

import datetime as dt

import pytest
from django.urls import reverse

from baskets.errors import AbsenceRefused, TransferRefused
from baskets.models import Absence, BasketDelivery, BasketTransfer
from baskets.selectors import (
    member_subscriptions,
    offered_baskets_for,
    past_deliveries,
    pickup_list_baskets,
    taken_baskets_for,
)
from baskets.services import (
    cancel_pause,
    cancel_skip,
    claim_basket,
    generate_basket_deliveries,
    pause_subscription,
    release_basket,
    skip_delivery,
    subscribe,
    take_back,
    transfer_delivery,
)
from deliveries.distribution.selectors.pickup_list import pickup_list
from deliveries.distribution.services.handovers import close_distribution
from deliveries.models import DistributionDay
from deliveries.network.services import materialise_distribution_days
from tests.baskets.calendar import (
    DEC_1,
    DEC_8,
    DEC_15,
    DEC_22,
    PARIS_NOW,
    SIGN_UP_DAY,
    season,
    tuesdays,
)
from tests.clock import PARIS
from tests.factories import PickupPointFactory, ScheduleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

PARTNER = "Banque alimentaire d'Ille-et-Vilaine"
# 8 December's distribution starts at 18:00; changes close 48 hours before.
DEC_8_DEADLINE = dt.datetime(2026, 12, 6, 18, 0, tzinfo=PARIS)


@pytest.fixture
def point(db):
    return tuesdays(PickupPointFactory(name="Thabor", food_aid_partner=PARTNER))


@pytest.fixture
def contract(point, producer):
    return season(point, plan__producer=producer, plan__name="Petit panier", capacity=50)


def member_of(contract, point, first="Léa", last="Guérin"):
    member = UserFactory(first_name=first, last_name=last)
    subscription = subscribe(member, contract, point, agreed=True, today=SIGN_UP_DAY)
    generate_basket_deliveries([point.pk], DEC_1, DEC_22)
    return subscription


def day_on(point, date):
    return DistributionDay.objects.get(pickup_point=point, date=date)


def status_on(subscription, date):
    return BasketDelivery.objects.get(subscription=subscription, distribution_day__date=date).status


def absences_left(subscription):
    (entry,) = member_subscriptions(subscription.member)
    return entry.absences_left


# Skips and pauses


def test_a_skip_is_undone_before_the_deadline_and_its_absence_given_back(client, point, contract):
    subscription = member_of(contract, point)
    skip_delivery(subscription.member, subscription.pk, day_on(point, DEC_8).pk)
    assert (status_on(subscription, DEC_8), absences_left(subscription)) == ("skipped", 3)

    client.force_login(subscription.member)
    response = client.post(
        reverse(
            "baskets:cancel-skip", kwargs={"pk": subscription.pk, "day_id": day_on(point, DEC_8).pk}
        ),
        follow=True,
    )

    assert "Vous retirez finalement votre panier du mardi 8 décembre." in response.content.decode()
    assert (status_on(subscription, DEC_8), absences_left(subscription)) == ("to_collect", 4)
    assert not Absence.objects.filter(subscription=subscription).exists()
    assert "Léa Guérin" in {row.holder for row in pickup_list_baskets(day_on(point, DEC_8))}


def test_a_skip_stays_once_the_deadline_has_passed(client, clock, point, contract):
    subscription = member_of(contract, point)
    skip_delivery(subscription.member, subscription.pk, day_on(point, DEC_8).pk)
    clock.now = DEC_8_DEADLINE

    with pytest.raises(AbsenceRefused, match="48"):
        cancel_skip(subscription.member, subscription.pk, day_on(point, DEC_8).pk)

    client.force_login(subscription.member)
    page = client.get(reverse("baskets:mine")).content.decode()
    assert "Collect it after all" not in page and "Je le retire finalement" not in page
    assert status_on(subscription, DEC_8) == "skipped"


def test_a_pause_is_called_off_and_every_absence_given_back(client, point, contract):
    subscription = member_of(contract, point)
    pause = pause_subscription(subscription.member, subscription.pk, DEC_8, DEC_22)
    assert absences_left(subscription) == 1

    client.force_login(subscription.member)
    page = client.get(reverse("baskets:mine")).content.decode()
    assert (
        reverse("baskets:cancel-pause", kwargs={"pk": subscription.pk, "absence_id": pause.pk})
        in page
    )
    client.post(
        reverse("baskets:cancel-pause", kwargs={"pk": subscription.pk, "absence_id": pause.pk})
    )

    assert [status_on(subscription, day) for day in (DEC_8, DEC_15, DEC_22)] == ["to_collect"] * 3
    assert absences_left(subscription) == 4


def test_a_pause_called_off_late_keeps_the_deliveries_already_settled(clock, point, contract):
    subscription = member_of(contract, point)
    pause = pause_subscription(subscription.member, subscription.pk, DEC_8, DEC_22)
    clock.now = DEC_8_DEADLINE + dt.timedelta(hours=1)

    shortened = cancel_pause(subscription.member, subscription.pk, pause.pk)

    assert (shortened.starts_on, shortened.ends_on) == (DEC_8, DEC_8)
    assert [status_on(subscription, day) for day in (DEC_8, DEC_15, DEC_22)] == [
        "skipped",
        "to_collect",
        "to_collect",
    ]
    assert absences_left(subscription) == 3


def test_a_pause_wholly_past_its_deadline_cannot_be_called_off(clock, point, contract):
    subscription = member_of(contract, point)
    pause = pause_subscription(subscription.member, subscription.pk, DEC_8, DEC_8)
    clock.now = DEC_8_DEADLINE

    with pytest.raises(AbsenceRefused, match="Too late|Trop tard"):
        cancel_pause(subscription.member, subscription.pk, pause.pk)
    assert Absence.objects.filter(pk=pause.pk).exists()


def test_one_day_of_a_pause_is_collected_after_all(point, contract):
    subscription = member_of(contract, point)
    pause_subscription(subscription.member, subscription.pk, DEC_8, DEC_22)

    cancel_skip(subscription.member, subscription.pk, day_on(point, DEC_15).pk)

    assert sorted(
        Absence.objects.filter(subscription=subscription).values_list("starts_on", "ends_on")
    ) == [(DEC_8, DEC_8 + dt.timedelta(days=6)), (DEC_15 + dt.timedelta(days=1), DEC_22)]
    assert [status_on(subscription, day) for day in (DEC_8, DEC_15, DEC_22)] == [
        "skipped",
        "to_collect",
        "skipped",
    ]


# Baskets offered and taken


def test_the_holder_takes_back_a_basket_nobody_took(client, point, contract):
    subscription = member_of(contract, point)
    transfer_delivery(subscription.member, subscription.pk, day_on(point, DEC_8).pk, "offered")
    neighbour = member_of(contract, point, "Hugo", "Le Bihan").member
    assert len(offered_baskets_for(neighbour)) == 1

    client.force_login(subscription.member)
    client.post(
        reverse(
            "baskets:take-back", kwargs={"pk": subscription.pk, "day_id": day_on(point, DEC_8).pk}
        )
    )

    assert status_on(subscription, DEC_8) == "to_collect"
    assert not BasketTransfer.objects.exists() and not Absence.objects.exists()
    assert offered_baskets_for(neighbour) == []
    assert absences_left(subscription) == 4


def test_a_basket_already_taken_cannot_be_taken_back(point, contract):
    subscription = member_of(contract, point)
    transfer = transfer_delivery(
        subscription.member, subscription.pk, day_on(point, DEC_8).pk, "offered"
    )
    claim_basket(member_of(contract, point, "Hugo", "Le Bihan").member, transfer.pk)

    with pytest.raises(TransferRefused, match="Hugo Le Bihan"):
        take_back(subscription.member, subscription.pk, day_on(point, DEC_8).pk)
    assert status_on(subscription, DEC_8) == "transferred"


def test_the_taker_finds_the_basket_on_their_page_and_in_an_email(
    client, point, contract, mailoutbox, django_capture_on_commit_callbacks
):
    subscription = member_of(contract, point)
    transfer = transfer_delivery(
        subscription.member, subscription.pk, day_on(point, DEC_8).pk, "offered"
    )
    hugo = member_of(contract, point, "Hugo", "Le Bihan").member
    client.force_login(hugo)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("baskets:claim", kwargs={"pk": transfer.pk}), follow=True)

    page = response.content.decode()
    taken = page[page.index('id="taken"') :]
    for fact in (
        "Petit panier",
        "Léa Guérin",
        "mardi 8 décembre",
        "18:00",
        "Thabor",
        point.address,
    ):
        assert fact in taken
    to_taker, to_holder = mailoutbox
    assert to_taker.to == [hugo.email] and to_holder.to == [subscription.member.email]
    for fact in ("Petit panier", "Léa Guérin", "mardi 8 décembre 2026", "18:00", "Thabor"):
        assert fact in to_taker.body
    assert "dimanche 6 décembre, 18:00" in to_taker.body  # until when to release it
    assert "Hugo Le Bihan" in to_holder.body


def test_the_taker_releases_the_basket_before_the_deadline_and_it_is_offered_again(
    clock, client, point, contract
):
    subscription = member_of(contract, point)
    transfer = transfer_delivery(
        subscription.member, subscription.pk, day_on(point, DEC_8).pk, "offered"
    )
    hugo = member_of(contract, point, "Hugo", "Le Bihan").member
    other = member_of(contract, point, "Inès", "Morvan").member
    claim_basket(hugo, transfer.pk)
    client.force_login(hugo)

    client.post(reverse("baskets:release", kwargs={"pk": transfer.pk}))

    assert taken_baskets_for(hugo) == []
    assert [item.transfer.pk for item in offered_baskets_for(other)] == [transfer.pk]
    rows = pickup_list_baskets(day_on(point, DEC_8))
    assert "Léa Guérin" not in {row.collector for row in rows}

    claim_basket(other, transfer.pk)
    clock.now = DEC_8_DEADLINE
    response = client.post(reverse("baskets:release", kwargs={"pk": transfer.pk}), follow=True)
    assert "Vous n’avez pas pris ce panier." in response.content.decode() or (
        "You have not taken this basket." in response.content.decode()
    )
    with pytest.raises(TransferRefused, match="48"):
        release_basket(other, transfer.pk)


# History


def test_history_tells_a_basket_given_to_someone_who_never_came(clock, point, contract, producer):
    subscription = member_of(contract, point)
    transfer_delivery(
        subscription.member, subscription.pk, day_on(point, DEC_8).pk, "named", "Zoé Voisin"
    )
    day = day_on(point, DEC_8)
    (line,) = pickup_list(day, add_missing=True).lines
    clock.now = day.ends_at + dt.timedelta(minutes=5)
    volunteer = UserFactory()
    close_distribution(volunteer, day.pk, {line.handover.pk: ("food_aid", "")})

    (past,) = [
        item
        for item in past_deliveries(subscription.member)
        if item.delivery.distribution_day_id == day.pk
    ]

    assert "Zoé Voisin" in past.outcome
    assert "Collected" not in past.outcome and "Retiré par" not in past.outcome
    assert PARTNER in past.outcome


# Deadlines on the Paris wall clock


@pytest.mark.parametrize(
    "now, tuesday",
    [
        # Autumn: the clocks go back on Sunday 25 October 2026.
        pytest.param("2026-10-20 10:00", dt.date(2026, 10, 27), id="autumn"),
        # Spring: the clocks go forward on Sunday 28 March 2027.
        pytest.param("2027-03-23 10:00", dt.date(2027, 3, 30), id="spring"),
    ],
)
def test_changes_close_with_orders_on_the_paris_wall_clock_across_dst(clock, now, tuesday):
    clock.now = dt.datetime.fromisoformat(now).replace(tzinfo=PARIS)
    point = PickupPointFactory()
    ScheduleFactory(pickup_point=point, cutoff_hours=72)
    materialise_distribution_days(pickup_point_ids=[point.pk])
    contract = season(
        point,
        starts_on=tuesday,
        ends_on=tuesday + dt.timedelta(weeks=4),
        signup_opens_on=tuesday - dt.timedelta(weeks=4),
        signup_closes_on=tuesday,
        absence_deadline_hours=72,
    )
    member = UserFactory()
    subscription = subscribe(member, contract, point, agreed=True)
    day = day_on(point, tuesday)
    saturday_18h = dt.datetime.combine(tuesday - dt.timedelta(days=3), dt.time(18), PARIS)
    assert day.cutoff_at == saturday_18h

    clock.now = saturday_18h - dt.timedelta(minutes=1)
    skip_delivery(member, subscription.pk, day.pk)
    clock.now = saturday_18h
    with pytest.raises(AbsenceRefused, match="72"):
        cancel_skip(member, subscription.pk, day.pk)
