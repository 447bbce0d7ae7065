from django import forms
from django.utils.translation import gettext_lazy as _

from deliveries.network.geocoding import (
    AddressSearchUnavailable,
    TooManyAddressSearches,
    locate_place,
)
from marketplace.core.forms import AccessibleFormMixin


class PickupPointFinderForm(AccessibleFormMixin, forms.Form):
    """Where the visitor is: a postcode, a town or an address, or the browser's position."""

    q = forms.CharField(
        label=_("Postcode, town or address"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)

    def __init__(self, *args, visitor: str | None = None, **kwargs):
        """``visitor``: the visitor's address, for the limit on address searches."""
        super().__init__(*args, **kwargs)
        self.visitor = visitor
        # An answer that holds only now (the geocoder busy or slow), not for the next visitor.
        self.is_momentary = False

    def clean(self):
        data = super().clean()
        if self.errors:
            if "lat" in self.errors or "lon" in self.errors:
                raise forms.ValidationError(
                    _("Your position could not be read. Type a postcode or a town instead.")
                )
            return data
        if data.get("lat") is not None and data.get("lon") is not None:
            data["place"] = (data["lat"], data["lon"], _("your position"))
            return data
        query = data.get("q", "").strip()
        if not query:
            self.add_error("q", _("Type a postcode, a town or an address."))
            return data
        try:
            found = locate_place(query, visitor=self.visitor)
        except TooManyAddressSearches:
            self.is_momentary = True
            self.add_error(
                "q",
                _(
                    "You have searched for many addresses in a short time. Search by postcode "
                    "or town, which always works, or try the address again in a minute."
                ),
            )
            return data
        except AddressSearchUnavailable:
            self.is_momentary = True
            self.add_error(
                "q",
                _(
                    "The address search is not answering right now. Search by postcode or "
                    "town, or try the address again in a moment."
                ),
            )
            return data
        if found is None:
            self.add_error(
                "q",
                _("We could not find “%(query)s”. Check it, or try a 5-digit postcode.")
                % {"query": query},
            )
            return data
        data["place"] = found
        return data
