"""Work queued after a commit goes through the outbox: a broker that is down never fails the
member's request, and the sweep hands the work over once it is back. Emails go out at most once,
even when a worker died while sending them."""

import datetime as dt
import logging

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.celery import app as celery_app
from marketplace.core.models import OutboxTask, SentMessage
from marketplace.core.tasks import relay_outbox
from marketplace.shop_setup import ensure_shop_basics
from tests.brokers import unused_port, use_broker
from tests.factories import DistributionDayFactory, ProducerFactory, product_for
from tests.ordering import choose_and_order, fill_cart

Order = get_model("order", "Order")
pytestmark = pytest.mark.django_db


@pytest.fixture
def day(db):
    ensure_shop_basics()
    return DistributionDayFactory(date=dt.date(2026, 11, 26))


@pytest.fixture
def broker_down(settings):
    """Celery publishes for real, to a port where nothing listens."""
    celery_app.conf.task_always_eager = False
    use_broker(f"redis://127.0.0.1:{unused_port()}/0")
    yield
    use_broker(settings.CELERY_BROKER_URL)
    celery_app.conf.task_always_eager = True


def test_an_order_placed_while_the_broker_is_down_is_confirmed_once_it_is_back(
    client, member, day, broker_down, django_capture_on_commit_callbacks, mailoutbox
):
    producer = ProducerFactory()
    client.force_login(member)
    fill_cart(client, product_for(producer, title="Carottes"), 2)
    with django_capture_on_commit_callbacks(execute=True):
        page = choose_and_order(client, day)
    fill_cart(client, product_for(producer, title="Poireaux"), 1)
    with django_capture_on_commit_callbacks(execute=True):
        again = choose_and_order(client, day)  # the basket was not left stuck

    for response in (page, again):
        assert response.request["PATH_INFO"] == reverse("checkout:thank-you")
    assert Order.objects.count() == 2
    assert OutboxTask.objects.filter(sent_at=None).count() == 2
    assert not mailoutbox

    celery_app.conf.task_always_eager = True  # the broker is back, and a worker with it
    assert relay_outbox() == 2
    assert relay_outbox() == 0

    assert len(mailoutbox) == 2
    assert all(message.to == [member.email] for message in mailoutbox)


def test_a_confirmation_a_worker_died_sending_is_not_sent_again_and_the_log_says_so(
    client, member, day, django_capture_on_commit_callbacks, mailoutbox, caplog
):
    from marketplace.checkout.services import send_order_confirmation_email

    client.force_login(member)
    fill_cart(client, product_for(ProducerFactory(), title="Carottes"), 1)
    with django_capture_on_commit_callbacks(execute=True):
        choose_and_order(client, day)
    order = Order.objects.get()
    sent = len(mailoutbox)
    # What a worker killed while sending leaves behind: "sending", never "sent".
    order.communication_events.all().delete()
    SentMessage.objects.filter(key=f"order-confirmation:{order.pk}").update(sent_at=None)

    with caplog.at_level(logging.WARNING):
        send_order_confirmation_email(order.pk)

    assert sent == 1 and len(mailoutbox) == 1
    assert f"order-confirmation:{order.pk} may not have been sent" in caplog.text


def test_a_confirmation_the_mail_server_refused_is_sent_by_the_next_run(
    client, member, day, settings, mailoutbox
):
    from marketplace.checkout.services import send_order_confirmation_email

    client.force_login(member)
    fill_cart(client, product_for(ProducerFactory(), title="Carottes"), 1)
    choose_and_order(client, day)  # its email is queued after the commit, never here
    order = Order.objects.get()
    settings.EMAIL_BACKEND = "tests.marketplace.test_outbox.RefusingBackend"

    with pytest.raises(ConnectionRefusedError):
        send_order_confirmation_email(order.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_order_confirmation_email(order.pk)
    send_order_confirmation_email(order.pk)

    assert len(mailoutbox) == 1


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")
