"""Volunteer shifts: a member's page to sign up or withdraw, a coordinator's page of the days
lacking volunteers."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from deliveries.distribution.errors import ShiftRefused
from deliveries.distribution.selectors.shifts import (
    UNSTAFFED_DAYS_AHEAD,
    coming_shift_days,
    coordinates_any_point,
    member_shifts,
    unstaffed_days,
)
from deliveries.distribution.services.shifts import (
    approve_shift,
    refuse_shift,
    sign_up_for_shift,
    withdraw_from_shift,
)
from deliveries.network.models import DistributionDay, PickupPoint


class ShiftsView(LoginRequiredMixin, TemplateView):
    """My volunteer shifts: the coming days at my pickup points, then my past shifts."""

    template_name = "deliveries/shifts.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["days"] = coming_shift_days(user)
        ctx["shifts"] = member_shifts(user)
        # Their coordinators may cancel these points' days (a link on each).
        ctx["coordinated_point_ids"] = set(
            PickupPoint.objects.filter(coordinators=user).values_list("pk", flat=True)
        )
        ctx["is_coordinator"] = user.is_staff or bool(ctx["coordinated_point_ids"])
        return ctx


def _when(day: DistributionDay) -> str:
    return date_format(timezone.localtime(day.starts_at), "l j F, H:i")


class SignUpForShiftView(LoginRequiredMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            shift = sign_up_for_shift(request.user, kwargs["pk"])
        except DistributionDay.DoesNotExist as error:
            raise Http404 from error
        except ShiftRefused as error:
            messages.error(request, str(error))
        else:
            day = shift.distribution_day
            if shift.is_approved:
                messages.success(
                    request,
                    _("Thank you! You are signed up for the distribution at %(point)s, %(when)s.")
                    % {"point": day.pickup_point.name, "when": _when(day)},
                )
            else:
                messages.success(
                    request,
                    _(
                        "Thank you! The coordinators of %(point)s approve each volunteer: your "
                        "sign-up for %(when)s waits for their answer."
                    )
                    % {"point": day.pickup_point.name, "when": _when(day)},
                )
        return redirect("deliveries:shifts")


class WithdrawFromShiftView(LoginRequiredMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            day = withdraw_from_shift(request.user, kwargs["pk"])
        except DistributionDay.DoesNotExist as error:
            raise Http404 from error
        except ShiftRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("You have withdrawn from the distribution at %(point)s, %(when)s.")
                % {"point": day.pickup_point.name, "when": _when(day)},
            )
        return redirect("deliveries:shifts")


class UnstaffedDaysView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """For coordinators (and staff): the coming week's days short of volunteers."""

    template_name = "deliveries/unstaffed.html"

    def test_func(self):
        return coordinates_any_point(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["days"] = unstaffed_days(self.request.user)
        ctx["days_ahead"] = UNSTAFFED_DAYS_AHEAD
        return ctx


class ShiftAnswerView(LoginRequiredMixin, View):
    """A coordinator approves or refuses a sign-up waiting, from the days lacking volunteers."""

    answer = staticmethod(approve_shift)

    def post(self, request, *args, **kwargs):
        try:
            shift = self.answer(request.user, kwargs["pk"])
        except ShiftRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, self.done(shift))
        return redirect("deliveries:unstaffed-days")

    def done(self, shift) -> str:
        return _("%(name)s runs the distribution of %(when)s.") % {
            "name": shift.volunteer.get_full_name() or shift.volunteer.email,
            "when": _when(shift.distribution_day),
        }


class RefuseShiftView(ShiftAnswerView):
    answer = staticmethod(refuse_shift)

    def done(self, shift) -> str:
        return _("The sign-up of %(name)s for %(when)s is refused.") % {
            "name": shift.volunteer.get_full_name() or shift.volunteer.email,
            "when": _when(shift.distribution_day),
        }
