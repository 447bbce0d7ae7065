from django.urls import path

from producers import space_views as views

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
    path("commandes/", views.OrderLinesView.as_view(), name="order-lines"),
    path(
        "commandes/<int:pk>/preparation/",
        views.LinePreparedView.as_view(),
        name="order-line-prepared",
    ),
    path("profil/", views.ProfileView.as_view(), name="profile"),
]
