"""The pickup list on a volunteer's phone: the page, the state phones poll, the ticks they send
(one at a time, or a batch kept while offline), and the closing of the day."""

import json
import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from deliveries.errors import HandoverRefused
from deliveries.handovers import Tick, close_distribution, record_ticks
from deliveries.models import DistributionDay, LeftoverFate
from deliveries.pickup_list import (
    can_run_pickup_list,
    pickup_list,
    pickup_list_state,
)

MAX_TICKS_PER_REQUEST = 500


class PickupListAccessMixin(LoginRequiredMixin):
    """Only that day's volunteers, the pickup point's coordinators and staff (403 otherwise)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.day = get_object_or_404(
            DistributionDay.objects.select_related("pickup_point"), pk=kwargs["pk"]
        )
        if not can_run_pickup_list(request.user, self.day):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PickupListView(PickupListAccessMixin, TemplateView):
    template_name = "deliveries/pickup_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["day"] = self.day
        ctx["pickups"] = pickup_list(self.day, add_missing=self.day.closed_at is None)
        for line in ctx["pickups"].lines:  # the tick a form sends when JavaScript is off
            line.operation = uuid.uuid4()
        ctx["is_closed"] = self.day.closed_at is not None
        ctx["urls"] = {
            "state": reverse("deliveries:pickup-list-state", kwargs={"pk": self.day.pk}),
            "ticks": reverse("deliveries:pickup-list-ticks", kwargs={"pk": self.day.pk}),
        }
        return ctx


class PickupListStateView(PickupListAccessMixin, View):
    def get(self, request, *args, **kwargs):
        return JsonResponse(pickup_list_state(self.day))


class PickupListTicksView(PickupListAccessMixin, View):
    """JSON ``{"ticks": [{operation, handover, collected, at}, ...]}`` from the page's script;
    a plain form post (one tick) when JavaScript is off."""

    def post(self, request, *args, **kwargs):
        now = timezone.now()
        is_json = request.content_type == "application/json"
        try:
            raw = json.loads(request.body or b"{}").get("ticks", []) if is_json else [request.POST]
            if not isinstance(raw, list) or len(raw) > MAX_TICKS_PER_REQUEST:
                raise HandoverRefused(_("This tick could not be read."))
            ticks = [Tick.parse(item, now) for item in raw]
            record_ticks(request.user, self.day, ticks, now=now)
        except (HandoverRefused, ValueError, AttributeError) as error:
            if is_json:
                return JsonResponse({"error": str(error)}, status=400)
            messages.error(request, str(error))
        if is_json:
            return JsonResponse(pickup_list_state(self.day))
        return redirect(reverse("deliveries:pickup-list", kwargs={"pk": self.day.pk}))


class CloseDayView(PickupListAccessMixin, TemplateView):
    """End of the day: what nobody collected is listed and given a fate."""

    template_name = "deliveries/close_day.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        pickups = pickup_list(self.day, add_missing=self.day.closed_at is None)
        ctx["day"] = self.day
        ctx["left"] = [
            (household.name, line)
            for household in pickups.households
            for line in household.lines
            if not line.is_collected
        ]
        ctx["fates"] = LeftoverFate.choices
        ctx["has_partner"] = bool(self.day.pickup_point.food_aid_partner)
        return ctx

    def post(self, request, *args, **kwargs):
        fates = {}
        for key, fate in request.POST.items():
            if key.startswith("fate-"):
                handover_id = int(key.removeprefix("fate-"))
                fates[handover_id] = (fate, request.POST.get(f"recipient-{handover_id}", ""))
        try:
            close_distribution(request.user, self.day.pk, fates)
        except HandoverRefused as error:
            messages.error(request, str(error))
            return self.render_to_response(self.get_context_data())
        messages.success(request, _("The distribution is closed. Thank you!"))
        return redirect(reverse("deliveries:pickup-list", kwargs={"pk": self.day.pk}))
