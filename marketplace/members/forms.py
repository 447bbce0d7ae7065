from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _
from oscar.apps.customer.utils import normalise_email
from oscar.core.loading import get_class

from marketplace.core.tasks import queue_on_commit
from marketplace.members.models import MemberProfile, phone_number
from marketplace.members.services import register_member, save_member_details

EmailUserCreationForm = get_class("customer.forms", "EmailUserCreationForm")
ProfileForm = get_class("customer.forms", "ProfileForm")

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

    def clean_email(self):
        # Oscar says here that the address has an account; register_member tells its owner.
        return normalise_email(self.cleaned_data["email"])

    def save(self, commit=True) -> None:
        register_member(
            email=self.cleaned_data["email"],
            password=self.cleaned_data["password1"],
            first_name=self.cleaned_data["first_name"],
            last_name=self.cleaned_data["last_name"],
            phone=self.cleaned_data["phone"],
            next_url=self.cleaned_data.get("redirect_url") or "",
        )


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


class MemberProfileForm(ProfileForm):
    """Oscar's profile form, asking for the current password when the email address changes:
    whoever holds a signed-in session cannot take the account over with it."""

    current_password = forms.CharField(
        label=_("Current password"),
        required=False,
        strip=False,
        help_text=_("Only needed to change your email address."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, request=None, **kwargs):
        self.user, self.request = user, request
        super().__init__(user, *args, **kwargs)
        order = list(self.fields)
        order.remove("current_password")
        order.insert(order.index("email") + 1, "current_password")
        self.order_fields(order)

    def clean(self):
        cleaned_data = super().clean()
        email = cleaned_data.get("email")
        if email and email != self.user.email:
            password = cleaned_data.get("current_password")
            if not password:
                self.add_error(
                    "current_password",
                    _("Enter your current password to change your email address."),
                )
            # Through authenticate: wrong passwords count towards the sign-in lockout here too.
            elif (
                authenticate(self.request, username=self.user.email, password=password) != self.user
            ):
                self.add_error(
                    "current_password",
                    _("This is not your password: your email address was not changed."),
                )
        return cleaned_data


class MemberPasswordResetForm(PasswordResetForm):
    """Django's password reset, its email sent by a task: the page answers in the same time
    whether the address has an account or not (the task finds out)."""

    def save(self, *args, **kwargs) -> None:
        queue_on_commit("marketplace.members.tasks.send_password_reset", self.cleaned_data["email"])
