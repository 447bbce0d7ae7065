"""Solidarity's forms: HTML only, the services check what matters (and say it)."""

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from marketplace.core.forms import AccessibleFormMixin


class EurosField(forms.DecimalField):
    """An amount (or a percentage) as people type it, in either language: "1 000,50" as well
    as "1000.50", "12,5" as well as "12.5"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split())  # spaces, no-break spaces between thousands
            if "," in value and "." not in value:
                value = value.replace(",", ".")
        return super().to_python(value)


def _euros(label, **kwargs):
    return EurosField(label=label, max_digits=10, decimal_places=2, localize=True, **kwargs)


class RoundForm(AccessibleFormMixin, forms.Form):
    """A coordinator opens a contribution round on a contract."""

    budget = _euros(
        _("Season budget (€)"),
        help_text=_("What the producer needs for the whole season, for every basket."),
    )
    min_pledge = _euros(_("Lowest pledge per basket (€)"))
    max_pledge = _euros(_("Highest pledge per basket (€)"))
    deadline = forms.DateTimeField(
        label=_("Pledges until"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Date and time (Paris). The round closes then."),
    )


class PledgeForm(AccessibleFormMixin, forms.Form):
    """A member pledges, or changes their pledge, per basket."""

    amount = _euros(_("My pledge per basket (€)"))

    def __init__(self, *args, low=None, high=None, **kwargs):
        super().__init__(*args, **kwargs)
        if low is not None and high is not None:
            self.fields["amount"].help_text = _("Between %(low)s € and %(high)s € per basket.") % {
                "low": number_format(low, decimal_pos=2),
                "high": number_format(high, decimal_pos=2),
            }
