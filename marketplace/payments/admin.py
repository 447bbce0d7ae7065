"""The admin: payment terms and local currencies are edited here; schedules, manual payments
and the ledger are written by the services only, so they are shown read-only."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from marketplace.payments.models import (
    MEMBER_METHODS,
    Charge,
    ChargeRefund,
    ContractPaymentTerms,
    Instalment,
    LedgerEntry,
    LocalCurrency,
    ManualPayment,
    PaymentPlan,
    ProducerAccount,
    StripeCustomer,
    StripeEvent,
    SubscriptionPayment,
)


class ContractPaymentTermsForm(forms.ModelForm):
    plans = forms.MultipleChoiceField(
        label=_("payment plans allowed"),
        choices=PaymentPlan.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    methods = forms.MultipleChoiceField(
        label=_("payment methods accepted"),
        choices=[(method.value, method.label) for method in MEMBER_METHODS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Card and SEPA debit are offered only once Stripe is set up."),
    )

    class Meta:
        model = ContractPaymentTerms
        fields = ("contract", "plans", "methods")


@admin.register(ContractPaymentTerms)
class ContractPaymentTermsAdmin(admin.ModelAdmin):
    form = ContractPaymentTermsForm
    list_display = ("contract", "plans", "methods")
    search_fields = ("contract__name", "contract__plan__name")
    list_select_related = ("contract__plan",)


@admin.register(LocalCurrency)
class LocalCurrencyAdmin(admin.ModelAdmin):
    list_display = ("name", "collective", "is_active")
    list_filter = ("is_active", "collective")
    search_fields = ("name", "collective__name")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written here: the services keep these rows and the ledger in step."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InstalmentInline(admin.TabularInline):
    model = Instalment
    fields = ("number", "due_on", "amount", "paid_amount", "state", "attempts", "paid_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SubscriptionPayment)
class SubscriptionPaymentAdmin(ReadOnlyAdmin):
    list_display = ("subscription", "plan", "method", "total", "created_at")
    list_filter = ("plan", "method")
    search_fields = ("subscription__member__email", "subscription__member__last_name")
    list_select_related = ("subscription__member", "subscription__contract__plan")
    inlines = [InstalmentInline]


@admin.register(ManualPayment)
class ManualPaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "recorded_at",
        "method",
        "amount",
        "producer",
        "payer",
        "cheque_number",
        "cash_on",
        "handed_over_at",
    )
    list_filter = ("method", "producer", ("handed_over_at", admin.EmptyFieldListFilter))
    search_fields = ("cheque_number", "payer__email", "payer__last_name", "producer__name")
    list_select_related = ("producer", "payer")
    date_hierarchy = "recorded_at"


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "kind",
        "amount",
        "method",
        "member",
        "producer",
        "subscription",
        "order",
        "reference",
    )
    list_filter = ("kind", "method", "producer")
    search_fields = ("reference", "member__email", "member__last_name", "order__number")
    list_select_related = ("member", "producer", "subscription__contract__plan", "order")
    date_hierarchy = "created_at"


@admin.register(ProducerAccount)
class ProducerAccountAdmin(admin.ModelAdmin):
    """Each producer's connected Stripe account, opened from their space (Stripe's onboarding) or
    entered here: their card payments and debits are made on their behalf and land there."""

    list_display = ("producer", "account_id", "updated_at")
    search_fields = ("producer__name", "account_id")
    list_select_related = ("producer",)
    autocomplete_fields = ("producer",)


@admin.register(StripeCustomer)
class StripeCustomerAdmin(ReadOnlyAdmin):
    list_display = ("member", "customer_id", "created_at")
    search_fields = ("member__email", "member__last_name", "customer_id")
    list_select_related = ("member",)


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "idempotency_key",
        "amount",
        "method_type",
        "state",
        "payment_intent_id",
        "failure_code",
        "finished_at",
    )
    list_filter = ("state", "method_type")
    search_fields = ("idempotency_key", "payment_intent_id")
    date_hierarchy = "created_at"


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("created", "type", "object_id", "event_id", "received_at", "applied_at")
    list_filter = ("type",)
    search_fields = ("event_id", "object_id")
    date_hierarchy = "created"


@admin.register(ChargeRefund)
class ChargeRefundAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "idempotency_key",
        "amount",
        "state",
        "refund_id",
        "failure_code",
        "finished_at",
    )
    list_filter = ("state",)
    search_fields = ("idempotency_key", "refund_id", "charge__payment_intent_id")
    date_hierarchy = "created_at"
