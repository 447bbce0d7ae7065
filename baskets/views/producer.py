"""The producer's basket pages: how many baskets to bring where, and what is in them."""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.validators import MinValueValidator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from baskets.errors import CompositionRefused
from baskets.models import BasketPlan, Contract, DeliveryComposition
from baskets.selectors import BasketCount, basket_counts, collected_counts, compositions_for
from baskets.services import announce_composition
from baskets.services.compositions import plan_delivery_dates
from producers.space_views import ProducerRequiredMixin

WEEKS_AHEAD = 3
BLANK_LINES = 8  # when nothing is announced yet
EXTRA_LINES = 3  # below the lines already announced
MAX_LINES = 40
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class CompositionLineForm(forms.Form):
    """One product of the basket. Blank lines are allowed and ignored."""

    name = forms.CharField(label=gettext_lazy("Product"), max_length=120, required=False)
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity"),
        max_digits=7,
        decimal_places=2,
        required=False,
        localize=True,  # "1,5" as French producers type it
        validators=[MinValueValidator(Decimal("0.01"))],
        error_messages={"min_value": gettext_lazy("The quantity must be above zero.")},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    unit = forms.CharField(
        label=gettext_lazy("Unit"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"list": "composition-units", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field_ in self.fields.values():
            field_.widget.attrs["class"] = "form-control"

    def clean(self):
        data = super().clean()
        name = (data.get("name") or "").strip()
        if not name and (data.get("quantity") is not None or (data.get("unit") or "").strip()):
            self.add_error("name", _("Give the product's name, or empty the line."))
        if name and data.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", _("Give the quantity in the basket."))
        return data

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"
                attrs["class"] = "form-control is-invalid"

    def as_line(self) -> tuple[str, Decimal | None, str] | None:
        name = (self.cleaned_data.get("name") or "").strip()
        if not name:
            return None
        return (name, self.cleaned_data.get("quantity"), self.cleaned_data.get("unit") or "")


class CompositionNoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note for members"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Optional: a recipe idea, a product that replaces another..."),
        widget=forms.Textarea(
            attrs={"rows": 2, "class": "form-control", "aria-describedby": "id_note_helptext"}
        ),
    )

    def full_clean(self):
        super().full_clean()
        if "note" in self.errors:
            attrs = self.fields["note"].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = "id_note_error id_note_helptext"
            attrs["class"] = "form-control is-invalid"


def line_formset(extra: int):
    return forms.formset_factory(
        CompositionLineForm, extra=extra, max_num=MAX_LINES, validate_max=True
    )


@dataclass
class DayBaskets:
    """The baskets to bring on one date, per pickup point and plan."""

    date: date
    rows: list[BasketCount] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.baskets for row in self.rows)


@dataclass
class PlannedDelivery:
    date: date
    composition: DeliveryComposition | None


@dataclass
class PlanDeliveries:
    plan: BasketPlan
    deliveries: list[PlannedDelivery] = field(default_factory=list)


def coming_window(today: date | None = None) -> tuple[date, date]:
    """From today (Paris time) for three weeks, today included."""
    first = today or timezone.localdate()
    return first, first + timedelta(weeks=WEEKS_AHEAD) - timedelta(days=1)


def days_of_baskets(counts: list[BasketCount]) -> list[DayBaskets]:
    days: list[DayBaskets] = []
    for row in counts:  # already sorted by date
        if not days or days[-1].date != row.date:
            days.append(DayBaskets(row.date))
        days[-1].rows.append(row)
    return days


class BasketsView(ProducerRequiredMixin, TemplateView):
    """The baskets to bring in the coming weeks, and the compositions announced for them.

    Queries do not grow with subscriptions: one for the counts, two for the plans, two for the
    compositions, and the plans' calendars (a few per contract and pickup point)."""

    template_name = "producers/space/baskets.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        first, last = coming_window()
        plans = list(
            BasketPlan.objects.filter(producer=self.producer)
            .prefetch_related(
                Prefetch(
                    "contracts",
                    queryset=Contract.objects.filter(starts_on__lte=last, ends_on__gte=first),
                    to_attr="running_contracts",
                )
            )
            .order_by("name", "pk")
        )
        running = [PlanDeliveries(plan) for plan in plans if plan.running_contracts]
        dates_of = {
            entry.plan.pk: plan_delivery_dates(entry.plan, first, last) for entry in running
        }
        compositions = compositions_for(
            list(dates_of), {day for dates in dates_of.values() for day in dates}
        )
        for entry in running:
            entry.deliveries = [
                PlannedDelivery(day, compositions.get((entry.plan.pk, day)))
                for day in dates_of[entry.plan.pk]
            ]
        ctx.update(
            first=first,
            last=last,
            days=days_of_baskets(basket_counts(self.producer, first, last)),
            has_plans=bool(plans),
            plans=running,
            collected=collected_counts(self.producer, first - timedelta(weeks=2), first),
        )
        return ctx


class CompositionView(ProducerRequiredMixin, TemplateView):
    """The producer announces (or changes) what one date's basket of a plan holds."""

    template_name = "producers/space/composition_form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        value = kwargs["day"]
        try:
            self.day = date.fromisoformat(value) if ISO_DATE.fullmatch(value) else None
        except ValueError:
            self.day = None

    def get_plan(self) -> BasketPlan:
        if self.day is None:
            raise Http404
        return get_object_or_404(BasketPlan, pk=self.kwargs["plan_id"], producer=self.producer)

    def get(self, request, *args, **kwargs):
        plan = self.get_plan()
        composition = compositions_for([plan.pk], [self.day]).get((plan.pk, self.day))
        lines = list(composition.lines.all()) if composition else []
        formset = line_formset(EXTRA_LINES if lines else BLANK_LINES)(
            prefix="lines",
            initial=[
                {"name": line.name, "quantity": line.quantity, "unit": line.unit} for line in lines
            ],
        )
        note_form = CompositionNoteForm(initial={"note": composition.note if composition else ""})
        return self.render_to_response(
            self.get_context_data(
                plan=plan,
                composition=composition,
                formset=formset,
                note_form=note_form,
                is_past=self.day < timezone.localdate(),
                is_delivery_date=self.day in plan_delivery_dates(plan, self.day, self.day),
            )
        )

    def post(self, request, *args, **kwargs):
        plan = self.get_plan()
        formset = line_formset(0)(request.POST, prefix="lines")
        note_form = CompositionNoteForm(request.POST)
        refusal = ""
        if formset.is_valid() and note_form.is_valid():
            lines = [line for line in (form.as_line() for form in formset) if line]
            try:
                announce_composition(
                    self.producer, plan.pk, self.day, lines, note_form.cleaned_data["note"]
                )
            except CompositionRefused as error:
                refusal = str(error)
            else:
                messages.success(request, _("Composition announced: members see it on their page."))
                return redirect("producer_space:baskets")
        return self.render_to_response(
            self.get_context_data(
                plan=plan,
                formset=formset,
                note_form=note_form,
                refusal=refusal,
                is_past=False,
                is_delivery_date=True,
            )
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["day"] = self.day
        return ctx
