"""Producers' monthly statements: on screen, as CSV, and as a PDF built in the background.

A producer sees their own; the treasurer and staff see every producer's. Anyone else is told
such a statement does not exist (404), so that producers' ids reveal nothing."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from marketplace.core.csv import CONTENT_TYPE as CSV_CONTENT_TYPE
from marketplace.payments import statement_files
from marketplace.payments.selectors import (
    is_treasurer,
    may_see_statements_of,
    producer_statement,
    statement_file,
    statement_months,
)
from marketplace.payments.selectors.statements import (
    first_of_month,
    next_month,
    previous_month,
)
from marketplace.payments.services import request_statement_pdf
from marketplace.payments.services.statements import pdf_fingerprint
from producers.models import Producer
from producers.selectors import producer_of


def month_param(month: date) -> str:
    """A month in the statements' URLs: ``YYYY-MM``."""
    return f"{month:%Y-%m}"


def parsed_month(text: str) -> date:
    """``YYYY-MM`` as the month's first day; 404 for anything else."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise Http404 from None


class StatementsView(LoginRequiredMixin, TemplateView):
    """The producer's months with something in them; for the treasurer, every producer."""

    template_name = "payments/statements.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        own, treasurer = producer_of(user), is_treasurer(user)
        if own is None and not treasurer:
            raise PermissionDenied(_("Statements are for producers and the treasurer."))
        ctx = super().get_context_data(**kwargs)
        ctx["this_month"] = first_of_month(timezone.localdate())
        ctx["producer"] = own
        ctx["months"] = statement_months(own) if own is not None else []
        ctx["producers"] = Producer.objects.order_by("name").only("pk", "name") if treasurer else []
        ctx["base_template"] = _base_template(user, own)
        return ctx


def _base_template(user, producer) -> str:
    """Producers read it in their space (its menu); the treasurer in the site's layout."""
    own = producer_of(user)
    if own is not None and producer is not None and own.pk == producer.pk:
        return "producers/space/base.html"
    return "oscar/layout.html"


class StatementMixin(LoginRequiredMixin):
    """The producer and month in the URL, for those who may see them (404 otherwise)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.producer = get_object_or_404(Producer, pk=kwargs["producer_id"])
        if not may_see_statements_of(request.user, self.producer):
            raise Http404
        self.month = parsed_month(kwargs["month"])
        if self.month > first_of_month(timezone.localdate()):
            raise Http404  # a month to come has no statement yet
        return super().dispatch(request, *args, **kwargs)

    def statement(self):
        if not hasattr(self, "_statement"):
            self._statement = producer_statement(self.producer, self.month)
        return self._statement

    def page_url(self) -> str:
        return reverse(
            "payments:statement",
            kwargs={"producer_id": self.producer.pk, "month": month_param(self.month)},
        )


class StatementView(StatementMixin, TemplateView):
    """One month's statement; "Prepare the PDF" asks for it in the background."""

    template_name = "payments/statement.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        statement = self.statement()
        record = statement_file(self.producer, self.month)
        fingerprint = pdf_fingerprint(statement, get_language())
        later = next_month(self.month)
        ctx.update(
            statement=statement,
            producer=self.producer,
            base_template=_base_template(self.request.user, self.producer),
            previous_month=previous_month(self.month),
            next_month=later if later <= first_of_month(timezone.localdate()) else None,
            months=statement_months(self.producer),
            pdf_ready=record is not None and record.is_ready_for(fingerprint),
            pdf_preparing=record is not None and record.is_being_prepared_for(fingerprint),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        if request_statement_pdf(self.statement(), language=get_language()):
            messages.info(
                request, _("The PDF is being prepared: reload this page in a few seconds.")
            )
        return redirect(self.page_url())


class StatementCsvView(StatementMixin, View):
    def get(self, request, *args, **kwargs):
        statement = self.statement()
        response = HttpResponse(statement_files.as_csv(statement), content_type=CSV_CONTENT_TYPE)
        name = statement_files.filename(statement, "csv")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class StatementPdfView(StatementMixin, View):
    """The PDF built for the statement as it stands; back to the page if it is not (yet)."""

    def get(self, request, *args, **kwargs):
        statement = self.statement()
        record = statement_file(self.producer, self.month, with_pdf=True)
        if record is None or not record.built_at:
            messages.warning(request, _("This PDF is not prepared yet."))
            return redirect(self.page_url())
        if not record.is_ready_for(pdf_fingerprint(statement, get_language())):
            messages.warning(
                request, _("The figures have changed since the PDF was built: prepare it again.")
            )
            return redirect(self.page_url())
        response = HttpResponse(bytes(record.pdf), content_type="application/pdf")
        name = statement_files.filename(statement, "pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
