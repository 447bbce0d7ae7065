from django.db import connection
from django.http import HttpResponse
from django.views.generic import TemplateView
from oscar.core.loading import get_model

from producers.selectors import featured_producers

Category = get_model("catalogue", "Category")


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


class HomeView(TemplateView):
    template_name = "marketplace/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["producers"] = featured_producers(limit=6)
        ctx["categories"] = Category.get_root_nodes().filter(is_public=True)
        return ctx
