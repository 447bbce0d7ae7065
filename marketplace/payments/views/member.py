"""Mes paiements: a member's schedules, what they paid and what is still due; an instalment
their bank asks them to confirm."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from baskets.models import Subscription
from marketplace.payments import gateway
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.forms import PlanForm
from marketplace.payments.gateway import stripe_enabled
from marketplace.payments.member_prices import member_price_per_delivery
from marketplace.payments.models import ONLINE_METHODS, ChargeState
from marketplace.payments.selectors import (
    may_record_for_subscription,
    member_accounts,
    offered_methods,
    open_plans,
    subscriptions_without_plan,
    terms_of,
)
from marketplace.payments.selectors.charges import charge_of_member
from marketplace.payments.selectors.refunds import refunds_by_subscription
from marketplace.payments.selectors.schedules import price_per_delivery
from marketplace.payments.services import schedule_subscription_payments
from marketplace.payments.services.charges import Outcome, record_charge_outcome


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
        refunds = refunds_by_subscription(
            entry.subscription.pk for entry in ctx["accounts"].contracts
        )
        for entry in ctx["accounts"].contracts:
            entry.refunds = refunds.get(entry.subscription.pk, [])
        ctx["today"] = timezone.localdate()
        ctx["online"] = stripe_enabled()
        ctx["to_plan"] = [
            (
                subscription,
                plan_form(subscription),
                member_price_per_delivery(subscription, ctx["today"]),
                price_per_delivery(subscription),
            )
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
                if (
                    form.cleaned_data["method"] in ONLINE_METHODS
                    and subscription.member_id == request.user.pk
                ):  # their card or IBAN, saved on the next page
                    return redirect("payments:save-method", pk=subscription.pk)
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("payments:mine")


class ConfirmChargeView(LoginRequiredMixin, TemplateView):
    """An instalment charged off-session that the member's bank asks them to confirm (3-D
    Secure): Stripe.js confirms it in the browser, then the page asks Stripe how it went."""

    template_name = "payments/confirm_charge.html"

    def charge(self):
        charge = charge_of_member(self.request.user, self.kwargs["pk"])
        if charge is None:
            raise Http404
        return charge

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        charge = self.charge()
        ctx.update(charge=charge, instalment=charge.instalment, client_secret="")
        ctx["subscription"] = charge.instalment.payment.subscription
        if charge.state == ChargeState.REQUIRES_ACTION and stripe_enabled():
            try:
                payment = gateway.retrieve_payment(charge.payment_intent_id)
            except gateway.GatewayError as error:
                ctx["unavailable"] = error.message
            else:
                if payment.needs_authentication:
                    ctx["client_secret"] = payment.client_secret
                    ctx["publishable_key"] = settings.STRIPE_PUBLISHABLE_KEY
                    ctx["stripe_js_url"] = settings.STRIPE_JS_URL
        return ctx

    def post(self, request, pk):
        charge = self.charge()
        if charge.state != ChargeState.REQUIRES_ACTION or not stripe_enabled():
            return redirect("payments:confirm-charge", pk=charge.pk)
        try:
            payment = gateway.retrieve_payment(charge.payment_intent_id)
        except gateway.GatewayError as error:
            messages.error(request, error.message)
            return redirect("payments:confirm-charge", pk=charge.pk)
        outcome = Outcome.of_payment(payment)
        if outcome is None or outcome.state == ChargeState.REQUIRES_ACTION:
            messages.warning(request, _("Your bank has not confirmed this payment yet."))
        else:
            record_charge_outcome(charge.pk, outcome)
            if outcome.state == ChargeState.FAILED:
                messages.error(request, outcome.failure_message)
            else:
                messages.success(request, _("Thank you: your payment is confirmed."))
        return redirect("payments:confirm-charge", pk=charge.pk)
