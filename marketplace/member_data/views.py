"""The member's data pages under /accounts/: download it, close the account (answering Oscar's
own "delete profile" URL), and the page they land on after."""

from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View
from oscar.core.loading import get_class

from marketplace.member_data.errors import AccountNotClosed
from marketplace.member_data.selectors import member_data_csv, member_data_json
from marketplace.member_data.services import close_account

ConfirmPasswordForm = get_class("customer.forms", "ConfirmPasswordForm")

DOWNLOADS = {
    "json": (member_data_json, "application/json; charset=utf-8"),
    "csv": (member_data_csv, "text/csv; charset=utf-8"),
}


class MemberDataView(LoginRequiredMixin, TemplateView):
    template_name = "member_data/my_data.html"
    extra_context = {"page_title": gettext_lazy("My data"), "active_tab": "profile"}


class MemberDataDownloadView(LoginRequiredMixin, View):
    def get(self, request, *args, **kwargs):
        if kwargs["format"] not in DOWNLOADS:
            raise Http404
        render, content_type = DOWNLOADS[kwargs["format"]]
        response = HttpResponse(render(request.user), content_type=content_type)
        filename = f"mes-donnees-{timezone.localdate():%Y-%m-%d}.{kwargs['format']}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response


class CloseAccountView(LoginRequiredMixin, FormView):
    """Oscar's "Delete profile" (same URL): the password, then the account is closed, or the
    member is told what to do first."""

    form_class = ConfirmPasswordForm
    template_name = "member_data/close_account.html"
    extra_context = {"page_title": gettext_lazy("Close my account"), "active_tab": "profile"}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            close_account(self.request.user)
        except AccountNotClosed as refused:
            return self.render_to_response(
                self.get_context_data(form=form, reasons=refused.reasons)
            )
        logout(self.request)
        return redirect("member_data:goodbye")


class GoodbyeView(TemplateView):
    template_name = "member_data/goodbye.html"
