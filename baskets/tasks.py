from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from marketplace.core.beat import BeatTask
from marketplace.core.tasks import queue


@shared_task(base=BeatTask, acks_late=True)
def generate_basket_deliveries() -> int:
    """Beat, daily: subscriptions follow the calendar (paused, ended), then the pickup points'
    coming deliveries are made in chunks shared by the workers. Returns the chunks sent."""
    from baskets.services import generation_chunks, refresh_subscription_states

    refresh_subscription_states()
    chunks = generation_chunks()
    for chunk in chunks:
        queue("baskets.tasks.generate_chunk_deliveries", chunk)
    return len(chunks)


@shared_task(acks_late=True)
def generate_chunk_deliveries(pickup_point_ids: list[int]) -> int:
    """The basket deliveries of some pickup points' coming distribution days (idempotent)."""
    from baskets.services import GENERATION_WEEKS
    from baskets.services import generate_basket_deliveries as generate

    today = timezone.localdate()
    return generate(pickup_point_ids, today, today + timedelta(weeks=GENERATION_WEEKS))


@shared_task(base=BeatTask, acks_late=True)
def offer_free_places(place_ids: list[int] | None = None) -> int:
    """Beat, every 15 minutes, and at once when someone leaves: lapsed offers end, free places
    go to the next people waiting, who are emailed. Pending offers hold their places, so a
    second run offers and sends nothing. Returns the places offered."""
    from baskets.services import offer_free_place
    from baskets.services.notifications import notify_waiting_list
    from baskets.services.subscriptions import places_with_waiting_lists

    offered = 0
    for place_id in place_ids if place_ids is not None else places_with_waiting_lists():
        newly_offered, lapsed = offer_free_place(place_id)
        notify_waiting_list(newly_offered, lapsed)
        offered += len(newly_offered)
    return offered


@shared_task(acks_late=True)
def notify_basket_taken(transfer_id: int) -> int:
    """Email the member who took an offered basket what, where, when and for whom, and tell its
    holders who takes it. Returns the emails sent (none if the basket was released since)."""
    from baskets.services.notifications import notify_basket_taken as notify

    return notify(transfer_id)


@shared_task(acks_late=True)
def notify_ending(subscription_id: int, claims: list[list[int]], tell_member: bool) -> int:
    """After a commitment ends: its member (when a coordinator ended it) and those who had
    taken one of its baskets dropped are emailed, once. Returns the emails sent."""
    from baskets.services.endings import tell_those_concerned_by_ending

    return tell_those_concerned_by_ending(subscription_id, claims, tell_member)


@shared_task(acks_late=True)
def notify_co_holding(co_holding_id: int, event: str) -> int:
    """An invitation to share a basket, its answer, or the sharing ended: the household
    concerned is emailed. Returns the emails sent."""
    from baskets.services.notifications import notify_co_holding as notify

    return notify(co_holding_id, event)


@shared_task(acks_late=True)
def notify_baskets_not_brought(record_id: int) -> int:
    """A producer could not bring a contract's baskets: their holders, and the members who took
    one, are emailed, each once. Returns the emails sent."""
    from baskets.services.not_brought import notify_baskets_not_brought as notify

    return notify(record_id)
