"""Coordinators (référents) record the cheques, cash, transfers and local currency members
give them, against a subscription or an order."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View
from oscar.core.loading import get_model

from baskets.models import Subscription
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.forms import OrderPaymentForm, RefundForm, SubscriptionPaymentForm
from marketplace.payments.models import MANUAL_METHODS
from marketplace.payments.selectors import (
    coordinated_accounts,
    may_record_for_order,
    may_record_for_subscription,
    order_accounts_by_producer,
    subscription_account,
    terms_of,
)
from marketplace.payments.selectors.refunds import refund_split, refunds_by_subscription
from marketplace.payments.services import record_manual_payment, record_order_due
from marketplace.payments.services.refunds import record_manual_refund
from marketplace.payments.views.member import plan_form

Order = get_model("order", "Order")


class CoordinationView(LoginRequiredMixin, TemplateView):
    """The members of the contracts the coordinator looks after: what each still owes, and
    where to record a payment; an order found by its number."""

    template_name = "payments/coordination.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["lines"] = coordinated_accounts(self.request.user, timezone.localdate())
        return ctx


class FindOrderView(LoginRequiredMixin, View):
    def get(self, request):
        number = request.GET.get("number", "").strip()
        if not number or not Order.objects.filter(number=number).exists():
            messages.error(request, _("No order has this number."))
            return redirect("payments:coordination")
        return redirect("payments:record-order", number=number)


def _allowed_methods(subscription: Subscription) -> list[str]:
    terms = terms_of(subscription.contract)
    return [method for method in MANUAL_METHODS if terms.accepts(method)]


class RecordSubscriptionPaymentView(LoginRequiredMixin, View):
    template_name = "payments/record_subscription.html"

    def subscription(self, request, pk) -> Subscription:
        subscription = get_object_or_404(
            Subscription.objects.select_related(
                "member", "contract__plan__producer", "pickup_point"
            ),
            pk=pk,
        )
        if not may_record_for_subscription(request.user, subscription):
            raise Http404
        return subscription

    def form(self, subscription, data=None):
        return SubscriptionPaymentForm(
            data,
            subscription=subscription,
            collective_id=subscription.pickup_point.collective_id,
            methods=_allowed_methods(subscription),
        )

    def render_page(self, request, subscription, form, status=200, refund_form=None):
        payment = getattr(subscription, "payment", None)
        account = subscription_account(subscription)
        # What goes back to the member's card or account goes on its own: the rest by hand.
        split = refund_split(subscription, account)
        if refund_form is None and split.by_hand > 0:
            refund_form = RefundForm(initial={"refund_amount": split.by_hand})
        context = {
            "refund_form": refund_form,
            "to_give_back": split.by_hand,
            "online_refund": split.online,
            "refunds": refunds_by_subscription([subscription.pk]).get(subscription.pk, []),
            "subscription": subscription,
            "payment": payment,
            "instalments": list(payment.instalments.order_by("number")) if payment else [],
            "account": account,
            "form": form,
            "plan_form": None if payment else plan_form(subscription),
            "today": timezone.localdate(),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        subscription = self.subscription(request, pk)
        return self.render_page(request, subscription, self.form(subscription))

    def post(self, request, pk):
        subscription = self.subscription(request, pk)
        form = self.form(subscription, request.POST)
        if not form.is_valid():
            return self.render_page(request, subscription, form, status=400)
        try:
            payment = record_manual_payment(
                form.details(),
                subscription=subscription,
                instalment=form.cleaned_data.get("instalment"),
                recorded_by=request.user,
            )
        except PaymentRefused as error:
            form.add_error(None, str(error))
            return self.render_page(request, subscription, form, status=400)
        messages.success(
            request,
            _("Payment recorded: %(method)s, %(amount)s €.")
            % {"method": payment.get_method_display(), "amount": number_format(payment.amount, 2)},
        )
        return redirect("payments:record-subscription", pk=subscription.pk)


class RecordOrderPaymentView(LoginRequiredMixin, View):
    template_name = "payments/record_order.html"

    def order(self, request, number):
        order = get_object_or_404(
            Order.objects.select_related("user", "pickup__distribution_day__pickup_point"),
            number=number,
        )
        if not may_record_for_order(request.user, order) or not hasattr(order, "pickup"):
            raise Http404
        return order

    def form(self, order, producers, data=None):
        return OrderPaymentForm(
            data,
            producers=producers,
            collective_id=order.pickup.distribution_day.pickup_point.collective_id,
        )

    def render_page(self, request, order, form=None, status=200):
        accounts = order_accounts_by_producer(order)
        context = {
            "order": order,
            "accounts": accounts,
            "form": form or self.form(order, [producer for producer, _a in accounts]),
            "back_url": reverse("payments:coordination"),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, number):
        order = self.order(request, number)
        record_order_due(order)  # an order placed before payments came
        return self.render_page(request, order)

    def post(self, request, number):
        order = self.order(request, number)
        producers = [producer for producer, _a in order_accounts_by_producer(order)]
        form = self.form(order, producers, request.POST)
        if not form.is_valid():
            return self.render_page(request, order, form, status=400)
        try:
            record_manual_payment(
                form.details(),
                order=order,
                producer=next(p for p in producers if p.pk == form.cleaned_data["producer"]),
                recorded_by=request.user,
            )
        except PaymentRefused as error:
            form.add_error(None, str(error))
            return self.render_page(request, order, form, status=400)
        messages.success(request, _("Payment recorded."))
        return redirect("payments:record-order", number=order.number)


class RecordRefundView(RecordSubscriptionPaymentView):
    """Money the coordinator gives back to the member (their dues went below what they paid)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        subscription = self.subscription(request, pk)
        refund_form = RefundForm(request.POST)
        if refund_form.is_valid():
            data = refund_form.cleaned_data
            try:
                entry = record_manual_refund(
                    subscription,
                    method=data["refund_method"],
                    amount=data["refund_amount"],
                    note=data["refund_note"],
                    recorded_by=request.user,
                )
            except PaymentRefused as error:
                refund_form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Recorded: %(amount)s € given back (%(method)s).")
                    % {
                        "amount": number_format(entry.amount, 2),
                        "method": entry.get_method_display(),
                    },
                )
                return redirect("payments:record-subscription", pk=subscription.pk)
        return self.render_page(
            request, subscription, self.form(subscription), status=400, refund_form=refund_form
        )
