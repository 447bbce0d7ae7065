"""Public pages: the producers directory and a producer's page."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from deliveries.geocoding import locate_town
from marketplace.search.selectors import catalogue_products
from marketplace.search.views import render_product_grid
from producers.forms import DirectoryForm
from producers.models import Producer
from producers.selectors import producer_directory


class DirectoryView(TemplateView):
    template_name = "producers/directory.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = DirectoryForm(self.request.GET or None)
        near_place, filters = None, {}
        if form.is_valid():
            data = form.cleaned_data
            filters = {
                "query": data["q"],
                "label": data["label"],
                "category": data["category"],
            }
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
        ctx.update(
            form=form,
            near_place=near_place,
            entries=producer_directory(near=near, **filters),
        )
        return ctx


class ProducerDetailView(TemplateView):
    template_name = "producers/detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        producer = get_object_or_404(
            Producer.objects.prefetch_related("labels", "categories"),
            slug=kwargs["slug"],
            is_active=True,
        )
        products = catalogue_products(producer=producer)
        ctx.update(
            producer=producer,
            product_grid=render_product_grid(
                self.request,
                products,
                page_number=self.request.GET.get("page", 1),
                cache_parts=["producer", producer.pk],
                extra={"hide_producer": True, "heading": "h3"},
            ),
        )
        return ctx
