"""The solidarity funds' public pages, open to everyone without an account: the list of funds,
and each fund's figures over the last 12 months (aggregates only: nobody's name nor amount)."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView

from marketplace.solidarity.models import Fund
from marketplace.solidarity.selectors.transparency import fund_transparency


class PublicFundsView(TemplateView):
    template_name = "solidarity/public_funds.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["funds"] = Fund.objects.annotate(
            point_count=Count("points", filter=Q(points__pickup_point__is_active=True))
        ).order_by("name")
        return ctx


class FundTransparencyView(TemplateView):
    template_name = "solidarity/transparency.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        fund = get_object_or_404(Fund, slug=kwargs["slug"])
        ctx["fund"] = fund
        ctx["figures"] = fund_transparency(fund, timezone.localdate())
        return ctx
