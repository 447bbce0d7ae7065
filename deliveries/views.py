"""Public pages: finding a pickup point near you."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View
from oscar.core.loading import get_model

from deliveries.errors import TooLateToCancel
from deliveries.forms import PickupPointFinderForm
from deliveries.selectors import nearest_pickup_points, upcoming_orders
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
        return ctx


class UpcomingOrdersView(LoginRequiredMixin, TemplateView):
    """The member's orders still to collect, by distribution day."""

    template_name = "deliveries/upcoming_orders.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["pickups"] = upcoming_orders(self.request.user)
        ctx["now"] = timezone.now()
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
