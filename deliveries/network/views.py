"""Public pages: finding a pickup point near you."""

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View
from oscar.core.loading import get_model

from deliveries.network import finder_cache
from deliveries.network.chosen_day import open_day, remember_day
from deliveries.network.forms import PickupPointFinderForm
from deliveries.network.selectors import nearest_pickup_points
from marketplace.core.catalogue_cache import CSRF_PLACEHOLDER
from marketplace.core.client_address import client_address
from marketplace.core.page_cache import AnonymousPageCacheMixin

Order = get_model("order", "Order")
FINDER_FIELDS = ("q", "lat", "lon")


class PickupPointFinderView(AnonymousPageCacheMixin, TemplateView):
    """The form and the results are rendered once per search (``finder_cache``); a first-time
    visitor, and a member their own copy, gets the whole page from the cache (``page_cache``)."""

    template_name = "deliveries/finder.html"
    page_parameters = FINDER_FIELDS
    page_versions = (finder_cache.VERSION_KEY,)
    part: finder_cache.RenderedPart | None = None

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # Bound when the query string has one of its fields (even empty: "type a postcode");
        # any other parameter (utm_source…) leaves the page as it is.
        params = {
            name: self.request.GET[name] for name in FINDER_FIELDS if name in self.request.GET
        }
        is_bound = bool(params)
        ctx["finder_html"], self.part = finder_cache.cached_part(
            self.request,
            ["finder", is_bound, sorted(params.items())],
            lambda: self.render_main(params if is_bound else None),
        )
        ctx["has_results"] = self.part.has_results
        return ctx

    def render_main(self, params: dict | None) -> tuple[str, bool, datetime | None]:
        """The HTML of the form and what it found, whether it lists points, and the earliest
        cut-off it shows (after which it is out of date; now, if it holds for this visitor only
        at this moment: their address searches over the limit, the geocoder not answering)."""
        form = PickupPointFinderForm(params, visitor=client_address(self.request))
        ctx = {"form": form, "csrf_placeholder": CSRF_PLACEHOLDER}
        if form.is_valid():
            latitude, longitude, label = form.cleaned_data["place"]
            ctx["place_label"] = label
            ctx["results"] = nearest_pickup_points(latitude, longitude, limit=10)
            ctx["map_data"] = self.map_data(ctx["results"], latitude, longitude, label)
        cutoffs = [entry.next_day.cutoff_at for entry in ctx.get("results", ()) if entry.next_day]
        if form.is_momentary:
            cutoffs.append(timezone.now())
        html = render_to_string("deliveries/partials/finder_main.html", ctx)
        return html, bool(ctx.get("results")), min(cutoffs, default=None)

    def shared_page_timeout(self) -> float:
        return max(self.part.seconds_left(), 0) if self.part else 0

    @staticmethod
    def map_data(results, latitude: float, longitude: float, label) -> dict:
        """What finder.js draws: the same points as the list, in its order, linked to it."""
        points = []
        for entry in results:
            if entry.next_day:
                starts_at = date_format(timezone.localtime(entry.next_day.starts_at), "l j F, H:i")
                next_day = f"{_('Next distribution:')} {starts_at}"
            else:
                next_day = _("No distribution open for orders in the coming weeks.")
            points.append(
                {
                    "name": entry.point.name,
                    "lat": float(entry.point.latitude),
                    "lon": float(entry.point.longitude),
                    "distance_km": float(entry.distance_km),
                    "distance": _("%(km)s km") % {"km": localize(entry.distance_km)},
                    "next_day": next_day,
                    "anchor": f"pickup-point-{entry.point.pk}",
                }
            )
        data = {
            "place": {"lat": latitude, "lon": longitude, "label": str(label)},
            "points": points,
        }
        if settings.MAP_TILE_URL:
            data["tiles"] = {
                "url": settings.MAP_TILE_URL,
                "attribution": settings.MAP_TILE_ATTRIBUTION,
            }
        return data


class ChooseDayView(View):
    """Shop for one distribution day: the catalogue then shows what is left for it."""

    def post(self, request, *args, **kwargs):
        day = open_day(kwargs["pk"])
        if day is None:
            messages.error(
                request,
                _(
                    "Orders for this distribution are closed. Please choose another distribution day."
                ),
            )
            return redirect("deliveries:finder")
        remember_day(request, day)
        messages.success(
            request,
            _("You are ordering for %(point)s, %(when)s.")
            % {
                "point": day.pickup_point.name,
                "when": date_format(timezone.localtime(day.starts_at), "l j F, H:i"),
            },
        )
        return redirect("catalogue:index")
