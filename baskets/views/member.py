"""A member's own baskets (Mes paniers) and what they can do with them before the deadline."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from baskets.change_notes import first_basket_note, kept_baskets_note
from baskets.contract_pdf import contract_summary_pdf
from baskets.errors import BasketError
from baskets.forms import ChoiceForm, PauseForm, TransferForm
from baskets.models import (
    LIVE_CO_HOLDING_STATES,
    CoHolding,
    CoHoldingState,
    Subscription,
    SubscriptionState,
)
from baskets.my_baskets import deliveries_by_month, place_messages, tell_member_near
from baskets.selectors import (
    manages_any_contract,
    member_subscriptions,
    offered_baskets_for,
    past_deliveries,
    plan_products,
    taken_baskets_for,
)
from baskets.selectors.consequences import giving_away
from baskets.services import (
    accept_offered_place,
    cancel_pause,
    cancel_skip,
    choose_delivery_contents,
    choose_usual_contents,
    claim_basket,
    leave_contract,
    pause_subscription,
    release_basket,
    skip_delivery,
    take_back,
    transfer_delivery,
    waiting_position,
)
from marketplace.core.confirmation import is_confirmed, resent_fields


class MyBasketsView(LoginRequiredMixin, TemplateView):
    """The member's subscriptions, their coming deliveries, and baskets offered to them."""

    template_name = "baskets/mine.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["subscriptions"] = member_subscriptions(user)
        for entry in ctx["subscriptions"]:
            if entry.subscription.state == SubscriptionState.WAITING:
                entry.position = waiting_position(entry.subscription)
        for entry in ctx["subscriptions"]:
            if entry.products:
                sub = entry.subscription
                entry.usual_form = ChoiceForm(
                    products=entry.products,
                    initial_quantities=entry.usual_quantities,
                    auto_id=f"usual-{sub.pk}-%s",
                )
                for delivery in entry.deliveries:
                    delivery.choice_form = ChoiceForm(
                        products=entry.products,
                        initial_quantities=delivery.chosen_quantities,
                        auto_id=f"choice-{sub.pk}-{delivery.day.pk}-%s",
                    )
        attach_sharings(ctx["subscriptions"], user)
        ctx["offered"] = offered_baskets_for(user)
        ctx["taken"] = taken_baskets_for(user)
        ctx["past"] = past_deliveries(user)
        ctx["coordinates"] = manages_any_contract(user)
        ctx["pause_form"] = PauseForm()
        ctx["today"] = timezone.localdate()
        self.place_messages(ctx)
        return ctx

    def place_messages(self, ctx) -> None:
        """Each action's message beside what was tapped, the month holding it unfolded;
        messages with no place on the page stay at the top (``messages`` replaces the
        context processor's for the layout)."""
        places = {"offered": ctx["offered"], "taken": ctx["taken"]}
        for entry in ctx["subscriptions"]:
            sub = entry.subscription
            entry.anchor = f"subscription-{sub.pk}"
            places[entry.anchor] = entry
            for delivery in entry.deliveries:
                delivery.anchor = f"delivery-{sub.pk}-{delivery.day.pk}"
                places[delivery.anchor] = delivery
        placed, ctx["messages"] = place_messages(
            self.request, {anchor for anchor, place in places.items() if place}
        )
        for anchor, place in places.items():
            if hasattr(place, "anchor"):
                place.placed_messages = placed.get(anchor, [])
        ctx["offered_messages"] = placed.get("offered", [])
        ctx["taken_messages"] = placed.get("taken", [])
        for entry in ctx["subscriptions"]:
            entry.months = deliveries_by_month(entry.deliveries, open_anchors=set(placed))


