from django.urls import path

from marketplace.payments.views import coordination, member, treasury

app_name = "payments"
urlpatterns = [
    path("", member.MyPaymentsView.as_view(), name="mine"),
    path("adhesion/<int:pk>/formule/", member.ChoosePlanView.as_view(), name="choose-plan"),
    path("coordination/", coordination.CoordinationView.as_view(), name="coordination"),
    path(
        "coordination/adhesion/<int:pk>/",
        coordination.RecordSubscriptionPaymentView.as_view(),
        name="record-subscription",
    ),
    path("coordination/commande/", coordination.FindOrderView.as_view(), name="find-order"),
    path(
        "coordination/commande/<str:number>/",
        coordination.RecordOrderPaymentView.as_view(),
        name="record-order",
    ),
    path("tresorerie/remises/", treasury.HandOverView.as_view(), name="hand-over"),
    path("tresorerie/retards/", treasury.OverdueView.as_view(), name="overdue"),
]
