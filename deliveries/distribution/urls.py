"""Pages of the distribution day: a member's pickups, the pickup list, closing the day, cancelling it, shifts, the
sign-off sheet."""

from django.urls import path

from deliveries.distribution.views import day_cancellation, pickup_list, pickups, shifts, sign_off

urlpatterns = [
    path("mes-retraits/", pickups.UpcomingOrdersView.as_view(), name="upcoming-orders"),
    path(
        "mes-retraits/<str:number>/annulation/",
        pickups.CancelOrderView.as_view(),
        name="cancel-order",
    ),
    path("jour/<int:pk>/liste/", pickup_list.PickupListView.as_view(), name="pickup-list"),
    path(
        "jour/liste-hors-ligne.js",
        pickup_list.PickupListWorkerView.as_view(),
        name="pickup-list-worker",
    ),
    path(
        "jour/<int:pk>/liste/etat/",
        pickup_list.PickupListStateView.as_view(),
        name="pickup-list-state",
    ),
    path(
        "jour/<int:pk>/liste/coches/",
        pickup_list.PickupListTicksView.as_view(),
        name="pickup-list-ticks",
    ),
    path("jour/<int:pk>/cloture/", pickup_list.CloseDayView.as_view(), name="close-day"),
    path(
        "jour/<int:pk>/annulation/",
        day_cancellation.CancelDayView.as_view(),
        name="cancel-day",
    ),
    path("permanences/", shifts.ShiftsView.as_view(), name="shifts"),
    path(
        "permanences/<int:pk>/inscription/",
        shifts.SignUpForShiftView.as_view(),
        name="shift-sign-up",
    ),
    path(
        "permanences/<int:pk>/retrait/",
        shifts.WithdrawFromShiftView.as_view(),
        name="shift-withdraw",
    ),
    path("permanences/a-pourvoir/", shifts.UnstaffedDaysView.as_view(), name="unstaffed-days"),
    path(
        "permanences/inscription/<int:pk>/accord/",
        shifts.ShiftAnswerView.as_view(),
        name="shift-approve",
    ),
    path(
        "permanences/inscription/<int:pk>/refus/",
        shifts.RefuseShiftView.as_view(),
        name="shift-refuse",
    ),
    path(
        "jour/<int:pk>/emargement.<str:format>",
        sign_off.SignOffSheetView.as_view(),
        name="sign-off-sheet",
    ),
]