def attach_sharings(entries, user) -> None:
    """Each subscription's sharing, running or invited (``entry.co_holding``), and for its
    holder only, the last invitation declined (``entry.declined_invitation``). One query."""
    latest = {}
    for co_holding in CoHolding.objects.filter(
        subscription__in=[entry.subscription for entry in entries]
    ).order_by("invited_at", "pk"):
        latest[co_holding.subscription_id] = co_holding
    for entry in entries:
        sub = entry.subscription
        co_holding = latest.get(sub.pk)
        is_live = co_holding is not None and co_holding.state in LIVE_CO_HOLDING_STATES
        # An invitation is the holder's: the co-holder sees the sharing once they accepted.
        if is_live and (sub.member_id == user.pk or co_holding.co_holder_id == user.pk):
            entry.co_holding = co_holding
        else:
            entry.co_holding = None
        declined = co_holding is not None and co_holding.state == CoHoldingState.DECLINED
        entry.declined_invitation = co_holding if declined and sub.member_id == user.pk else None


class MemberActionView(LoginRequiredMixin, View):
    """A POST that does one thing to the member's subscription, then back to their page with
    what happened, or why not."""

    def post(self, request, *args, **kwargs):
        anchor = self.anchor(**kwargs)
        try:
            message = self.act(request, **kwargs)
        except BasketError as error:
            tell_member_near(request, messages.ERROR, str(error), anchor)
        else:
            tell_member_near(request, messages.SUCCESS, message, anchor)
        return redirect(f"{reverse('baskets:mine')}#{anchor}")

    def anchor(self, **kwargs) -> str:
        return f"subscription-{kwargs['pk']}"

    def act(self, request, **kwargs) -> str:
        raise NotImplementedError


def _when(day) -> str:
    return date_format(timezone.localtime(day.starts_at), "l j F")


class DeliveryActionView(MemberActionView):
    """An action on one delivery: its message is shown in that delivery's place."""

    def anchor(self, pk, day_id=None) -> str:
        if day_id is None:
            return super().anchor(pk=pk)
        return f"delivery-{pk}-{day_id}"


class SkipDeliveryView(DeliveryActionView):
    def act(self, request, pk, day_id):
        absence = skip_delivery(request.user, pk, day_id)
        return _("Your basket of %(date)s is skipped.") % {
            "date": date_format(absence.starts_on, "l j F")
        }


class CancelSkipView(DeliveryActionView):
    def act(self, request, pk, day_id):
        day = cancel_skip(request.user, pk, day_id)
        return _("You collect your basket of %(date)s after all.") % {"date": _when(day)}


class CancelPauseView(MemberActionView):
    def act(self, request, pk, absence_id):
        shortened = cancel_pause(request.user, pk, absence_id)
        if shortened is None:
            return _("Your pause is cancelled: your baskets are back to collect.")
        return _(
            "Your pause now ends on %(last)s: the deliveries before are past their deadline "
            "and stay skipped; the ones after are back to collect."
        ) % {"last": date_format(shortened.ends_on, "l j F")}


class TakeBackView(DeliveryActionView):
    def act(self, request, pk, day_id):
        day = take_back(request.user, pk, day_id)
        return _("Your basket of %(date)s is yours again.") % {"date": _when(day)}


class ReleaseBasketView(MemberActionView):
    def anchor(self, **kwargs) -> str:
        return "taken"

    def act(self, request, pk):
        transfer = release_basket(request.user, pk)
        return _(
            "You gave up the basket of %(date)s: it is offered to the other members again."
        ) % {"date": _when(transfer.distribution_day)}


