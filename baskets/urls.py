from django.urls import path

from baskets import views

app_name = "baskets"
urlpatterns = [
    path("", views.ContractListView.as_view(), name="contracts"),
    path("contrat/<int:pk>/", views.ContractDetailView.as_view(), name="contract"),
    path("mes-paniers/", views.MyBasketsView.as_view(), name="mine"),
    path(
        "mes-paniers/<int:pk>/absence/<int:day_id>/",
        views.SkipDeliveryView.as_view(),
        name="skip",
    ),
    path(
        "mes-paniers/<int:pk>/absence/<int:day_id>/annuler/",
        views.CancelSkipView.as_view(),
        name="cancel-skip",
    ),
    path(
        "mes-paniers/<int:pk>/don/<int:day_id>/reprendre/",
        views.TakeBackView.as_view(),
        name="take-back",
    ),
    path(
        "mes-paniers/<int:pk>/don/<int:day_id>/",
        views.TransferDeliveryView.as_view(),
        name="transfer",
    ),
    path("mes-paniers/<int:pk>/choix/", views.ChooseContentsView.as_view(), name="choose-usual"),
    path(
        "mes-paniers/<int:pk>/choix/<int:day_id>/",
        views.ChooseContentsView.as_view(),
        name="choose-delivery",
    ),
    path("mes-paniers/<int:pk>/pause/", views.PauseView.as_view(), name="pause"),
    path(
        "mes-paniers/<int:pk>/pause/<int:absence_id>/annuler/",
        views.CancelPauseView.as_view(),
        name="cancel-pause",
    ),
    path("mes-paniers/<int:pk>/accepter/", views.AcceptPlaceView.as_view(), name="accept"),
    path("mes-paniers/<int:pk>/quitter/", views.LeaveContractView.as_view(), name="leave"),
    path("mes-paniers/<int:pk>/contrat.pdf", views.ContractPdfView.as_view(), name="pdf"),
    path("coordination/", views.CoordinationView.as_view(), name="coordination"),
    path(
        "coordination/adhesion/<int:pk>/fin/",
        views.EndCommitmentView.as_view(),
        name="end-commitment",
    ),
    path("paniers-proposes/<int:pk>/", views.ClaimBasketView.as_view(), name="claim"),
    path("paniers-proposes/<int:pk>/rendre/", views.ReleaseBasketView.as_view(), name="release"),
]
