"""Oscar's sign-in and registration pages with our registration form (same URLs, answered by
these subclasses: no fork of the customer app), and the page that asks an account without a
name for one, once, right after it signs in."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from oscar.core.loading import get_class

from marketplace.members.forms import MemberDetailsForm, MemberRegistrationForm
from marketplace.members.services import request_name_once

AccountAuthView = get_class("customer.views", "AccountAuthView")
AccountRegistrationView = get_class("customer.views", "AccountRegistrationView")


class MemberAuthView(AccountAuthView):
    registration_form_class = MemberRegistrationForm

    def get_login_success_url(self, form):
        url = super().get_login_success_url(form)
        if request_name_once(self.request.user):
            return reverse("members:details") + "?" + urlencode({"next": url})
        return url


class MemberRegistrationView(AccountRegistrationView):
    form_class = MemberRegistrationForm


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
