from celery import group, shared_task


@shared_task(acks_late=True)
def generate_basket_deliveries() -> int:
    """Beat, daily: one chunk per pickup point, shared by the workers. Returns the chunks sent."""
    from baskets.services import pickup_points_to_generate

    point_ids = pickup_points_to_generate()
    group(generate_point_deliveries.s(point_id) for point_id in point_ids).delay()
    return len(point_ids)


@shared_task(acks_late=True)
def generate_point_deliveries(pickup_point_id: int) -> int:
    """The basket deliveries of one pickup point's coming distribution days (idempotent)."""
    from datetime import timedelta

    from django.utils import timezone

    from baskets.services import GENERATION_WEEKS
    from baskets.services import generate_basket_deliveries as generate

    today = timezone.localdate()
    return generate(pickup_point_id, today, today + timedelta(weeks=GENERATION_WEEKS))
