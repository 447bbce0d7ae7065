from django.contrib import admin

from producers.models import Label, Producer, ProductSheet


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Producer)
class ProducerAdmin(admin.ModelAdmin):
    list_display = ("name", "town", "postcode", "is_active")
    list_filter = ("is_active", "labels")
    search_fields = ("name", "town", "postcode")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("labels", "categories")


@admin.register(ProductSheet)
class ProductSheetAdmin(admin.ModelAdmin):
    list_display = ("product", "producer", "unit", "vat_rate")
    list_select_related = ("product", "producer")
    search_fields = ("product__title", "producer__name")
