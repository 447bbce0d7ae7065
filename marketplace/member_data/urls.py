from django.urls import path

from marketplace.member_data import views

app_name = "member_data"

# Under /accounts/, before Oscar's: "profile/delete/" answers Oscar's own URL
# (customer:profile-delete), which deleted the user row (and failed on their subscriptions).
urlpatterns = [
    path("mes-donnees/", views.MemberDataView.as_view(), name="my-data"),
    path(
        "mes-donnees/telecharger.<str:format>",
        views.MemberDataDownloadView.as_view(),
        name="download",
    ),
    path("profile/delete/", views.CloseAccountView.as_view(), name="close-account"),
    path("au-revoir/", views.GoodbyeView.as_view(), name="goodbye"),
]
