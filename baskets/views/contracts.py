"""The contracts open for sign-up, for everyone: their places, their room, signing up."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from baskets.change_notes import first_basket_note, waiting_list_note
from baskets.errors import BasketError
from baskets.forms import SubscribeForm
from baskets.models import ContractKind, Subscription, SubscriptionState
from baskets.selectors import (
    open_contracts,
    plan_products,
)
from baskets.services import (
    contract_delivery_dates,
    subscribe,
)
from baskets.services.capacity import baskets_left


def with_room(contracts):
    """Each contract's places, each told how many baskets it can still take."""
    contracts = list(contracts)
    left = baskets_left(place for contract in contracts for place in contract.places.all())
    for contract in contracts:
        contract.place_list = list(contract.places.all())
        for place in contract.place_list:
            place.left = left[place.pk]
    return contracts


class ContractListView(TemplateView):
    template_name = "baskets/contracts.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["contracts"] = with_room(open_contracts())
        return ctx


class ContractDetailView(DetailView):
    """A contract's terms and, for a signed-in member, the sign-up form."""

    template_name = "baskets/contract.html"
    context_object_name = "contract"

    def get_queryset(self):
        return open_contracts()

    def get_form(self):
        places = self.object.place_list
        data = self.request.POST if self.request.method == "POST" else None
        products = []
        if self.object.kind == ContractKind.VARIABLE:
            products = plan_products([self.object.plan_id]).get(self.object.plan_id, [])
        return SubscribeForm(data, places=places, products=products)

    def get_object(self, queryset=None):
        contract = super().get_object(queryset)
        return with_room([contract])[0]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", self.get_form())
        places = self.object.place_list
        ctx["dates_by_point"] = [
            (place, contract_delivery_dates(self.object, place.pickup_point)) for place in places
        ]
        return ctx

    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{resolve_url(settings.LOGIN_URL)}?next={request.path}")
        self.object = self.get_object()
        form = self.get_form()
        if form.is_valid():
            data = form.cleaned_data
            try:
                subscription = subscribe(
                    request.user,
                    self.object,
                    data["point"],
                    quantity=data["quantity"],
                    agreed=data["agreed"],
                    co_holder_email=data["co_holder_email"],
                    sharing=data.get("sharing") or "alone",
                    choice=data["choice"],
                )
            except BasketError as error:
                form.add_error(None, str(error))
            else:
                self.tell_member(subscription)
                return redirect("baskets:mine")
        return self.render_to_response(self.get_context_data(form=form))

    def tell_member(self, subscription: Subscription) -> None:
        invited = subscription.co_holdings.first()
        if invited is not None:
            # The same words whether or not the address has an account here.
            messages.info(
                self.request,
                _(
                    "We emailed an invitation to share this basket to %(email)s: it is shared "
                    "once they accept."
                )
                % {"email": invited.email},
            )
        if subscription.state == SubscriptionState.WAITING:
            messages.warning(self.request, waiting_list_note(subscription))
        else:
            subscribed = _("You are subscribed to %(plan)s at %(point)s.") % {
                "plan": subscription.contract.plan.name,
                "point": subscription.pickup_point.name,
            }
            messages.success(
                self.request, f"{subscribed} {first_basket_note(subscription)}".strip()
            )
