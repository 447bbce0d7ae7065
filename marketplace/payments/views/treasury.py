"""The treasurer: cheques and cash handed over to producers, in bulk; the overdue list."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from baskets.models import Contract
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.selectors import (
    held_payments_by_producer_and_month,
    is_treasurer,
    overdue_instalments,
)
from marketplace.payments.services import hand_over


class HandOverView(LoginRequiredMixin, TemplateView):
    """Cheques, cash and local currency the coordinators hold, per producer and month; those
    ticked are marked handed over to their producer."""

    template_name = "payments/hand_over.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_treasurer(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["groups"] = held_payments_by_producer_and_month()
        ctx["handed_groups"] = held_payments_by_producer_and_month(handed_over=True)[-6:]
        return ctx

    def post(self, request):
        try:
            ids = [int(pk) for pk in request.POST.getlist("payments")]
            handed = hand_over(ids, by=request.user)
        except ValueError:
            messages.error(request, _("Choose the payments handed over."))
        except PaymentRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d payment marked handed over to its producer.",
                    "%(count)d payments marked handed over to their producers.",
                    len(handed),
                )
                % {"count": len(handed)},
            )
        return redirect("payments:hand-over")


class OverdueView(LoginRequiredMixin, TemplateView):
    """Instalments past their due date and not paid: every one for the treasurer, those of
    their contracts for a coordinator."""

    template_name = "payments/overdue.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        treasurer = is_treasurer(user)
        if not treasurer and not Contract.objects.filter(coordinators=user).exists():
            raise PermissionDenied
        ctx = super().get_context_data(**kwargs)
        ctx["instalments"] = overdue_instalments(
            timezone.localdate(), coordinator=None if treasurer else user
        )
        return ctx
