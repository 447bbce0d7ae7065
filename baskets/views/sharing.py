"""Sharing a basket with another household: the invitation's page (from the emailed link),
accepting or declining it, and ending a sharing (asking first)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from baskets.errors import BasketError
from baskets.models import CoHolding, CoHoldingState, Subscription
from baskets.my_baskets import tell_member_near
from baskets.people import person_name
from baskets.services.co_holding import (
    accept_co_holding,
    decline_co_holding,
    end_co_holding,
    live_co_holding,
)
from marketplace.core.confirmation import is_confirmed, resent_fields


class CoHoldingView(TemplateView):
    """The invitation, for whoever holds its link: accept (signed in, or after signing in or
    registering, back here), or decline (no account needed)."""

    template_name = "baskets/co_holding.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        co_holding = (
            CoHolding.objects.select_related(
                "subscription__contract__plan__producer",
                "subscription__pickup_point",
                "subscription__member",
            )
            .filter(token=kwargs["token"])
            .first()
        )
        if co_holding is None:
            raise Http404
        ctx["co_holding"] = co_holding
        ctx["holder"] = person_name(co_holding.subscription.member)
        ctx["is_open"] = co_holding.state == CoHoldingState.INVITED
        ctx["is_accepted_by_me"] = (
            co_holding.state == CoHoldingState.ACCEPTED
            and co_holding.co_holder_id == self.request.user.pk
        )
        ctx["next"] = self.request.path
        return ctx


class AcceptCoHoldingView(LoginRequiredMixin, View):
    def post(self, request, token):
        try:
            co_holding = accept_co_holding(request.user, token)
        except BasketError as error:
            messages.error(request, str(error))
            return redirect("baskets:co-holding", token=token)
        sub = co_holding.subscription
        tell_member_near(
            request,
            messages.SUCCESS,
            _("You now share %(plan)s at %(point)s with %(holder)s.")
            % {
                "plan": sub.contract.plan.name,
                "point": sub.pickup_point.name,
                "holder": person_name(sub.member),
            },
            f"subscription-{sub.pk}",
        )
        return redirect(f"{reverse('baskets:mine')}#subscription-{sub.pk}")


class DeclineCoHoldingView(View):
    def post(self, request, token):
        try:
            decline_co_holding(token, request.user)
        except BasketError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("You declined the invitation: nothing is shared with you."))
        return redirect("baskets:co-holding", token=token)


class EndSharingView(LoginRequiredMixin, View):
    """Either household ends the sharing, or the holder withdraws an invitation; asks first."""

    def post(self, request, pk):
        anchor = f"subscription-{pk}"
        if not is_confirmed(request.POST):
            return self.ask_confirmation(request, pk, anchor)
        try:
            co_holding = end_co_holding(request.user, pk)
        except BasketError as error:
            tell_member_near(request, messages.ERROR, str(error), anchor)
        else:
            tell_member_near(request, messages.SUCCESS, self.done(co_holding), anchor)
        return redirect(f"{reverse('baskets:mine')}#{anchor}")

    def ask_confirmation(self, request, pk, anchor):
        subscription = (
            Subscription.objects.select_related("contract__plan", "pickup_point", "member")
            .filter(pk=pk)
            .first()
        )
        if subscription is None or request.user.pk not in (
            subscription.member_id,
            subscription.co_holder_id,
        ):
            raise Http404
        co_holding = live_co_holding(subscription)
        if co_holding is None:
            tell_member_near(
                request, messages.ERROR, _("This basket is not shared any more."), anchor
            )
            return redirect(f"{reverse('baskets:mine')}#{anchor}")
        is_holder = request.user.pk == subscription.member_id
        context = {
            "subscription": subscription,
            "co_holding": co_holding,
            "is_holder": is_holder,
            "other": co_holding.email
            if co_holding.state == CoHoldingState.INVITED
            else person_name(subscription.co_holder if is_holder else subscription.member),
            "resent": resent_fields(request.POST),
            "back_url": f"{reverse('baskets:mine')}#{anchor}",
        }
        return render(request, "baskets/confirm_end_sharing.html", context)

    def done(self, co_holding: CoHolding) -> str:
        if co_holding.answered_at is None:
            return _("The invitation sent to %(email)s is withdrawn.") % {"email": co_holding.email}
        if co_holding.shared_until is not None:
            return _(
                "The sharing ends: the baskets already prepared, until %(last)s, stay shared as "
                "they were."
            ) % {"last": co_holding.shared_until.strftime("%d/%m/%Y")}
        return _("The basket is no longer shared.")
