"""Public pages: finding a pickup point near you."""

from django.views.generic import TemplateView

from deliveries.forms import PickupPointFinderForm
from deliveries.selectors import nearest_pickup_points


class PickupPointFinderView(TemplateView):
    template_name = "deliveries/finder.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = PickupPointFinderForm(self.request.GET or None)
        ctx["form"] = form
        if form.is_valid():
            latitude, longitude, label = form.cleaned_data["place"]
            ctx["place_label"] = label
            ctx["results"] = nearest_pickup_points(latitude, longitude, limit=10)
        return ctx
