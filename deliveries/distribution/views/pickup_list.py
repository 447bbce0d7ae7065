"""The pickup list on a volunteer's phone: the page, the state phones poll, the ticks they send
(one at a time, or a batch kept while offline), and the closing of the day."""

import hashlib
import json
import unicodedata
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from deliveries.distribution.errors import HandoverRefused
from deliveries.distribution.models import LeftoverFate
from deliveries.distribution.offline import (
    COOKIE_NAME,
    RESPONSE_HEADER,
    SAVED_HEADER,
    offline_key,
    remember_offline_key,
)
from deliveries.distribution.selectors.pickup_list import (
    PickupList,
    can_run_pickup_list,
    pickup_list,
    pickup_list_state,
)
from deliveries.distribution.services.handovers import (
    Tick,
    check_can_close,
    checked_fate,
    close_distribution,
    record_ticks,
)
from deliveries.network.models import DistributionDay
from marketplace.core.confirmation import is_confirmed, resent_fields

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
        ctx["q"] = self.request.GET.get("q", "").strip()
        if ctx["q"]:  # the search box as a plain form, when JavaScript is off
            ctx["pickups"] = HouseholdsFound(ctx["pickups"], ctx["q"])
        ctx["is_closed"] = self.day.closed_at is not None
        ctx["urls"] = {
            "state": reverse("deliveries:pickup-list-state", kwargs={"pk": self.day.pk}),
            "ticks": reverse("deliveries:pickup-list-ticks", kwargs={"pk": self.day.pk}),
            "worker": reverse("deliveries:pickup-list-worker"),
            "list": reverse("deliveries:pickup-list", kwargs={"pk": self.day.pk}),
        }
        ctx["saved_header"] = SAVED_HEADER
        return ctx

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        remember_offline_key(request, response, offline_key(request))
        return response


class HouseholdsFound:
    """The households of a pickup list whose name (or the name of whom they collect for)
    contains the search, accents and case aside; the counts stay the whole day's."""

    def __init__(self, pickups: PickupList, query: str):
        wanted = searchable(query)
        self.day = pickups.day
        self.households = [h for h in pickups.households if wanted in searchable(h.search_text)]
        self.collected, self.remaining = pickups.collected, pickups.remaining


def searchable(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _state_path() -> str:
    """Where a list's state is, from the list's address: "etat/"."""
    state = reverse("deliveries:pickup-list-state", kwargs={"pk": 1})
    return state.removeprefix(reverse("deliveries:pickup-list", kwargs={"pk": 1}))


class PickupListWorkerView(View):
    """The service worker that keeps a volunteer's list for reloads without signal
    (templates/deliveries/pickup_list_sw.js). Served from /lieux-de-distribution/jour/ so that a
    list's own address can be its scope; the same script for everyone, with no one's data, and
    never cached for long so that a fix reaches phones at their next visit."""

    def get(self, request, *args, **kwargs):
        script = render_to_string(
            "deliveries/pickup_list_sw.js",
            {
                "cookie_name": COOKIE_NAME,
                "key_header": RESPONSE_HEADER,
                "saved_header": SAVED_HEADER,
                "static_url": settings.STATIC_URL,
                "state_path": _state_path(),
                "language": get_language(),
                "title": _("No connection"),
                "explanation": _(
                    "This pickup list is not kept on this phone for the person signed in. Open "
                    "it once with a connection: it will then open without signal too."
                ),
            },
        )
        response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
        response["Cache-Control"] = "no-cache"
        # Phones check for a new worker as they open the list: unchanged, it costs a 304.
        response["ETag"] = quote_etag(hashlib.sha256(script.encode()).hexdigest()[:32])
        return get_conditional_response(request, etag=response["ETag"], response=response)


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
        # RecursionError: JSON nested thousands deep.
        except (HandoverRefused, ValueError, AttributeError, RecursionError) as error:
            if is_json:
                return JsonResponse({"error": str(error)}, status=400)
            messages.error(request, str(error))
        if is_json:
            return JsonResponse(pickup_list_state(self.day))
        return redirect(reverse("deliveries:pickup-list", kwargs={"pk": self.day.pk}))


class CloseDayView(PickupListAccessMixin, TemplateView):
    """End of the day: what nobody collected is listed and given a fate. Closing asks first,
    saying what becomes of each line; an error, or going back to change a choice, shows the
    form again with every choice and name as they were sent."""

    template_name = "deliveries/close_day.html"

    def get_context_data(self, fates=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        fates = fates or {}
        pickups = pickup_list(self.day, add_missing=self.day.closed_at is None)
        ctx["day"] = self.day
        ctx["left"] = []
        for household in pickups.households:
            for line in household.lines:
                if line.is_collected:
                    continue
                pk = line.handover.pk
                line.chosen_fate, line.recipient = fates.get(pk, (LeftoverFate.KEPT, ""))
                line.error = ""
                ctx["left"].append((household.name, line))
        ctx["collected"] = pickups.collected
        ctx["fates"] = LeftoverFate.choices
        ctx["has_partner"] = bool(self.day.pickup_point.food_aid_partner)
        return ctx

    def post(self, request, *args, **kwargs):
        fates = submitted_fates(request.POST)
        if is_confirmed(request.POST):
            return self.close(request, fates)
        ctx = self.get_context_data(fates=fates)
        if "change" in request.POST or self.day.closed_at is not None:
            return self.render_to_response(ctx)
        errors = []
        try:
            check_can_close(self.day, timezone.now())
        except HandoverRefused as error:
            errors.append(str(error))
        for _name, line in ctx["left"]:
            try:
                fate, recipient = checked_fate(self.day, line.chosen_fate, line.recipient)
            except HandoverRefused as error:
                line.error = str(error)
                errors.append(line.error)
            else:
                line.fate_label = self.fate_label(fate, recipient)
        if errors:
            for message in dict.fromkeys(errors):
                messages.error(request, message)
            return self.render_to_response(ctx)
        ctx["resent"] = resent_fields(request.POST)
        ctx["back_url"] = reverse("deliveries:pickup-list", kwargs={"pk": self.day.pk})
        return render(request, "deliveries/confirm_close_day.html", ctx)

    def close(self, request, fates):
        try:
            close_distribution(request.user, self.day.pk, fates)
        except HandoverRefused as error:
            messages.error(request, str(error))
            return self.render_to_response(self.get_context_data(fates=fates))
        messages.success(request, _("The distribution is closed. Thank you!"))
        return redirect(reverse("deliveries:pickup-list", kwargs={"pk": self.day.pk}))

    def fate_label(self, fate: str, recipient: str) -> str:
        if fate == LeftoverFate.FOOD_AID:
            recipient = self.day.pickup_point.food_aid_partner
        if recipient:
            return _("given to %(name)s") % {"name": recipient}
        return LeftoverFate(fate).label


def submitted_fates(post) -> dict[int, tuple[str, str]]:
    """``{handover id: (fate, recipient)}`` from the close form's ``fate-<id>`` and
    ``recipient-<id>`` fields."""
    fates = {}
    for key, fate in post.items():
        handover_id = key.removeprefix("fate-")
        if key.startswith("fate-") and handover_id.isdigit():
            fates[int(handover_id)] = (fate, post.get(f"recipient-{handover_id}", ""))
    return fates
