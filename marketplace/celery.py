import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import after_setup_logger, after_setup_task_logger

from marketplace.core.log_redaction import redact_handlers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

app = Celery("marketplace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The deliveries app keeps its tasks on its two floors (DESIGN.md's house plan).
app.autodiscover_tasks(["deliveries.network", "deliveries.distribution"])


# The worker logs through handlers of its own (it takes over the root logger): they get the
# filter that keeps personal data and task arguments out of the log.
@after_setup_logger.connect
@after_setup_task_logger.connect
def redact_worker_logs(logger, **kwargs):
    redact_handlers(logger)


# The weekly cycle (DESIGN.md): each entry is idempotent, so a missed or doubled run is harmless;
# a second beat's copy of a tick does nothing (marketplace/core/beat.py).
app.conf.beat_schedule = {
    "relay-outbox": {
        # Tasks the broker could not take when their transaction committed (core/outbox.py).
        "task": "marketplace.core.tasks.relay_outbox",
        "schedule": crontab(),
    },
    "materialise-calendar": {
        "task": "deliveries.network.tasks.materialise_calendar",
        "schedule": crontab(hour=3, minute=15),
    },
    "generate-basket-deliveries": {
        "task": "baskets.tasks.generate_basket_deliveries",
        "schedule": crontab(hour=3, minute=45),  # after the calendar
    },
    "adjust-dues": {
        # Subscriptions pay for the deliveries their season has (a day cancelled, an early end).
        "task": "marketplace.payments.tasks.adjust_dues",
        "schedule": crontab(hour=4, minute=5),
    },
    "settle-solidarity-funds": {
        # The fund's part of each basket delivered, in both ledgers: before the review reads
        # the balance (solidarity/services/settlement.py).
        "task": "marketplace.solidarity.tasks.settle_fund_deliveries",
        "schedule": crontab(hour=4, minute=25),
    },
    "review-solidarity-funds": {
        # Each fund's reduced rate for its next period, announced before it applies (after the
        # deliveries are made and the dues adjusted: solidarity/services/reviews.py).
        "task": "marketplace.solidarity.tasks.review_funds",
        "schedule": crontab(hour=4, minute=35),
    },
    "charge-due-instalments": {
        # Instalments paid by card or SEPA debit, charged off-session (after the dues are
        # adjusted); declines retried after 1, 3 and 7 days (payments/services/charges.py).
        "task": "marketplace.payments.tasks.charge_due_instalments",
        "schedule": crontab(hour=6, minute=0),
    },
    "resume-pending-charges": {
        # Charges a stopped run or a Stripe outage left pending, sent again with their key.
        "task": "marketplace.payments.tasks.resume_pending_charges",
        "schedule": crontab(minute=40),
    },
    "resume-pending-refunds": {
        # Refunds of money paid online a stopped run or a Stripe outage left pending, sent
        # again with their key (payments/services/online_refunds.py).
        "task": "marketplace.payments.tasks.resume_pending_refunds",
        "schedule": crontab(minute=50),
    },
    "resume-order-payments": {
        # Order payments by card not taken or refunded during an outage; authorisations of
        # orders never placed let go (payments/services/order_payments.py).
        "task": "marketplace.payments.tasks.resume_order_payments",
        "schedule": crontab(minute=25),
    },
    "offer-free-places": {
        "task": "baskets.tasks.offer_free_places",
        "schedule": crontab(minute="*/15"),
    },
    "close-contribution-rounds": {
        # Rounds whose deadline passed: covered or short, everyone told once.
        "task": "marketplace.solidarity.tasks.close_due_rounds",
        "schedule": crontab(minute="*/15"),
    },
    "close-distribution-days": {
        "task": "deliveries.distribution.tasks.close_distribution_days",
        "schedule": crontab(minute="*/5"),
    },
    "alert-unstaffed-days": {
        "task": "deliveries.distribution.tasks.alert_unstaffed_days",
        "schedule": crontab(minute=10),
    },
    "remind-volunteers": {
        "task": "deliveries.distribution.tasks.remind_volunteers",
        "schedule": crontab(minute=20),
    },
    "send-sign-off-sheets": {
        "task": "deliveries.distribution.tasks.send_sign_off_sheets",
        "schedule": crontab(minute=30),
    },
}
