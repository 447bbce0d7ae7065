"""A contract's baskets its producer could not bring to a pickup point on a distribution day:
recorded by the producer (their own contracts only) or a coordinator of the contract or of the
pickup point, after a page saying what will happen. Anyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import View

from baskets.errors import NotBroughtRefused
from baskets.forms import NotBroughtForm
from baskets.models import ContractPickupPoint
from baskets.services.not_brought import (
    may_record_not_brought,
    not_brought_at,
    not_brought_reach,
    record_baskets_not_brought,
    recordable_days,
)
from marketplace.core.confirmation import is_confirmed, resent_fields


class NotBroughtView(LoginRequiredMixin, View):
    template_name = "baskets/not_brought.html"

    def place(self, request, pk) -> ContractPickupPoint:
        place = get_object_or_404(
            ContractPickupPoint.objects.select_related("contract__plan__producer", "pickup_point"),
            pk=pk,
        )
        if not may_record_not_brought(request.user, place):
            raise Http404
        return place

    def render_page(self, request, place, form, status=200):
        context = {"place": place, "form": form, "recorded": not_brought_at(place)}
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        place = self.place(request, pk)
        return self.render_page(request, place, NotBroughtForm(days=recordable_days(place)))

    def post(self, request, pk):
        place = self.place(request, pk)
        recorded = {str(record.distribution_day_id) for record in not_brought_at(place)}
        if request.POST.get("day") in recorded:  # sent twice: it is done already
            messages.info(request, _("This was recorded already: nothing changed."))
            return redirect("baskets:not-brought", pk=place.pk)
        form = NotBroughtForm(request.POST, days=recordable_days(place))
        if not form.is_valid():
            return self.render_page(request, place, form, status=400)
        day, reason = form.cleaned_data["day"], form.cleaned_data["reason"]
        if not is_confirmed(request.POST):
            baskets, households = not_brought_reach(place, day)
            context = {
                "place": place,
                "day": day,
                "reason": reason,
                "baskets": baskets,
                "households": households,
                "resent": resent_fields(request.POST),
                "back_url": reverse("baskets:not-brought", kwargs={"pk": place.pk}),
            }
            return render(request, "baskets/confirm_not_brought.html", context)
        try:
            record_baskets_not_brought(request.user, place.pk, day.pk, reason)
        except NotBroughtRefused as error:
            form.add_error(None, str(error))
            return self.render_page(request, place, form, status=400)
        messages.success(
            request,
            _(
                "Recorded: the baskets of %(plan)s were not brought to %(point)s on %(when)s. "
                "The members are being emailed."
            )
            % {
                "plan": place.contract.plan.name,
                "point": place.pickup_point.name,
                "when": date_format(timezone.localtime(day.starts_at), "l j F"),
            },
        )
        return redirect("baskets:not-brought", pk=place.pk)
