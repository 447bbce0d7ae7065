"""Oscar's sign-in, registration and profile pages with our forms (same URLs, answered by
these subclasses: no fork of the customer app); the registration's "check your inbox" and
address confirmation pages; the page that asks an account without a name for one, once, right
after it signs in; the answer to a locked-out sign-in (django-axes)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import PasswordResetView
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from oscar.core.loading import get_class

from marketplace.members.forms import (
    MemberDetailsForm,
    MemberPasswordResetForm,
    MemberProfileForm,
    MemberRegistrationForm,
)
from marketplace.members.services import (
    address_confirmation_tokens,
    confirm_address,
    is_awaiting_confirmation,
    request_name_once,
)

AccountAuthView = get_class("customer.views", "AccountAuthView")
AccountRegistrationView = get_class("customer.views", "AccountRegistrationView")
ProfileUpdateView = get_class("customer.views", "ProfileUpdateView")


def _registered(form):
    """The same answer to every registration: whether the address had an account is told only
    to its owner, by email (register_member)."""
    form.save()
    return redirect("members:check-inbox")


class MemberAuthView(AccountAuthView):
    registration_form_class = MemberRegistrationForm

    def get_login_success_url(self, form):
        url = super().get_login_success_url(form)
        if request_name_once(self.request.user):
            return reverse("members:details") + "?" + urlencode({"next": url})
        return url

    def validate_registration_form(self):
        form = self.get_registration_form(bind_data=True)
        if form.is_valid():
            return _registered(form)
        return self.render_to_response(self.get_context_data(registration_form=form))


class MemberRegistrationView(AccountRegistrationView):
    form_class = MemberRegistrationForm

    def form_valid(self, form):
        return _registered(form)


class CheckInboxView(TemplateView):
    template_name = "members/check_inbox.html"


class ConfirmAddressView(TemplateView):
    """The link of the confirmation email: a page with a button (mail scanners that open links
    confirm nothing), whose form opens the account and signs its owner in."""

    template_name = "members/confirm_address.html"

    def dispatch(self, request, *args, **kwargs):
        self.member = self.member_of_link(kwargs["uidb64"], kwargs["token"])
        return super().dispatch(request, *args, **kwargs)

    def member_of_link(self, uidb64: str, token: str):
        try:
            pk = int(force_str(urlsafe_base64_decode(uidb64)))
        except (TypeError, ValueError, OverflowError):
            return None
        user = get_user_model()._default_manager.filter(pk=pk).first()
        if user is None or not is_awaiting_confirmation(user):
            return None
        return user if address_confirmation_tokens.check_token(user, token) else None

    def next_url(self) -> str:
        url = self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(
            url, {self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return url
        return settings.LOGIN_REDIRECT_URL

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "is_valid": self.member is not None}

    def post(self, request, *args, **kwargs):
        if self.member is None:
            return self.get(request, *args, **kwargs)
        confirm_address(self.member)
        login(request, self.member, backend="oscar.apps.customer.auth_backends.EmailBackend")
        messages.success(request, _("Your email address is confirmed: welcome!"))
        return redirect(self.next_url())


class MemberProfileUpdateView(ProfileUpdateView):
    """Oscar's profile page; changing the email address asks for the password."""

    form_class = MemberProfileForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class MemberPasswordResetView(PasswordResetView):
    form_class = MemberPasswordResetForm
    success_url = reverse_lazy("password-reset-done")
    template_name = "oscar/registration/password_reset_form.html"


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in while the account or the address is locked out."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "members/locked_out.html", {"minutes": minutes}, status=429)


class MemberDetailsView(LoginRequiredMixin, FormView):
    form_class = MemberDetailsForm
    template_name = "members/details.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def next_url(self) -> str:
        url = self.request.POST.get("next") or self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(
            url, {self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return url
        return reverse("customer:profile-view")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "next_url": self.next_url()}

    def form_valid(self, form):
        form.save()
        messages.success(self.request, _("Thank you: your name is saved."))
        return redirect(self.next_url())


class OrderLineView(get_class("customer.views", "OrderLineView")):
    """Oscar's order line, whose "order again" button posts here. Oscar gives the line no page
    (a GET was a 500 for want of a template): a GET goes to the order, which lists its lines; a
    line of another order is a 404."""

    def get_object(self, queryset=None):
        from django.shortcuts import get_object_or_404
        from oscar.core.loading import get_model

        order = get_object_or_404(
            get_model("order", "Order"), user=self.request.user, number=self.kwargs["order_number"]
        )
        return get_object_or_404(order.lines, pk=self.kwargs["line_id"])

    def get(self, request, *args, **kwargs):
        line = self.get_object()
        return redirect("customer:order", order_number=line.order.number)
