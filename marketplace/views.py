from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from oscar.core.loading import get_model

from marketplace.celery import app as celery_app
from marketplace.core.cache import redis_answers
from marketplace.core.workers import answering_workers
from producers.selectors import featured_producers

Category = get_model("catalogue", "Category")
WORKER_PING_SECONDS = 1.0


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def health_details(request):
    """What the site runs on, for a monitor: 200 while the database answers (the site serves and
    takes orders, if slower without Redis), 503 otherwise. Nothing personal in it."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError:
        database = "error"
    broker = settings.CELERY_BROKER_URL
    is_redis_broker = broker.startswith(("redis://", "rediss://"))
    # Each Redis is pinged once, within its short timeouts: a hung one costs half a second.
    answers = {
        url: redis_answers(url)
        for url in {settings.REDIS_URL, settings.REDIS_CACHE_URL, is_redis_broker and broker}
        if url
    }
    redis = ("ok" if all(answers.values()) else "error") if answers else "not configured"
    # Only a Redis broker carries pings (not the embedded one, on files); and one that does not
    # answer is not asked: Celery would retry for long.
    workers: int | str = "unknown"
    if is_redis_broker and answers[broker]:
        try:
            workers = answering_workers(
                broker, namespace=celery_app.conf.control_exchange, timeout=WORKER_PING_SECONDS
            )
        except Exception:  # whatever the broker raises, the answer is "unknown"
            workers = "unknown"
    return JsonResponse(
        {"database": database, "redis": redis, "workers": workers},
        status=200 if database == "ok" else 503,
    )


class HomeView(TemplateView):
    template_name = "marketplace/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["producers"] = featured_producers(limit=6)
        ctx["categories"] = Category.get_root_nodes().filter(is_public=True)
        return ctx
