from django.urls import path

from deliveries import (
    day_cancellation_views,
    pickup_list_views,
    shift_views,
    sign_off_views,
    views,
)

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
    path("jour/<int:pk>/liste/", pickup_list_views.PickupListView.as_view(), name="pickup-list"),
    path(
        "jour/liste-hors-ligne.js",
        pickup_list_views.PickupListWorkerView.as_view(),
        name="pickup-list-worker",
    ),
    path(
        "jour/<int:pk>/liste/etat/",
        pickup_list_views.PickupListStateView.as_view(),
        name="pickup-list-state",
    ),
    path(
        "jour/<int:pk>/liste/coches/",
        pickup_list_views.PickupListTicksView.as_view(),
        name="pickup-list-ticks",
    ),
    path("jour/<int:pk>/cloture/", pickup_list_views.CloseDayView.as_view(), name="close-day"),
    path(
        "jour/<int:pk>/annulation/",
        day_cancellation_views.CancelDayView.as_view(),
        name="cancel-day",
    ),
    path("permanences/", shift_views.ShiftsView.as_view(), name="shifts"),
    path(
        "permanences/<int:pk>/inscription/",
        shift_views.SignUpForShiftView.as_view(),
        name="shift-sign-up",
    ),
    path(
        "permanences/<int:pk>/retrait/",
        shift_views.WithdrawFromShiftView.as_view(),
        name="shift-withdraw",
    ),
    path("permanences/a-pourvoir/", shift_views.UnstaffedDaysView.as_view(), name="unstaffed-days"),
    path(
        "jour/<int:pk>/emargement.<str:format>",
        sign_off_views.SignOffSheetView.as_view(),
        name="sign-off-sheet",
    ),
]
