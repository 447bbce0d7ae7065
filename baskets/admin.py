from django.contrib import admin

from baskets.models import BasketPlan, Contract, ContractPickupPoint, Subscription


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


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("member", "contract", "pickup_point", "quantity", "state", "created_at")
    list_filter = ("state", "contract", "pickup_point")
    search_fields = ("member__email", "member__last_name")
    raw_id_fields = ("member", "co_holder")
