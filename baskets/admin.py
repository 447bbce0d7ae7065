from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from baskets.models import (
    Absence,
    BasketPlan,
    BasketTransfer,
    CompositionLine,
    Contract,
    ContractPickupPoint,
    DeliveryComposition,
    Subscription,
)
from marketplace.core.tasks import queue_on_commit


@admin.register(BasketPlan)
class BasketPlanAdmin(admin.ModelAdmin):
    list_display = ("name", "producer", "reference_price", "frequency", "is_active")
    list_filter = ("is_active", "frequency")
    search_fields = ("name", "producer__name")
    filter_horizontal = ("products",)


class ContractPickupPointInline(admin.TabularInline):
    model = ContractPickupPoint
    extra = 1


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "kind",
        "starts_on",
        "ends_on",
        "signup_opens_on",
        "signup_closes_on",
    )
    list_filter = ("kind", "plan__producer")
    filter_horizontal = ("coordinators",)
    inlines = [ContractPickupPointInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A capacity raised here frees places for the waiting list.
        place_ids = list(form.instance.places.values_list("pk", flat=True))
        queue_on_commit("baskets.tasks.offer_free_places", place_ids)


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("member", "contract", "pickup_point", "quantity", "state", "created_at")
    list_filter = ("state", "contract", "pickup_point")
    search_fields = ("member__email", "member__last_name")
    raw_id_fields = ("member", "co_holder")
    inlines = [AbsenceInline]
    actions = ["offer_places"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "state" in form.changed_data:
            self._offer_places_of([obj])

    @admin.action(description=_("Offer free places to the waiting list now"))
    def offer_places(self, request, queryset):
        self._offer_places_of(queryset)

    @staticmethod
    def _offer_places_of(subscriptions) -> None:
        place_ids = list(
            ContractPickupPoint.objects.filter(
                contract_id__in={sub.contract_id for sub in subscriptions},
                pickup_point_id__in={sub.pickup_point_id for sub in subscriptions},
            ).values_list("pk", flat=True)
        )
        queue_on_commit("baskets.tasks.offer_free_places", place_ids)


@admin.register(BasketTransfer)
class BasketTransferAdmin(admin.ModelAdmin):
    list_display = ("subscription", "distribution_day", "kind", "recipient_name", "claimed_by")
    list_filter = ("kind",)
    raw_id_fields = ("subscription", "distribution_day", "claimed_by")


class CompositionLineInline(admin.TabularInline):
    model = CompositionLine
    extra = 3


@admin.register(DeliveryComposition)
class DeliveryCompositionAdmin(admin.ModelAdmin):
    list_display = ("plan", "date", "announced_at")
    list_filter = ("plan__producer",)
    date_hierarchy = "date"
    inlines = [CompositionLineInline]
