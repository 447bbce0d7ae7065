"""Celery entry points of solidarity: the funds' rate reviews and the contribution rounds."""

from celery import shared_task

from marketplace.core.beat import BeatTask


@shared_task(base=BeatTask, acks_late=True)
def review_funds() -> int:
    """Beat, each morning: each fund whose period is due is reviewed, in its own transaction
    (services/reviews.py). Idempotent. Returns how many funds were reviewed."""
    from marketplace.solidarity.services.reviews import review_due_funds

    return review_due_funds()


@shared_task(acks_late=True)
def announce_rate_review(review_id: int) -> int:
    """A review's new rate queued for the members it concerns (announce_rate_to_members, in
    chunks), and the coordinators alerted when the fund closed to new requests, once. Returns
    the alerts sent."""
    from marketplace.solidarity.services.announcements import announce_rate_review as announce

    return announce(review_id)


@shared_task(acks_late=True)
def tell_requests_moved_on(request_ids: list[int]) -> int:
    """Members whose waiting request moved on when their fund reopened, told once. Returns the
    emails sent."""
    from marketplace.solidarity.services.announcements import tell_requests_moved_on as tell

    return tell(request_ids)


@shared_task(acks_late=True)
def announce_rate_to_members(review_id: int, member_ids: list[int]) -> int:
    """A review's new rate told to a chunk of the members it concerns, once each. Returns the
    emails sent."""
    from marketplace.solidarity.services.announcements import announce_rate_to_members as tell

    return tell(review_id, member_ids)


@shared_task(base=BeatTask, acks_late=True)
def close_due_rounds() -> int:
    """Beat, every 15 minutes: close the contribution rounds whose deadline has passed.
    Idempotent. Returns how many it closed."""
    from marketplace.solidarity.services.rounds import close_due_rounds as close

    return close()


@shared_task(acks_late=True)
def tell_round_closed(round_id: int) -> int:
    """Email a closed round's outcome to its coordinator and households, each once."""
    from marketplace.solidarity.services.round_notices import tell_round_closed as tell

    return tell(round_id)


@shared_task(base=BeatTask, acks_late=True)
def settle_fund_deliveries() -> int:
    """Beat, each night: the fund's part of each basket delivered, written once in both
    ledgers (services/settlement.py). Idempotent. Returns how many deliveries it settled."""
    from marketplace.solidarity.services.settlement import settle_fund_deliveries as settle

    return settle()
