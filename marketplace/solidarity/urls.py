from django.urls import path

from marketplace.solidarity.views import rounds

app_name = "solidarity"
urlpatterns = [
    path("tours/", rounds.RoundsView.as_view(), name="rounds"),
    path("contrat/<int:contract_id>/tour/", rounds.OpenRoundView.as_view(), name="open-round"),
    path("tours/<int:pk>/", rounds.RoundView.as_view(), name="round"),
    path("tours/<int:pk>/cloture/", rounds.CloseRoundView.as_view(), name="close-round"),
    path("tours/<int:pk>/promesse/", rounds.PledgeView.as_view(), name="pledge"),
    path("tours/<int:pk>/jauge/", rounds.GaugeView.as_view(), name="gauge"),
]
