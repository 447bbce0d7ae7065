from django.urls import path

from marketplace.members import views

app_name = "members"

# Under /accounts/, before Oscar's: the first two answer Oscar's own URLs (customer:login,
# customer:register) with our registration form.
urlpatterns = [
    path("login/", views.MemberAuthView.as_view(), name="login"),
    path("register/", views.MemberRegistrationView.as_view(), name="register"),
    path("mes-coordonnees/", views.MemberDetailsView.as_view(), name="details"),
]
