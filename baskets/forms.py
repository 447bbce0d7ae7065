from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from baskets.models import Sharing, TransferKind
from marketplace.core.forms import AccessibleFormMixin


class SubscribeForm(AccessibleFormMixin, forms.Form):
    """Signing up for a contract: where, how many, shared with whom, terms accepted."""

    pickup_point = forms.ChoiceField(label=_("Pickup point"))
    quantity = forms.IntegerField(
        label=_("Baskets per delivery"), min_value=1, max_value=10, initial=1
    )
    co_holder_email = forms.EmailField(
        label=_("Co-holder's email (optional)"),
        required=False,
        help_text=_(
            "Another household sharing the basket. They are emailed an invitation: the basket is "
            "shared once they accept."
        ),
    )
    sharing = forms.ChoiceField(
        label=_("How you share it"),
        choices=[c for c in Sharing.choices if c[0] != Sharing.ALONE],
        required=False,
    )
    agreed = forms.BooleanField(
        label=_("I have read the contract's terms and commit to them for the season"),
        error_messages={"required": _("Please read and accept the contract's terms.")},
    )

    def __init__(self, *args, places, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        add_product_fields(self, products, {})
        self.order_fields([name for name in self.fields if name != "agreed"] + ["agreed"])
        self.points = {str(place.pickup_point_id): place.pickup_point for place in places}
        self.fields["pickup_point"].choices = [
            (str(place.pickup_point_id), f"{place.pickup_point.name} ({place.pickup_point.town})")
            for place in places
        ]

    def clean(self):
        data = super().clean()
        data["choice"] = chosen_quantities(self)
        if data.get("pickup_point"):
            data["point"] = self.points[data["pickup_point"]]
        if data.get("co_holder_email") and not data.get("sharing"):
            self.add_error("sharing", _("Say how you share the basket with your co-holder."))
        return data


class TransferForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=TransferKind.choices, widget=forms.HiddenInput)
    recipient_name = forms.CharField(
        label=_("Name of the person collecting it"), max_length=120, required=False
    )


class PauseForm(AccessibleFormMixin, forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))


def add_product_fields(form, products, initial: dict[int, int]) -> None:
    """One quantity per product of a variable contract, labelled with its price."""
    for product in products:
        form.fields[f"product_{product.product_id}"] = forms.IntegerField(
            label=_("%(product)s (%(price)s € each)")
            % {"product": product.title, "price": product.unit_price},
            min_value=0,
            max_value=99,
            required=False,
            initial=initial.get(product.product_id, 0),
            widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        )


def chosen_quantities(form) -> dict[int, int]:
    return {
        int(name.removeprefix("product_")): value or 0
        for name, value in form.cleaned_data.items()
        if name.startswith("product_")
    }


class ChoiceForm(forms.Form):
    """What a member of a variable contract takes: usually, or at one delivery."""

    def __init__(self, *args, products, initial_quantities=None, prefix=None, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        add_product_fields(self, products, initial_quantities or {})

    def quantities(self) -> dict[int, int]:
        return chosen_quantities(self)


class NotBroughtForm(AccessibleFormMixin, forms.Form):
    """The distribution whose baskets the producer could not bring, and why."""

    day = forms.TypedChoiceField(label=_("Distribution"), coerce=int)
    reason = forms.CharField(
        label=_("Why"),
        max_length=300,
        help_text=_("The members read it in the email they receive."),
        widget=forms.Textarea(attrs={"rows": 3, "aria-describedby": "id_reason_helptext"}),
    )

    def __init__(self, *args, days, **kwargs):
        super().__init__(*args, **kwargs)
        self.days = {day.pk: day for day in days}
        self.fields["day"].choices = [
            (day.pk, date_format(timezone.localtime(day.starts_at), "l j F Y")) for day in days
        ]

    def clean_day(self):
        return self.days[self.cleaned_data["day"]]
