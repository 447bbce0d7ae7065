"""Saving the card or the IBAN a subscription's instalments are charged on: a SetupIntent the
member confirms with Stripe.js on our page (a SEPA debit shows, and keeps, the mandate naming
the producer as creditor), then the page hands its id back and we ask Stripe how it went."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from baskets.models import Subscription
from marketplace.core.client_address import client_address
from marketplace.payments import gateway
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.gateway import stripe_enabled
from marketplace.payments.models import ONLINE_METHODS, PaymentMethod, SubscriptionPayment
from marketplace.payments.selectors import offered_methods, terms_of
from marketplace.payments.services.saved_methods import (
    customer_of,
    save_subscription_method,
    start_saving_method,
)

# A SetupIntent still waiting for the member's card or IBAN: shown again rather than a new one.
OPEN_SETUP_STATES = {"requires_payment_method", "requires_confirmation", "requires_action"}

# The standard SEPA Direct Debit mandate wording, in both languages whatever the page's: the
# member accepts (and we keep) the same text. The creditor is the producer.
MANDATE_FR = (
    "En fournissant vos informations de paiement et en confirmant ce paiement, vous autorisez "
    "(A) {creditor} et Stripe, notre prestataire de services de paiement, à envoyer des "
    "instructions à votre banque pour débiter votre compte, et (B) votre banque à débiter votre "
    "compte conformément à ces instructions. Vous bénéficiez d'un droit à remboursement par "
    "votre banque selon les conditions décrites dans la convention que vous avez passée avec "
    "elle. Toute demande de remboursement doit être présentée dans un délai de 8 semaines à "
    "compter de la date de débit de votre compte. Vos droits sont expliqués dans un document "
    "que vous pouvez obtenir auprès de votre banque."
)
MANDATE_EN = (
    "By providing your payment information and confirming this payment, you authorise (A) "
    "{creditor} and Stripe, our payment service provider, to send instructions to your bank to "
    "debit your account and (B) your bank to debit your account in accordance with those "
    "instructions. As part of your rights, you are entitled to a refund from your bank under "
    "the terms and conditions of your agreement with your bank. A refund must be claimed within "
    "8 weeks starting from the date on which your account was debited. Your rights are "
    "explained in a statement that you can obtain from your bank."
)


def mandate_texts(creditor: str) -> tuple[str, str]:
    """The mandate in French and in English, naming ``creditor``."""
    return MANDATE_FR.format(creditor=creditor), MANDATE_EN.format(creditor=creditor)


class SaveMethodView(LoginRequiredMixin, TemplateView):
    """The member's own subscription paid by card or SEPA debit (404 for anyone else, and
    without Stripe keys). ``?method=`` switches between card and debit, when the contract
    accepts both."""

    template_name = "payments/save_method.html"

    def payment(self) -> SubscriptionPayment:
        if not stripe_enabled():
            raise Http404
        subscription = get_object_or_404(
            Subscription.objects.select_related(
                "contract__plan__producer", "contract__payment_terms", "member", "payment"
            ),
            pk=self.kwargs["pk"],
            member=self.request.user,
        )
        payment = getattr(subscription, "payment", None)
        if payment is None:
            raise Http404
        return payment

    def method_type(self, payment: SubscriptionPayment) -> str:
        asked = self.request.GET.get("method", "")
        terms = terms_of(payment.subscription.contract)
        if asked in ONLINE_METHODS and terms.accepts(asked):
            return asked
        if payment.method in ONLINE_METHODS:
            return payment.method
        raise Http404

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        payment = self.payment()
        subscription = payment.subscription
        method_type = self.method_type(payment)
        terms = terms_of(subscription.contract)
        member = subscription.member
        ctx.update(
            payment=payment,
            subscription=subscription,
            method_type=method_type,
            is_debit=method_type == PaymentMethod.SEPA_DEBIT,
            other_method=next(
                (m for m in ONLINE_METHODS if m != method_type and terms.accepts(m)), None
            ),
            manual_methods=offered_methods(terms, online=False),
            mandate=mandate_texts(subscription.contract.plan.producer.name),
            billing_name=member.get_full_name() or member.email,
            billing_email=member.email,
        )
        try:
            setup = self.setup_intent(subscription, method_type)
        except PaymentRefused as error:
            ctx["unavailable"] = str(error)
        except gateway.GatewayError as error:
            ctx["unavailable"] = error.message
        else:
            ctx.update(
                client_secret=setup.client_secret,
                publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
                stripe_js_url=settings.STRIPE_JS_URL,
            )
        return ctx

    def setup_intent(self, subscription: Subscription, method_type: str) -> gateway.Setup:
        """The SetupIntent this member's browser started for this subscription and method, while
        it waits for a card or an IBAN; a new one otherwise (one per attempt, never one per
        reload)."""
        key = f"payments-setup-{subscription.pk}-{method_type}"
        kept = self.request.session.get(key)
        if kept:
            try:
                setup = gateway.retrieve_setup_intent(kept)
            except gateway.GatewayError:
                setup = None
            if (
                setup is not None
                and setup.status in OPEN_SETUP_STATES
                and setup.method_type == method_type
                and setup.customer_id == customer_of(subscription.member)
            ):
                return setup
        setup = start_saving_method(subscription, method_type)
        self.request.session[key] = setup.id
        return setup

    def post(self, request, pk):
        payment = self.payment()
        subscription = payment.subscription
        here = reverse("payments:save-method", kwargs={"pk": subscription.pk})
        setup_intent_id = request.POST.get("setup_intent", "").strip()
        if not setup_intent_id.startswith("seti_"):
            messages.error(request, _("Your card or account is not saved yet: confirm it first."))
            return redirect(here)
        french, english = mandate_texts(subscription.contract.plan.producer.name)
        acceptance = gateway.MandateAcceptance(
            ip_address=client_address(request) or "",
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            accepted_at=timezone.now(),
        )
        try:
            saved = save_subscription_method(
                subscription,
                setup_intent_id,
                mandate_text=f"{french}\n\n{english}",
                mandate=acceptance,
            )
        except PaymentRefused as error:
            messages.error(request, str(error))
            return redirect(here)
        except gateway.GatewayError as error:
            messages.error(request, error.message)
            return redirect(here)
        for method_type in ONLINE_METHODS:
            request.session.pop(f"payments-setup-{subscription.pk}-{method_type}", None)
        if saved.saved_method_type == PaymentMethod.SEPA_DEBIT:
            messages.success(request, _("Your IBAN is saved: your instalments will be debited."))
        else:
            messages.success(request, _("Your card is saved: your instalments will be charged."))
        return redirect(f"{reverse('payments:mine')}#subscription-{subscription.pk}")
