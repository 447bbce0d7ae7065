from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.core.forms import AccessibleFormMixin


class CancelDayForm(AccessibleFormMixin, forms.Form):
    """A coordinator cancels one coming distribution: the reason goes into every email."""

    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=200,
        help_text=_("Members, volunteers and producers read it in the email they receive."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "aria-describedby": "reason-help"}),
    )
