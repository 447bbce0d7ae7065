from celery import group, shared_task


@shared_task(acks_late=True)
def generate_basket_deliveries() -> int:
    """Beat, daily: the pickup points in chunks, shared by the workers. Returns the chunks sent."""
    from baskets.services import generation_chunks

    chunks = generation_chunks()
    group(generate_chunk_deliveries.s(chunk) for chunk in chunks).delay()
    return len(chunks)


@shared_task(acks_late=True)
def generate_chunk_deliveries(pickup_point_ids: list[int]) -> int:
    """The basket deliveries of some pickup points' coming distribution days (idempotent)."""
    from datetime import timedelta

    from django.utils import timezone

    from baskets.services import GENERATION_WEEKS
    from baskets.services import generate_basket_deliveries as generate

    today = timezone.localdate()
    return generate(pickup_point_ids, today, today + timedelta(weeks=GENERATION_WEEKS))
