from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_class

from marketplace.members.models import MemberProfile, phone_number
from marketplace.members.services import save_member_details

EmailUserCreationForm = get_class("customer.forms", "EmailUserCreationForm")

NAME_HELP = _("Volunteers find you by name on the pickup list.")


def _name_fields() -> dict[str, forms.Field]:
    return {
        "first_name": forms.CharField(
            label=_("First name"),
            max_length=150,
            widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        ),
        "last_name": forms.CharField(
            label=_("Last name"),
            max_length=150,
            help_text=NAME_HELP,
            widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        ),
        "phone": forms.CharField(
            label=_("Phone (optional)"),
            required=False,
            max_length=30,
            validators=[phone_number],
            help_text=MemberProfile._meta.get_field("phone").help_text,
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        ),
    }


class MemberRegistrationForm(EmailUserCreationForm):
    """Oscar's registration, with the member's name (required) and an optional phone."""

    field_order = ["first_name", "last_name", "email", "phone", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_name_fields())
        self.order_fields(self.field_order)

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            save_member_details(
                user,
                first_name=self.cleaned_data["first_name"],
                last_name=self.cleaned_data["last_name"],
                phone=self.cleaned_data["phone"],
            )
        return user


class MemberDetailsForm(forms.Form):
    """Asked once of an account that has no name."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        profile = MemberProfile.objects.filter(user=user).first()
        kwargs.setdefault(
            "initial",
            {
                "first_name": user.first_name,
                "last_name": user.last_name,
                "phone": profile.phone if profile else "",
            },
        )
        super().__init__(*args, **kwargs)
        self.fields.update(_name_fields())

    def save(self) -> None:
        save_member_details(self.user, **self.cleaned_data)
