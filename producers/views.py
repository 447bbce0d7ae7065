"""Public pages: the producers directory and a producer's page, their main part cached."""

from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from deliveries.network.chosen_day import chosen_day_id
from deliveries.network.geocoding import locate_town
from marketplace.core.catalogue_cache import cached_html
from marketplace.core.page_cache import AnonymousPageCacheMixin
from marketplace.search.selectors import catalogue_products
from marketplace.search.views import render_product_grid
from producers.forms import DirectoryForm
from producers.models import Producer
from producers.selectors import producer_directory

DIRECTORY_FIELDS = ("near", "q", "label", "category")


class DirectoryView(AnonymousPageCacheMixin, TemplateView):
    template_name = "producers/directory.html"
    page_parameters = DIRECTORY_FIELDS

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = {name: self.request.GET.get(name, "")[:100] for name in DIRECTORY_FIELDS}
        ctx["directory_html"] = cached_html(
            self.request, ["directory", *params.values()], lambda: self.render_main(params)
        )
        return ctx

    def render_main(self, params: dict) -> str:
        form = DirectoryForm({k: v for k, v in params.items() if v} or None)
        near_place, filters = None, {}
        if form.is_valid():
            data = form.cleaned_data
            filters = {"query": data["q"], "label": data["label"], "category": data["category"]}
            if data["near"].strip():
                near_place = locate_town(data["near"])
                if near_place is None:
                    form.add_error(
                        "near",
                        _(
                            "We do not know the town or postcode “%(query)s”. "
                            "Check the spelling, or try a 5-digit postcode."
                        )
                        % {"query": data["near"]},
                    )
        near = (near_place.latitude, near_place.longitude) if near_place else None
        return render_to_string(
            "producers/partials/directory_main.html",
            {
                "form": form,
                "near_place": near_place,
                "entries": producer_directory(near=near, **filters),
            },
        )


class ProducerDetailView(AnonymousPageCacheMixin, TemplateView):
    template_name = "producers/detail.html"
    page_parameters = ("page",)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        producer = get_object_or_404(Producer, slug=kwargs["slug"], is_active=True)
        page_number = self.request.GET.get("page", "1")[:6]
        day_id = chosen_day_id(self.request)
        ctx["producer"] = producer
        ctx["producer_html"] = cached_html(
            self.request,
            ["producer", producer.pk, page_number, day_id],
            lambda: self.render_main(producer.pk, page_number, day_id),
        )
        return ctx

    def render_main(self, pk: int, page_number: str, day_id) -> str:
        producer = Producer.objects.prefetch_related("labels").get(pk=pk)
        grid = render_product_grid(
            catalogue_products(producer=producer),
            request=self.request,
            page_number=page_number,
            day_id=day_id,
            extra={"hide_producer": True, "heading": "h3"},
        )
        return render_to_string(
            "producers/partials/producer_main.html", {"producer": producer, "product_grid": grid}
        )
