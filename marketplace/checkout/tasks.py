from celery import shared_task


@shared_task(acks_late=True)
def send_order_confirmation(order_id: int) -> None:
    from marketplace.checkout.services import send_order_confirmation_email

    send_order_confirmation_email(order_id)
