from django.urls import path

from marketplace.solidarity.views import funds, rounds, staples, tiers, transparency

app_name = "solidarity"
urlpatterns = [
    path("caisses/", funds.FundsView.as_view(), name="funds"),
    path("caisses/<int:pk>/", funds.FundView.as_view(), name="fund"),
    path("caisses/<int:pk>/ecriture/", funds.RecordEntryView.as_view(), name="record-entry"),
    path("caisses/<int:pk>/produits/", staples.StaplesView.as_view(), name="staples"),
    path("demandes/<int:pk>/decision/", funds.DecideRequestView.as_view(), name="decide-request"),
    path("tours/", rounds.RoundsView.as_view(), name="rounds"),
    path("contrat/<int:contract_id>/tour/", rounds.OpenRoundView.as_view(), name="open-round"),
    path("tours/<int:pk>/", rounds.RoundView.as_view(), name="round"),
    path("tours/<int:pk>/cloture/", rounds.CloseRoundView.as_view(), name="close-round"),
    path("tours/<int:pk>/promesse/", rounds.PledgeView.as_view(), name="pledge"),
    path("tours/<int:pk>/jauge/", rounds.GaugeView.as_view(), name="gauge"),
    path("tarif/", tiers.MyTierView.as_view(), name="my-tier"),
    path(
        "tarif/demandes/<int:pk>/retrait/",
        tiers.WithdrawRequestView.as_view(),
        name="withdraw-request",
    ),
    path("fonds/", transparency.PublicFundsView.as_view(), name="public-funds"),
    path("fonds/<slug:slug>/", transparency.FundTransparencyView.as_view(), name="transparency"),
]
