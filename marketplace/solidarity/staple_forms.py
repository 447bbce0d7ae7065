"""The staples page's filter: one producer's products, or those a few words find. HTML only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.core.forms import AccessibleFormMixin

QUERY_LENGTH = 100


class StapleFilterForm(AccessibleFormMixin, forms.Form):
    producer = forms.TypedChoiceField(
        label=_("Producer"), coerce=int, empty_value=None, required=False
    )
    q = forms.CharField(
        label=_("Product or producer's name"), max_length=QUERY_LENGTH, required=False
    )

    def __init__(self, *args, producers: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].choices = [("", _("All producers")), *producers]

    def chosen(self) -> tuple[int | None, str]:
        """The producer and the words asked for; an unknown producer shows all of them."""
        if not self.is_valid():
            return None, (self.data.get("q") or "")[:QUERY_LENGTH].strip()
        return self.cleaned_data["producer"], self.cleaned_data["q"].strip()
