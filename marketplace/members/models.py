"""What a member tells us about themselves beyond Oscar's account: a phone for the
coordinators. Oscar's profile pages show and edit it (settings.AUTH_PROFILE_MODULE)."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

phone_number = RegexValidator(
    r"^\+?[0-9][0-9 .()-]{5,}$", _("Enter a phone number, e.g. 06 12 34 56 78.")
)


class MemberProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_profile"
    )
    phone = models.CharField(
        _("phone"),
        max_length=30,
        blank=True,
        validators=[phone_number],
        help_text=_(
            "Optional: for the coordinators of your pickup point, if they need to reach you."
        ),
    )
    # When an account without a name was asked for one at sign-in: it is asked once only.
    name_requested_at = models.DateTimeField(null=True, editable=False)
    # The member closed their account: the user row stays, emptied, for the records.
    deleted_at = models.DateTimeField(_("account closed at"), null=True, editable=False)

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")

    def __str__(self) -> str:
        return str(self.user)
