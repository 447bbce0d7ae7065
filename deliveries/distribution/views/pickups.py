"""A member's pickups (Mes retraits): what to collect where and when, cancelling an order before
the cut-off, and what became of past ones."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View
from oscar.core.loading import get_model

from deliveries.distribution.selectors.pickups import member_pickups
from deliveries.network.errors import TooLateToCancel
from deliveries.network.services import cancel_order_before_cutoff

Order = get_model("order", "Order")


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
