"""Public pages: finding a pickup point near you."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View
from oscar.core.loading import get_model

from deliveries.chosen_day import open_day, remember_day
from deliveries.errors import TooLateToCancel
from deliveries.forms import PickupPointFinderForm
from deliveries.selectors import member_pickups, nearest_pickup_points
from deliveries.services import cancel_order_before_cutoff

Order = get_model("order", "Order")


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
            ctx["map_data"] = self.map_data(ctx["results"], latitude, longitude, label)
        return ctx

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


class UpcomingOrdersView(LoginRequiredMixin, TemplateView):
    """The member's orders still to collect, by distribution day, then what became of the
    last weeks' ones."""

    template_name = "deliveries/upcoming_orders.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["now"] = timezone.now()
        pickups = member_pickups(self.request.user, now=ctx["now"])
        ctx["pickups"], ctx["past"] = pickups.coming, pickups.past
        return ctx


class CancelOrderView(LoginRequiredMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            order = cancel_order_before_cutoff(request.user, kwargs["number"])
        except Order.DoesNotExist as error:
            raise Http404 from error
        except TooLateToCancel as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("Order %(number)s is cancelled.") % {"number": order.number}
            )
        return redirect("deliveries:upcoming-orders")


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
