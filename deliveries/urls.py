from django.urls import path

from deliveries import views

app_name = "deliveries"
urlpatterns = [
    path("", views.PickupPointFinderView.as_view(), name="finder"),
    path("jour/<int:pk>/", views.ChooseDayView.as_view(), name="choose-day"),
    path("mes-retraits/", views.UpcomingOrdersView.as_view(), name="upcoming-orders"),
    path(
        "mes-retraits/<str:number>/annulation/",
        views.CancelOrderView.as_view(),
        name="cancel-order",
    ),
]
