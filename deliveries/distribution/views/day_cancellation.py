"""A coordinator cancels one coming distribution of their pickup point, with a reason."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import FormView

from deliveries.distribution.forms import CancelDayForm
from deliveries.distribution.notifications.cancellations import cancellation_reach
from deliveries.network.errors import DayCancellationRefused
from deliveries.network.models import DistributionDay
from deliveries.network.services import (
    CHANGEABLE_STATES,
    can_cancel_days_of,
    cancel_distribution_day,
)


class CancelDayView(LoginRequiredMixin, FormView):
    """Who would be told, then the reason and the button. Only the point's coordinators and
    staff (403 otherwise)."""

    template_name = "deliveries/cancel_day.html"
    form_class = CancelDayForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.day = get_object_or_404(
            DistributionDay.objects.select_related("pickup_point"), pk=kwargs["pk"]
        )
        if not can_cancel_days_of(request.user, self.day.pickup_point):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        day = self.day
        ctx["day"] = day
        ctx["point"] = day.pickup_point
        ctx["can_cancel"] = day.state in CHANGEABLE_STATES and day.starts_at > timezone.now()
        if ctx["can_cancel"]:
            ctx["reach"] = cancellation_reach(day)
        return ctx

    def form_valid(self, form):
        try:
            cancel_distribution_day(self.request.user, self.day.pk, form.cleaned_data["reason"])
        except DayCancellationRefused as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "The distribution at %(point)s on %(when)s is cancelled. Everyone concerned is "
                "being emailed."
            )
            % {
                "point": self.day.pickup_point.name,
                "when": date_format(timezone.localtime(self.day.starts_at), "l j F"),
            },
        )
        return redirect("deliveries:cancel-day", pk=self.day.pk)