class TransferDeliveryView(DeliveryActionView):
    """Giving a basket away asks first, saying who collects it, who is told, and until when
    the member can take it back."""

    def post(self, request, *args, **kwargs):
        if not is_confirmed(request.POST):
            return self.ask_confirmation(request, **kwargs)
        return super().post(request, *args, **kwargs)

    def ask_confirmation(self, request, pk, day_id):
        form = TransferForm(request.POST)
        back = f"{reverse('baskets:mine')}#delivery-{pk}-{day_id}"
        try:
            if not form.is_valid():
                raise BasketError(_("Choose whom the basket goes to."))
            data = form.cleaned_data
            given = giving_away(request.user, pk, day_id, data["kind"], data["recipient_name"])
        except BasketError as error:
            messages.error(request, str(error))
            return redirect(back)
        context = {"given": given, "resent": resent_fields(request.POST), "back_url": back}
        return render(request, "baskets/confirm_transfer.html", context)

    def act(self, request, pk, day_id):
        form = TransferForm(request.POST)
        if not form.is_valid():
            raise BasketError(_("Choose whom the basket goes to."))
        transfer = transfer_delivery(
            request.user, pk, day_id, form.cleaned_data["kind"], form.cleaned_data["recipient_name"]
        )
        when = _when(transfer.distribution_day)
        if transfer.kind == "named":
            return _("%(name)s will collect your basket on %(date)s.") % {
                "name": transfer.recipient_name,
                "date": when,
            }
        if transfer.kind == "food_aid":
            return _("Your basket of %(date)s goes to %(partner)s. Thank you!") % {
                "date": when,
                "partner": transfer.subscription.pickup_point.food_aid_partner,
            }
        return _("Your basket of %(date)s is offered to the other members.") % {"date": when}


class ChooseContentsView(DeliveryActionView):
    """A variable contract: the member's usual choice, or one delivery's (with ``day_id``)."""

    def act(self, request, pk, day_id=None):
        subscription = get_object_or_404(Subscription.objects.select_related("contract"), pk=pk)
        products = plan_products([subscription.contract.plan_id]).get(
            subscription.contract.plan_id, []
        )
        form = ChoiceForm(request.POST, products=products)
        if not form.is_valid():
            raise BasketError(_("Quantities are whole numbers from 0 to 99."))
        if day_id is None:
            choose_usual_contents(request.user, pk, form.quantities())
            return _(
                "Your usual choice is saved: it applies to every delivery you have not chosen for."
            )
        choose_delivery_contents(request.user, pk, day_id, form.quantities())
        return _("Your choice for this delivery is saved.")


class PauseView(MemberActionView):
    def act(self, request, pk):
        form = PauseForm(request.POST)
        if not form.is_valid():
            raise BasketError(_("Give the first and last days of your pause."))
        absence = pause_subscription(
            request.user, pk, form.cleaned_data["starts_on"], form.cleaned_data["ends_on"]
        )
        return _("Your baskets are paused from %(first)s to %(last)s.") % {
            "first": date_format(absence.starts_on, "j F"),
            "last": date_format(absence.ends_on, "j F Y"),
        }


class AcceptPlaceView(MemberActionView):
    def act(self, request, pk):
        subscription = accept_offered_place(request.user, pk)
        welcome = _("Welcome! Your place in %(plan)s at %(point)s is confirmed.") % {
            "plan": subscription.contract.plan.name,
            "point": subscription.pickup_point.name,
        }
        return f"{welcome} {first_basket_note(subscription)}".strip()


class LeaveContractView(MemberActionView):
    def act(self, request, pk):
        subscription = leave_contract(request.user, pk)
        left = _("You have left %(plan)s (%(season)s).") % {
            "plan": subscription.contract.plan.name,
            "season": subscription.contract.name,
        }
        return f"{left} {kept_baskets_note(subscription, yours=True)}".strip()


class ClaimBasketView(MemberActionView):
    def anchor(self, **kwargs) -> str:
        return "taken"

    def act(self, request, pk):
        transfer = claim_basket(request.user, pk)
        return _("The basket is yours: collect it at %(point)s on %(date)s.") % {
            "point": transfer.subscription.pickup_point.name,
            "date": _when(transfer.distribution_day),
        }


class ContractPdfView(LoginRequiredMixin, View):
    """The printable summary of a member's contract: theirs or their co-holder's only."""

    def get(self, request, pk):
        subscription = get_object_or_404(
            Subscription.objects.select_related(
                "contract__plan__producer", "pickup_point", "member", "co_holder"
            ),
            pk=pk,
        )
        if request.user.pk not in (subscription.member_id, subscription.co_holder_id):
            raise Http404
        response = HttpResponse(contract_summary_pdf(subscription), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="contrat-{subscription.pk}.pdf"'
        return response
