"""Mes paiements: a member's schedules, what they paid and what is still due."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from baskets.models import Subscription
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.forms import PlanForm
from marketplace.payments.gateway import stripe_enabled
from marketplace.payments.selectors import (
    may_record_for_subscription,
    member_accounts,
    offered_methods,
    open_plans,
    subscriptions_without_plan,
    terms_of,
)
from marketplace.payments.services import schedule_subscription_payments


def plan_form(subscription: Subscription, data=None) -> PlanForm:
    return PlanForm(
        data,
        plans=open_plans(subscription, timezone.localdate()),
        methods=offered_methods(terms_of(subscription.contract), online=stripe_enabled()),
        auto_id=f"plan-{subscription.pk}-%s",
    )


class MyPaymentsView(LoginRequiredMixin, TemplateView):
    template_name = "payments/mine.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["accounts"] = member_accounts(self.request.user)
        ctx["today"] = timezone.localdate()
        ctx["to_plan"] = [
            (subscription, plan_form(subscription))
            for subscription in subscriptions_without_plan(self.request.user)
        ]
        return ctx


class ChoosePlanView(LoginRequiredMixin, View):
    """The member, or a coordinator of the contract for them, chooses how a subscription is
    paid."""

    def post(self, request, pk):
        subscription = get_object_or_404(
            Subscription.objects.select_related("contract__plan", "pickup_point"), pk=pk
        )
        if subscription.member_id != request.user.pk and not may_record_for_subscription(
            request.user, subscription
        ):
            raise Http404
        form = plan_form(subscription, request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a payment plan and a payment method."))
        else:
            try:
                schedule_subscription_payments(
                    subscription, form.cleaned_data["plan"], form.cleaned_data["method"]
                )
            except PaymentRefused as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The payment schedule is ready."))
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("payments:mine")
