"""Coordinators' pages (référents): the members of the contracts they look after, ending a
commitment."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from baskets.change_notes import kept_baskets_note
from baskets.errors import BasketError
from baskets.selectors import (
    managed_places,
    person_name,
)
from baskets.selectors.consequences import ending
from baskets.services import (
    end_commitment,
)
from marketplace.core.confirmation import is_confirmed, resent_fields


class CoordinationView(LoginRequiredMixin, TemplateView):
    """For coordinators (référents) and producers: each contract's members and waiting list at
    the pickup points they look after."""

    template_name = "baskets/coordination.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["places"] = managed_places(self.request.user)
        return ctx


class EndCommitmentView(LoginRequiredMixin, View):
    """Ending a member's commitment asks first, saying which baskets stay theirs, what the
    producer stops bringing, who is told, and that it cannot be undone."""

    def ask_confirmation(self, request, pk):
        try:
            ended = ending(request.user, pk)
        except BasketError as error:
            messages.error(request, str(error))
            return redirect("baskets:coordination")
        context = {
            "ending": ended,
            "kept_days": ", ".join(date_format(day, "l j F") for day in ended.kept),
            "resent": resent_fields(request.POST),
            "back_url": reverse("baskets:coordination"),
        }
        return render(request, "baskets/confirm_end_commitment.html", context)

    def post(self, request, pk):
        if not is_confirmed(request.POST):
            return self.ask_confirmation(request, pk)
        try:
            subscription = end_commitment(request.user, pk)
        except BasketError as error:
            messages.error(request, str(error))
        else:
            ended = _(
                "%(member)s no longer holds %(plan)s at %(point)s; the place goes to the waiting list."
            ) % {
                "member": person_name(subscription.member),
                "plan": subscription.contract.plan.name,
                "point": subscription.pickup_point.name,
            }
            kept = kept_baskets_note(subscription, yours=False)
            messages.success(request, f"{ended} {kept}".strip())
        return redirect("baskets:coordination")
