from celery import shared_task


@shared_task(acks_late=True)
def materialise_calendar(pickup_point_ids: list[int] | None = None) -> int:
    """Keep the distribution calendar 8 weeks ahead (beat, daily; and after a schedule or a
    closure changes). Returns how many days were created or changed."""
    from deliveries.services import materialise_distribution_days

    changes = materialise_distribution_days(pickup_point_ids=pickup_point_ids)
    return changes.created + len(changes.changed)


@shared_task(acks_late=True)
def close_distribution_days() -> int:
    """Close the days whose order cut-off has passed (beat, every few minutes)."""
    from deliveries.services import close_days_past_cutoff

    return len(close_days_past_cutoff())
