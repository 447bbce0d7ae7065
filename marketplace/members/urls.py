from django.contrib.auth.decorators import login_required
from django.urls import path

from marketplace.members import views

app_name = "members"

# Under /accounts/, before Oscar's: login, register and profile/edit answer Oscar's own URLs
# (customer:login, customer:register, customer:profile-update) with our forms.
urlpatterns = [
    path("login/", views.MemberAuthView.as_view(), name="login"),
    path("register/", views.MemberRegistrationView.as_view(), name="register"),
    path("mes-coordonnees/", views.MemberDetailsView.as_view(), name="details"),
    # Answers Oscar's customer:profile-update: a new email address asks for the password.
    path(
        "profile/edit/",
        login_required(views.MemberProfileUpdateView.as_view()),
        name="profile-update",
    ),
    path("inscription/courriel-envoye/", views.CheckInboxView.as_view(), name="check-inbox"),
    path(
        "inscription/confirmer/<str:uidb64>/<str:token>/",
        views.ConfirmAddressView.as_view(),
        name="confirm-address",
    ),
]
