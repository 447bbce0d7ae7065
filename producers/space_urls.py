from django.urls import path

from producers import space_views as views

# The producer space's own pages; marketplace/urls.py mounts them with the basket pages that
# baskets/producer_urls.py shows producers, under one namespace, "producer_space".
app_name = "producer_space"
urlpatterns = [
    path("", views.ProductListView.as_view(), name="products"),
    path("produits/nouveau/", views.ProductCreateView.as_view(), name="product-create"),
    path("produits/<int:pk>/", views.ProductEditView.as_view(), name="product-edit"),
    path("produits/<int:pk>/stock/", views.StockUpdateView.as_view(), name="product-stock"),
    path(
        "produits/<int:pk>/publication/",
        views.PublicationView.as_view(),
        name="product-publication",
    ),
    path("produits/<int:pk>/quotas/", views.DayQuotasView.as_view(), name="product-quotas"),
    path("commandes/", views.OrderLinesView.as_view(), name="order-lines"),
    path(
        "commandes/<int:pk>/preparation/",
        views.LinePreparedView.as_view(),
        name="order-line-prepared",
    ),
    path("colisage/", views.PackingListsView.as_view(), name="packing-lists"),
    path("colisage/<int:pk>/", views.PackingListView.as_view(), name="packing-list"),
    path(
        "colisage/<int:pk>.<str:format>",
        views.PackingListView.as_view(),
        name="packing-list-file",
    ),
    path("profil/", views.ProfileView.as_view(), name="profile"),
]
