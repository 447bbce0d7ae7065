from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from deliveries.network.locating import request_geocoding, request_geocoding_of
from deliveries.network.models import (
    Closure,
    Collective,
    DistributionDay,
    GeocodingStatus,
    PickupPoint,
    Schedule,
)
from marketplace.core.tasks import queue_on_commit

ADDRESS_FIELDS = {"address", "postcode", "town"}
COORDINATE_FIELDS = {"latitude", "longitude"}


def refresh_calendar_of(point_ids: list[int]) -> None:
    """A changed schedule or closure shows in the calendar without waiting for the night run."""
    queue_on_commit("deliveries.network.tasks.materialise_calendar", point_ids)


class ScheduleInline(admin.TabularInline):
    model = Schedule
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    fk_name = "pickup_point"
    extra = 0


@admin.register(Collective)
class CollectiveAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(PickupPoint)
class PickupPointAdmin(admin.ModelAdmin):
    list_display = ("name", "collective", "town", "geocoding_status", "is_active")
    list_filter = ("is_active", "geocoding_status", "collective")
    search_fields = ("name", "town", "postcode")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("coordinators", "volunteers")
    inlines = [ScheduleInline, ClosureInline]
    readonly_fields = ("geocoding_status",)
    actions = ["locate_again"]

    def save_model(self, request, obj, form, change):
        """A new point, or a new address, is located in the background after the save, unless
        the coordinates were typed by hand: they are kept as they are."""
        changed = set(form.changed_data)
        typed_coordinates = bool(changed & COORDINATE_FIELDS) and obj.has_location
        moved = not change or bool(changed & (ADDRESS_FIELDS | COORDINATE_FIELDS))
        if typed_coordinates:
            obj.geocoding_status = GeocodingStatus.OK
        super().save_model(request, obj, form, change)
        if moved and not typed_coordinates:
            request_geocoding(obj)

    @admin.action(description=_("Locate again"))
    def locate_again(self, request, queryset):
        count = request_geocoding_of(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d pickup point is being located again.",
                "%(count)d pickup points are being located again.",
                count,
            )
            % {"count": count},
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_calendar_of([form.instance.pk])


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("__str__", "start_date", "end_date", "reason")
    list_filter = ("collective",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        points = (
            [obj.pickup_point_id]
            if obj.pickup_point_id
            else list(obj.collective.pickup_points.values_list("pk", flat=True))
        )
        refresh_calendar_of(points)


@admin.register(DistributionDay)
class DistributionDayAdmin(admin.ModelAdmin):
    list_display = ("pickup_point", "date", "starts_at", "cutoff_at", "state")
    list_filter = ("state", "pickup_point__collective")
    date_hierarchy = "date"
    list_select_related = ("pickup_point",)
