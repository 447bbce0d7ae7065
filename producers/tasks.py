from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def build_packing_lists(day_ids: list[int]) -> int:
    """Build and email the packing lists of days whose orders just closed (idempotent).
    Returns how many lists were emailed."""
    from producers.packing import build_packing_lists as build

    return sum(len(build(day_id)) for day_id in day_ids)
