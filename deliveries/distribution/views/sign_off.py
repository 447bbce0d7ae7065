"""The sign-off sheet of a distribution day to download: a PDF to print, a CSV for a
spreadsheet. For the same people as the pickup list (the day's volunteers, the point's
coordinators, staff)."""

from django.http import Http404, HttpResponse
from django.views.generic import View

from deliveries.distribution.sign_off_sheet import (
    sheet_filename,
    sign_off_sheet_csv,
    sign_off_sheet_pdf,
)
from deliveries.distribution.views.pickup_list import PickupListAccessMixin
from marketplace.core.csv import CONTENT_TYPE as CSV_CONTENT_TYPE


class SignOffSheetView(PickupListAccessMixin, View):
    """``emargement.pdf`` or ``emargement.csv``, or ``?format=pdf|csv``."""

    def get(self, request, *args, **kwargs):
        file_format = kwargs.get("format") or request.GET.get("format", "pdf")
        if file_format not in ("pdf", "csv"):
            raise Http404
        filename = f"{sheet_filename(self.day)}.{file_format}"
        if file_format == "pdf":
            response = HttpResponse(sign_off_sheet_pdf(self.day), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{filename}"'
        else:
            response = HttpResponse(sign_off_sheet_csv(self.day), content_type=CSV_CONTENT_TYPE)
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
