"""The producer's basket pages, mounted in the producer space (marketplace/urls.py): its URLs
are /mon-exploitation/paniers/... and its names producer_space:baskets and :composition."""

from django.urls import path

from baskets.views import producer as views

urlpatterns = [
    path("paniers/", views.BasketsView.as_view(), name="baskets"),
    path(
        "paniers/<int:plan_id>/<str:day>/composition/",
        views.CompositionView.as_view(),
        name="composition",
    ),
]
