from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from oscar.views.decorators import login_forbidden

from baskets import producer_urls as producer_basket_urls
from marketplace import views
from marketplace.members.views import MemberPasswordResetView, OrderLineView
from marketplace.search.views import ProductDetailView
from producers import space_urls as producer_space_urls


def reviews_are_off(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("healthz", views.health, name="health"),
    path("healthz/details", views.health_details, name="health-details"),
    path("", views.HomeView.as_view(), name="home-page"),
    path("producteurs/", include("producers.urls")),
    path("lieux-de-distribution/", include("deliveries.urls")),
    path("paniers/", include("baskets.urls")),
    path("paiements/", include("marketplace.payments.urls")),
    path("solidarite/", include("marketplace.solidarity.urls")),
    # The producer space: its own pages and the basket pages of baskets, under one namespace.
    path(
        "mon-exploitation/",
        include(
            (
                producer_space_urls.urlpatterns + producer_basket_urls.urlpatterns,
                producer_space_urls.app_name,
            )
        ),
    ),
    # Oscar's sign-in and registration, with the member's name; then Oscar's other pages.
    path("accounts/", include("marketplace.members.urls")),
    # Oscar's password reset, its email sent by a task (the same answer, as fast, for any address).
    path(
        "password-reset/",
        login_forbidden(MemberPasswordResetView.as_view()),
        name="password-reset",
    ),
    # The member's data: download it, close the account (answers Oscar's profile-delete URL).
    path("accounts/", include("marketplace.member_data.urls")),
    # Same URL and name as Oscar's product page, answered by our subclass (no catalogue fork).
    re_path(
        r"^catalogue/(?P<product_slug>[\w-]*)_(?P<pk>\d+)/$",
        ProductDetailView.as_view(),
        name="product-detail",
    ),
    # Product reviews are off (OSCAR_ALLOW_ANON_REVIEWS): none of our pages links to Oscar's
    # review pages, and they answer 404.
    re_path(r"^catalogue/[\w-]*_\d+/reviews/", reviews_are_off),
    # Oscar's customer:order-line, whose GET answered 500.
    path(
        "accounts/orders/<str:order_number>/<int:line_id>/",
        login_required(OrderLineView.as_view()),
    ),
    path("", include(apps.get_app_config("oscar").urls[0])),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
else:
    from django.views.static import serve

    # Uploaded photos; behind a real web server, serve MEDIA_ROOT from it instead.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
