"""Handing over on distribution day: volunteers tick what is collected (from several phones,
online or replayed after going offline), then close the day and say what becomes of what
nobody collected. One transaction each."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from deliveries.distribution.errors import HandoverRefused
from deliveries.distribution.models import Handover, HandoverTick, LeftoverFate
from deliveries.distribution.selectors.pickup_list import prepare_handovers
from deliveries.network.models import DayState, DistributionDay


@dataclass(frozen=True)
class Tick:
    """One tap on a phone: its own id, which line, collected or not, and when (phone time)."""

    operation: uuid.UUID
    handover_id: int
    collected: bool
    ticked_at: datetime

    @classmethod
    def parse(cls, data: dict, now) -> "Tick":
        try:
            operation = uuid.UUID(str(data["operation"]))
            handover_id = int(data["handover"])
            if not 0 < handover_id < 2**31:  # an id the database can hold
                raise ValueError(handover_id)
        # OverflowError: "handover": 1e999 reads as infinity.
        except (KeyError, TypeError, ValueError, OverflowError) as error:
            raise HandoverRefused(_("This tick could not be read.")) from error
        ticked_at = parse_datetime(str(data.get("at") or "")) or now
        if timezone.is_naive(ticked_at):
            ticked_at = timezone.make_aware(ticked_at)
        # A phone whose clock runs ahead must not win against every later tick.
        ticked_at = min(ticked_at, now)
        collected = data.get("collected") in (True, "true", "1", 1, "on")
        return cls(operation, handover_id, collected, ticked_at)


@transaction.atomic
def record_ticks(volunteer, day: DistributionDay, ticks: list[Tick], now=None) -> int:
    """Apply a phone's ticks. Each is recorded once under its id, so a retry or a replay after
    going offline changes nothing more. The handovers' rows are locked: two phones ticking the
    same basket at once record one collection, at the first tick's time, by its volunteer.
    A tick older than the last one applied to a line is kept in the log but does not undo the
    newer one. Returns how many ticks were new."""
    now = now or timezone.now()
    seen = set(
        HandoverTick.objects.filter(operation__in=[tick.operation for tick in ticks]).values_list(
            "operation", flat=True
        )
    )
    ticks = [tick for tick in ticks if tick.operation not in seen]
    if not ticks:
        return 0
    handovers = {
        handover.pk: handover
        for handover in Handover.objects.select_for_update()
        .filter(distribution_day=day, pk__in={tick.handover_id for tick in ticks})
        .order_by("pk")
    }
    # A line no longer on the list, or a tick made after the day was closed, is not applied;
    # the phone's other ticks still are, and it gets the state back.
    ticks = [
        tick
        for tick in ticks
        if tick.handover_id in handovers
        and (day.closed_at is None or tick.ticked_at <= day.closed_at)
    ]
    changed = {}
    for tick in sorted(ticks, key=lambda tick: tick.ticked_at):
        handover = handovers[tick.handover_id]
        if handover.changed_at is None or tick.ticked_at >= handover.changed_at:
            if tick.collected and handover.collected_at is None:
                handover.collected_at, handover.collected_by = tick.ticked_at, volunteer
                handover.fate, handover.fate_recipient = "", ""
            elif not tick.collected:
                handover.collected_at, handover.collected_by = None, None
            handover.changed_at = tick.ticked_at
            changed[handover.pk] = handover
    Handover.objects.bulk_update(
        changed.values(),
        ["collected_at", "collected_by", "changed_at", "fate", "fate_recipient"],
    )
    # ignore_conflicts: the same tick sent by two requests at once is kept once.
    HandoverTick.objects.bulk_create(
        [
            HandoverTick(
                operation=tick.operation,
                handover_id=tick.handover_id,
                collected=tick.collected,
                ticked_at=tick.ticked_at,
                volunteer=volunteer,
            )
            for tick in ticks
        ],
        ignore_conflicts=True,
    )
    return len(ticks)


@transaction.atomic
def close_distribution(
    volunteer, day_id: int, fates: dict[int, tuple[str, str]], now=None
) -> DistributionDay:
    """The day is over: each line nobody collected gets a fate (kept for the member unless said
    otherwise; given to a named person; given to the food-aid partner), recorded for the
    member's history and the producer's counts. Closing a day twice changes nothing."""
    now = now or timezone.now()
    day = DistributionDay.objects.select_for_update().select_related("pickup_point").get(pk=day_id)
    if day.closed_at is not None:
        return day
    check_can_close(day, now)
    prepare_handovers(day)  # a line nobody opened the list for still gets its fate
    left = list(Handover.objects.filter(distribution_day=day, collected_at__isnull=True))
    for handover in left:
        fate, recipient = fates.get(handover.pk, (LeftoverFate.KEPT, ""))
        handover.fate, handover.fate_recipient = checked_fate(day, fate, recipient)
    Handover.objects.bulk_update(left, ["fate", "fate_recipient"])
    day.state = DayState.DONE
    day.closed_at, day.closed_by = now, volunteer
    day.save(update_fields=["state", "closed_at", "closed_by"])
    return day


def check_can_close(day: DistributionDay, now) -> None:
    """Whether the day can be closed now, asked again when the volunteer confirms."""
    if day.state == DayState.CANCELLED:
        raise HandoverRefused(_("This distribution was cancelled."))
    if now < day.starts_at:
        raise HandoverRefused(_("This distribution has not started yet."))


def checked_fate(day: DistributionDay, fate: str, recipient: str) -> tuple[str, str]:
    """The fate chosen for a line nobody collected, and the name of whom it was given to."""
    recipient = (recipient or "").strip()
    if fate not in LeftoverFate.values:
        raise HandoverRefused(_("Choose what becomes of each basket left."))
    if fate == LeftoverFate.GIVEN and not recipient:
        raise HandoverRefused(_("Give the name of the person who took a basket left."))
    if fate == LeftoverFate.FOOD_AID and not day.pickup_point.food_aid_partner:
        raise HandoverRefused(_("This pickup point has no food-aid partner."))
    return fate, recipient if fate == LeftoverFate.GIVEN else ""
