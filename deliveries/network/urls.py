"""Pages of the pickup network: the finder, and choosing a day to order for."""

from django.urls import path

from deliveries.network import views

urlpatterns = [
    path("", views.PickupPointFinderView.as_view(), name="finder"),
    path("jour/<int:pk>/", views.ChooseDayView.as_view(), name="choose-day"),
]
