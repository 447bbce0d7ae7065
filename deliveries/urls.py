from django.urls import path

from deliveries import views

app_name = "deliveries"
urlpatterns = [
    path("", views.PickupPointFinderView.as_view(), name="finder"),
    path("mes-retraits/", views.UpcomingOrdersView.as_view(), name="upcoming-orders"),
    path(
        "mes-retraits/<str:number>/annulation/",
        views.CancelOrderView.as_view(),
        name="cancel-order",
    ),
]
