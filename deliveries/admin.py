from django.contrib import admin
from django.db import transaction

from deliveries.models import Closure, Collective, DistributionDay, PickupPoint, Schedule
from deliveries.tasks import materialise_calendar


def refresh_calendar_of(point_ids: list[int]) -> None:
    """A changed schedule or closure shows in the calendar without waiting for the night run."""
    transaction.on_commit(lambda: materialise_calendar.delay(point_ids))


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
