"""The forms of a fund's page: an entry its coordinators record, their decision on a request.
HTML only: the services check what matters (and say it)."""

from datetime import date

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from marketplace.core.forms import AccessibleFormMixin
from marketplace.solidarity.forms import EurosField
from marketplace.solidarity.models import RECORDED_KINDS, FundEntry, FundEntryKind, TierRequest


class FundEntryForm(AccessibleFormMixin, forms.Form):
    """A donation, a grant or a correction, as a coordinator records it."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(kind.value, capfirst(kind.label)) for kind in RECORDED_KINDS]
    )
    amount = EurosField(
        label=_("Amount (€)"),
        max_digits=10,
        decimal_places=2,
        localize=True,
        help_text=_("A correction may be below zero, such as -12,50."),
    )
    on = forms.DateField(
        label=_("Date"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day the money came in or the correction applies; not later than today."),
    )
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=FundEntry._meta.get_field("reference").max_length,
        help_text=_("A cheque or transfer number, a grant's decision: optional."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=FundEntry._meta.get_field("note").max_length
    )

    def __init__(self, *args, today: date, **kwargs):
        kwargs.setdefault("initial", {"on": today, "kind": FundEntryKind.DONATION})
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["on"].widget.attrs["max"] = today.isoformat()

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > self.today:
            raise forms.ValidationError(_("An entry cannot be dated later than today."))
        return on

    def clean(self):
        data = super().clean()
        amount, kind = data.get("amount"), data.get("kind")
        if amount is not None and amount == 0:
            self.add_error("amount", _("The amount cannot be zero."))
        elif amount is not None and amount < 0 and kind != FundEntryKind.CORRECTION:
            self.add_error("amount", _("A donation or a grant is above zero."))
        return data


class DecisionForm(forms.Form):
    """A coordinator's answer to a tier request: approve, or refuse with a word if they wish."""

    APPROVE, REFUSE = "approve", "refuse"

    decision = forms.ChoiceField(choices=[(APPROVE, APPROVE), (REFUSE, REFUSE)])
    answer = forms.CharField(
        required=False, max_length=TierRequest._meta.get_field("answer").max_length
    )
