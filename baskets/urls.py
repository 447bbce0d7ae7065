from django.urls import path

from baskets.views import contracts, coordination, member, not_brought, sharing

app_name = "baskets"
urlpatterns = [
    path("", contracts.ContractListView.as_view(), name="contracts"),
    path("contrat/<int:pk>/", contracts.ContractDetailView.as_view(), name="contract"),
    path("mes-paniers/", member.MyBasketsView.as_view(), name="mine"),
    path(
        "mes-paniers/<int:pk>/absence/<int:day_id>/",
        member.SkipDeliveryView.as_view(),
        name="skip",
    ),
    path(
        "mes-paniers/<int:pk>/absence/<int:day_id>/annuler/",
        member.CancelSkipView.as_view(),
        name="cancel-skip",
    ),
    path(
        "mes-paniers/<int:pk>/don/<int:day_id>/reprendre/",
        member.TakeBackView.as_view(),
        name="take-back",
    ),
    path(
        "mes-paniers/<int:pk>/don/<int:day_id>/",
        member.TransferDeliveryView.as_view(),
        name="transfer",
    ),
    path("mes-paniers/<int:pk>/choix/", member.ChooseContentsView.as_view(), name="choose-usual"),
    path(
        "mes-paniers/<int:pk>/choix/<int:day_id>/",
        member.ChooseContentsView.as_view(),
        name="choose-delivery",
    ),
    path("mes-paniers/<int:pk>/pause/", member.PauseView.as_view(), name="pause"),
    path(
        "mes-paniers/<int:pk>/pause/<int:absence_id>/annuler/",
        member.CancelPauseView.as_view(),
        name="cancel-pause",
    ),
    path("mes-paniers/<int:pk>/accepter/", member.AcceptPlaceView.as_view(), name="accept"),
    path("mes-paniers/<int:pk>/quitter/", member.LeaveContractView.as_view(), name="leave"),
    path("mes-paniers/<int:pk>/contrat.pdf", member.ContractPdfView.as_view(), name="pdf"),
    path("mes-paniers/<int:pk>/partage/fin/", sharing.EndSharingView.as_view(), name="end-sharing"),
    path("mes-paniers/partage/<str:token>/", sharing.CoHoldingView.as_view(), name="co-holding"),
    path(
        "mes-paniers/partage/<str:token>/accepter/",
        sharing.AcceptCoHoldingView.as_view(),
        name="accept-co-holding",
    ),
    path(
        "mes-paniers/partage/<str:token>/refuser/",
        sharing.DeclineCoHoldingView.as_view(),
        name="decline-co-holding",
    ),
    path("coordination/", coordination.CoordinationView.as_view(), name="coordination"),
    path(
        "coordination/adhesion/<int:pk>/fin/",
        coordination.EndCommitmentView.as_view(),
        name="end-commitment",
    ),
    path(
        "coordination/lieu/<int:pk>/paniers-non-livres/",
        not_brought.NotBroughtView.as_view(),
        name="not-brought",
    ),
    path("paniers-proposes/<int:pk>/", member.ClaimBasketView.as_view(), name="claim"),
    path("paniers-proposes/<int:pk>/rendre/", member.ReleaseBasketView.as_view(), name="release"),
]
