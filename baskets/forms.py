from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from baskets.models import Sharing, TransferKind
from marketplace.forms import AccessibleFormMixin

User = get_user_model()


class SubscribeForm(AccessibleFormMixin, forms.Form):
    """Signing up for a contract: where, how many, shared with whom, terms accepted."""

    pickup_point = forms.ChoiceField(label=_("Pickup point"))
    quantity = forms.IntegerField(
        label=_("Baskets per delivery"), min_value=1, max_value=10, initial=1
    )
    co_holder_email = forms.EmailField(
        label=_("Co-holder's email (optional)"),
        required=False,
        help_text=_("Another household sharing the basket; they need an account here."),
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

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.points = {str(place.pickup_point_id): place.pickup_point for place in places}
        self.fields["pickup_point"].choices = [
            (str(place.pickup_point_id), f"{place.pickup_point.name} ({place.pickup_point.town})")
            for place in places
        ]

    def clean_co_holder_email(self):
        email = self.cleaned_data.get("co_holder_email")
        if not email:
            return None
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(
                _("Nobody has an account with this email: ask them to create one first.")
            )
        return user

    def clean(self):
        data = super().clean()
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
