"""A fund's staples page: its coordinators tick the products the fund opens to its reduced
tier à la carte. A filtered page saves only the products it shows: the others keep their state.

Only the fund's coordinators and staff see it; anyone else gets a 404 (``funds``)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import View

from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.selectors.staples import (
    eligible_product_ids,
    producers_to_filter_by,
    products_to_choose,
)
from marketplace.solidarity.services.staples import set_eligible_products
from marketplace.solidarity.staple_forms import StapleFilterForm
from marketplace.solidarity.views.funds import coordinated_fund

SHOWN_AT_MOST = 200


def _ids(values) -> set[int]:
    """Raises ValueError on anything but ids (a form nobody sent from the page)."""
    return {int(value) for value in values if value != ""}


def _saved_message(added: int, removed: int) -> str:
    if not added and not removed:
        return _("Nothing changed.")
    return _("%(added)s, %(removed)s.") % {
        "added": ngettext("%(n)s product added", "%(n)s products added", added) % {"n": added},
        "removed": ngettext("%(n)s product removed", "%(n)s products removed", removed)
        % {"n": removed},
    }


class StaplesView(LoginRequiredMixin, View):
    def get(self, request, pk):
        fund = coordinated_fund(request.user, pk)
        form = StapleFilterForm(request.GET, producers=producers_to_filter_by())
        producer, query = form.chosen()
        groups = products_to_choose(fund, producer, query, limit=SHOWN_AT_MOST + 1)
        shown = [product.pk for group in groups for product in group.products]
        is_cut = len(shown) > SHOWN_AT_MOST
        if is_cut:
            shown.pop()
            groups[-1].products.pop()
            if not groups[-1].products:
                groups.pop()
        context = {
            "fund": fund,
            "filter_form": form,
            "is_filtered": bool(producer or query),
            "groups": groups,
            "shown_ids": ",".join(map(str, shown)),
            "is_cut": is_cut,
            "shown_at_most": SHOWN_AT_MOST,
        }
        return render(request, "solidarity/staples.html", context)

    def post(self, request, pk):
        fund = coordinated_fund(request.user, pk)
        try:
            shown = _ids(request.POST.get("shown", "").split(","))
            ticked = _ids(request.POST.getlist("product"))
        except ValueError:
            return HttpResponseBadRequest()
        chosen = (eligible_product_ids(fund) - shown) | ticked
        try:
            added, removed = set_eligible_products(request.user, fund, chosen)
        except SolidarityRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _saved_message(added, removed))
        # The form posts to the page's own address: back to the same filter.
        return redirect(request.get_full_path())
