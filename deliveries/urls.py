from django.urls import path

from deliveries import views

app_name = "deliveries"
urlpatterns = [
    path("", views.PickupPointFinderView.as_view(), name="finder"),
]
