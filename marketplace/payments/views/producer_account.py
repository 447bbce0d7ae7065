"""A producer receiving card and SEPA debit payments: their Stripe account opened from their space,
Stripe's onboarding, and where it stands when they come back.

The producer's own people and staff only; anyone else is told the page does not exist (404), so
that producers' ids reveal nothing."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from marketplace.payments import gateway
from marketplace.payments.models import ProducerAccount
from marketplace.payments.selectors.access import may_manage_stripe_account_of
from marketplace.payments.services.producer_accounts import note_account_state, start_onboarding
from producers.models import Producer
from producers.selectors import producer_of


def producer_message(error: gateway.GatewayError) -> str:
    """What the producer reads (the gateway's own words are for members paying)."""
    if error.retryable:
        return _("Stripe cannot be reached right now. Try again in a few minutes.")
    return _("Stripe refused the request. Try again later, or write to the site's team.")


class OwnStripeAccountView(LoginRequiredMixin, View):
    """The producer space's menu entry: the signed-in producer's own page."""

    def get(self, request):
        producer = producer_of(request.user)
        if producer is None:
            raise PermissionDenied(_("This space is for producers."))
        return redirect("payments:stripe-account", producer_id=producer.pk)


class StripeAccountMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.producer = get_object_or_404(Producer, pk=kwargs["producer_id"])
        if not may_manage_stripe_account_of(request.user, self.producer):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def page_url(self) -> str:
        return reverse("payments:stripe-account", kwargs={"producer_id": self.producer.pk})

    def to_onboarding(self, request):
        """Off to Stripe's onboarding (the account opened first if need be), or back to the
        page saying why not."""
        if not gateway.stripe_enabled():
            return redirect(self.page_url())
        pk = self.producer.pk
        try:
            url = start_onboarding(
                self.producer,
                refresh_url=request.build_absolute_uri(
                    reverse("payments:stripe-onboarding-refresh", kwargs={"producer_id": pk})
                ),
                return_url=request.build_absolute_uri(
                    reverse("payments:stripe-onboarding-return", kwargs={"producer_id": pk})
                ),
            )
        except gateway.GatewayError as error:
            messages.error(request, producer_message(error))
            return redirect(self.page_url())
        return redirect(url)


class StripeAccountView(StripeAccountMixin, TemplateView):
    """Where the producer's account stands, asked of Stripe each time (the return page of the
    onboarding too: ``returned``)."""

    template_name = "payments/stripe_account.html"
    returned = False

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        own = producer_of(self.request.user)
        online = gateway.stripe_enabled()
        account_id = (
            ProducerAccount.objects.filter(producer=self.producer)
            .values_list("account_id", flat=True)
            .first()
        )
        ctx.update(
            producer=self.producer,
            base_template=(
                "producers/space/base.html"
                if own is not None and own.pk == self.producer.pk
                else "oscar/layout.html"
            ),
            online=online,
            account_id=account_id or "",
            account=None,
            returned=self.returned,
        )
        if online and account_id:
            try:
                ctx["account"] = gateway.retrieve_connected_account(account_id)
                note_account_state(account_id, ctx["account"])
            except gateway.GatewayError as error:
                ctx["unavailable"] = producer_message(error)
        return ctx


class StartOnboardingView(StripeAccountMixin, View):
    """Opens the producer's account on Stripe if they have none, then off to its onboarding (a
    new link each time: a link serves once)."""

    def post(self, request, producer_id):
        return self.to_onboarding(request)


class OnboardingRefreshView(StripeAccountMixin, View):
    """Where Stripe sends a producer whose onboarding link expired or was used: a new link for
    the account they have (a GET, as Stripe redirects; it opens no account)."""

    def get(self, request, producer_id):
        if not ProducerAccount.objects.filter(producer=self.producer).exists():
            return redirect(self.page_url())
        return self.to_onboarding(request)
