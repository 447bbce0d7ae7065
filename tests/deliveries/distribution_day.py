"""A distribution day under way, as the pickup list's tests meet it: today's distribution at a
pickup point started half an hour ago, households subscribed in time for it, their handovers
prepared and volunteers on shift."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from baskets.models import Contract, Subscription
from baskets.services import subscribe
from deliveries.distribution.selectors.pickup_list import prepare_handovers
from deliveries.models import DayState, DistributionDay, PickupPoint, VolunteerShift
from tests.factories import (
    DistributionDayFactory,
    PickupPointFactory,
    ScheduleFactory,
    UserFactory,
    contract_at,
)

# Volunteers the browser tests sign in as, by their email.
BENOIT = {"email": "benoit@example.org", "first_name": "Benoît", "last_name": "Lemaire"}
CLAIRE = {"email": "claire@example.org", "first_name": "Claire", "last_name": "Riou"}


@dataclass
class DayUnderWay:
    point: PickupPoint
    day: DistributionDay
    contract: Contract
    subscriptions: list[Subscription]  # in the order the households were given
    volunteers: list[User]

    @property
    def volunteer(self) -> User:
        return self.volunteers[0]

    @property
    def pickup_list_url(self) -> str:
        return reverse("deliveries:pickup-list", kwargs={"pk": self.day.pk})

    @property
    def households(self) -> dict[str, Subscription]:
        """Each household's subscription by its member's first name."""
        return {s.member.first_name: s for s in self.subscriptions}


def day_under_way(
    clock,
    producer,
    households: Sequence[tuple[str, str]] | int,
    volunteers: Sequence[dict] = ({},),
    **point_fields,
) -> DayUnderWay:
    """Today's distribution at a point (``point_fields``; "Maison du Thabor" unless named),
    started half an hour ago and closed to changes. ``households`` (first and last names, or how
    many with made-up names) hold the producer's contract there; ``volunteers`` (each the fields
    of a user) are on shift. The clock ends where it started, to the second."""
    point = PickupPointFactory(**{"name": "Maison du Thabor", **point_fields})
    now = timezone.now().replace(microsecond=0)
    # The season's dates come from the schedule.
    ScheduleFactory(
        pickup_point=point, weekday=timezone.localdate().weekday(), valid_from=timezone.localdate()
    )
    day = DistributionDayFactory(
        pickup_point=point,
        starts_at=now - dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(minutes=90),
        cutoff_at=now - dt.timedelta(days=2),
        state=DayState.CLOSED,
    )
    contract = contract_at(point, plan__producer=producer)
    # They joined before the day's change deadline: a member joining later starts at the next day.
    clock.now = now - dt.timedelta(days=3)
    members = (
        [UserFactory() for _ in range(households)]
        if isinstance(households, int)
        else [UserFactory(first_name=first, last_name=last) for first, last in households]
    )
    subscriptions = [subscribe(member, contract, point, agreed=True) for member in members]
    clock.now = now
    prepare_handovers(day)
    on_shift = [UserFactory(**fields) for fields in volunteers]
    for volunteer in on_shift:
        VolunteerShift.objects.create(distribution_day=day, volunteer=volunteer)
    return DayUnderWay(point, day, contract, subscriptions, on_shift)
