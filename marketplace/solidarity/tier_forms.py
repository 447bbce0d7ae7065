"""A member's choice of solidarity tier: HTML only, ``services.tiers.ask_for_tier`` checks what
matters (and says it); the form says what is missing next to its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.core.forms import AccessibleFormMixin
from marketplace.solidarity.forms import EurosField
from marketplace.solidarity.models import Tier, TierRequest

HUNDRED = 100


class TierChoiceForm(AccessibleFormMixin, forms.Form):
    """The reduced tier (with a short declaration), the standard tier, or the supporter tier (a
    percentage above the reference price, or an amount above it per basket)."""

    tier = forms.ChoiceField(label=_("I choose"), choices=Tier.choices, widget=forms.RadioSelect)
    declaration = forms.CharField(
        label=_("Why I ask for the reduced tier"),
        max_length=TierRequest._meta.get_field("declaration").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Needed for the reduced tier. A few words are enough (500 characters at most). Only "
            "the coordinators of the solidarity fund read it: never the producers, nor the other "
            "members."
        ),
    )
    supporter_percent = EurosField(
        label=_("Supporter: percentage above the reference price (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    supporter_amount = EurosField(
        label=_("Supporter: or an amount above the reference price, per basket (€)"),
        max_digits=8,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    pickup_point = forms.TypedChoiceField(
        label=_("Pickup point where I collect my orders"), coerce=int, required=False
    )

    def __init__(self, *args, tier_labels=None, by_amount=True, points=(), **kwargs):
        """``tier_labels``: each tier's label, with its price; ``by_amount``: whether a supporter
        may give an amount per basket (not when prices vary); ``points``: where an à la carte
        member may ask, when there is a choice."""
        super().__init__(*args, **kwargs)
        if tier_labels:
            self.fields["tier"].choices = [(value, tier_labels[value]) for value in Tier.values]
        if not by_amount:
            del self.fields["supporter_amount"]
            self.fields["supporter_percent"].help_text = _(
                "Your prices vary with what you choose: give a percentage above them."
            )
        else:
            self.fields["supporter_percent"].help_text = _(
                "Give either a percentage or an amount per basket, not both."
            )
        if len(points) > 1:
            self.fields["pickup_point"].choices = [(point.pk, point.name) for point in points]
            self.fields["pickup_point"].required = True
        else:
            del self.fields["pickup_point"]

    def clean(self):
        data = super().clean()
        tier = data.get("tier")
        if (
            tier == Tier.REDUCED
            and not data.get("declaration")
            and "declaration" not in self.errors
        ):
            self.add_error("declaration", _("Say in a few words why you ask for the reduced tier."))
        if tier == Tier.SUPPORTER:
            self._check_supporter_terms(data)
        return data

    def _check_supporter_terms(self, data):
        if "supporter_percent" in self.errors or "supporter_amount" in self.errors:
            return
        percent, amount = data.get("supporter_percent"), data.get("supporter_amount")
        if percent is None and amount is None:
            self.add_error(
                "supporter_percent",
                _("As a supporter, give a percentage above the reference price.")
                if "supporter_amount" not in self.fields
                else _("As a supporter, give a percentage or an amount above the reference price."),
            )
        elif percent is not None and amount is not None:
            self.add_error("supporter_amount", _("Give a percentage or an amount, not both."))
        elif percent is not None and not 0 < percent <= HUNDRED:
            self.add_error("supporter_percent", _("Give a percentage above 0 and at most 100."))
        elif amount is not None and amount <= 0:
            self.add_error(
                "supporter_amount", _("Give an amount above 0 €: what you add to the price.")
            )
