"""The admin: funds and their pickup points are edited here (staff); the ledger, the requests,
the reviews and the products open to the reduced tier are written by the services only, so they
are shown read-only (requests are decided with the actions, through the services; the products
are chosen on the fund's staples page)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace.payments.admin import ReadOnlyAdmin
from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.models import (
    EligibleProduct,
    Fund,
    FundEntry,
    FundPoint,
    RateReview,
    TierRequest,
)
from marketplace.solidarity.services import approve_request, refuse_request


class FundPointInline(admin.TabularInline):
    model = FundPoint
    fields = ("pickup_point", "attached_at")
    readonly_fields = ("attached_at",)
    autocomplete_fields = ("pickup_point",)
    extra = 0


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "rate",
        "rate_min",
        "rate_max",
        "rate_step",
        "reserve",
        "trusts_declarations",
        "open_to_requests",
    )
    list_filter = ("trusts_declarations", "open_to_requests")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [FundPointInline]


@admin.register(FundEntry)
class FundEntryAdmin(ReadOnlyAdmin):
    list_display = ("on", "fund", "kind", "amount", "producer", "reference", "created_at")
    list_filter = ("kind", "fund")
    search_fields = ("reference", "note")
    date_hierarchy = "on"
    list_select_related = ("fund", "producer")


@admin.register(EligibleProduct)
class EligibleProductAdmin(ReadOnlyAdmin):
    list_display = ("product", "fund", "marked_by", "marked_at")
    list_filter = ("fund",)
    search_fields = ("product__title",)
    list_select_related = ("product", "fund", "marked_by")
    date_hierarchy = "marked_at"


@admin.register(TierRequest)
class TierRequestAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "member", "fund", "tier", "state", "decided_by", "decided_at")
    list_filter = ("state", "tier", "fund")
    search_fields = ("member__email", "member__last_name")
    list_select_related = ("member", "fund", "decided_by")
    date_hierarchy = "created_at"
    actions = ["approve", "refuse"]

    def _decide(self, request, queryset, decide) -> None:
        done = 0
        for tier_request in queryset:
            try:
                decide(request.user, tier_request)
            except SolidarityRefused as refused:
                self.message_user(request, f"{tier_request}: {refused}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(n)s request decided.", "%(n)s requests decided.", done) % {"n": done},
            )

    @admin.action(description=_("Approve the selected requests"))
    def approve(self, request, queryset):
        self._decide(request, queryset, approve_request)

    @admin.action(description=_("Refuse the selected requests"))
    def refuse(self, request, queryset):
        self._decide(request, queryset, refuse_request)


@admin.register(RateReview)
class RateReviewAdmin(ReadOnlyAdmin):
    list_display = (
        "fund",
        "period_start",
        "rate_before",
        "rate_after",
        "applies_from",
        "open_to_requests_after",
        "created_at",
    )
    list_filter = ("fund", "open_to_requests_after")
    date_hierarchy = "period_start"
