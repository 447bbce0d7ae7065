from django.contrib import admin

from marketplace.members.models import MemberProfile


@admin.register(MemberProfile)
class MemberProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "phone", "name_requested_at")
    search_fields = ("user__email", "user__first_name", "user__last_name", "phone")
    readonly_fields = ("name_requested_at",)
    raw_id_fields = ("user",)
