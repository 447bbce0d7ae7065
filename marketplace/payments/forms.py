"""The payment pages' forms: HTML only, the services check what matters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.core.forms import AccessibleFormMixin
from marketplace.payments.models import (
    UNPAID_STATES,
    Instalment,
    LocalCurrency,
    ManualMethod,
    PaymentMethod,
)
from marketplace.payments.services import PaymentDetails


class ManualPaymentForm(AccessibleFormMixin, forms.Form):
    """A cheque, cash, a transfer or local currency, as a coordinator writes it down."""

    method = forms.ChoiceField(label=_("Payment method"), choices=ManualMethod.choices)
    amount = forms.DecimalField(
        label=_("Amount (€)"), max_digits=10, decimal_places=2, min_value=0.01, localize=True
    )
    cheque_number = forms.CharField(label=_("Cheque number"), max_length=40, required=False)
    bank = forms.CharField(label=_("Bank"), max_length=80, required=False)
    cash_on = forms.DateField(
        label=_("Cheque to cash on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty to cash it from today."),
    )
    local_currency = forms.ModelChoiceField(
        label=_("Local currency"), queryset=LocalCurrency.objects.none(), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, collective_id: int, methods=None, **kwargs):
        super().__init__(*args, **kwargs)
        if methods is not None:
            self.fields["method"].choices = [
                (value, label) for value, label in ManualMethod.choices if value in methods
            ]
        currencies = LocalCurrency.objects.filter(collective_id=collective_id, is_active=True)
        if currencies.exists():
            self.fields["local_currency"].queryset = currencies
        else:
            del self.fields["local_currency"]
            self.fields["method"].choices = [
                choice
                for choice in self.fields["method"].choices
                if choice[0] != PaymentMethod.LOCAL_CURRENCY
            ]

    def details(self) -> PaymentDetails:
        data = self.cleaned_data
        return PaymentDetails(
            method=data["method"],
            amount=data["amount"],
            cheque_number=data.get("cheque_number", ""),
            bank=data.get("bank", ""),
            cash_on=data.get("cash_on"),
            local_currency=data.get("local_currency"),
            note=data.get("note", ""),
        )


class SubscriptionPaymentForm(ManualPaymentForm):
    instalment = forms.ModelChoiceField(
        label=_("Instalment"),
        queryset=Instalment.objects.none(),
        required=False,
        empty_label=_("The next ones due, in order"),
    )

    field_order = ["instalment", "method", "amount"]

    def __init__(self, *args, subscription, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instalment"].queryset = Instalment.objects.filter(
            payment__subscription=subscription, state__in=UNPAID_STATES
        ).order_by("number")
        self.fields["instalment"].label_from_instance = lambda instalment: (
            _("No. %(number)s, due %(date)s: %(amount)s €")
            % {
                "number": instalment.number,
                "date": instalment.due_on.strftime("%d/%m/%Y"),
                "amount": instalment.outstanding,
            }
        )
        self.order_fields(self.field_order)


class OrderPaymentForm(ManualPaymentForm):
    producer = forms.TypedChoiceField(label=_("Producer paid"), coerce=int)

    field_order = ["producer", "method", "amount"]

    def __init__(self, *args, producers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].choices = [(producer.pk, producer.name) for producer in producers]
        self.order_fields(self.field_order)


class PlanForm(AccessibleFormMixin, forms.Form):
    """A member (or a coordinator for them) chooses how a subscription is paid."""

    plan = forms.ChoiceField(label=_("Payment plan"), widget=forms.RadioSelect)
    method = forms.ChoiceField(label=_("Payment method"), widget=forms.RadioSelect)

    def __init__(self, *args, plans, methods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(plan.value, plan.label) for plan in plans]
        self.fields["method"].choices = [(method.value, method.label) for method in methods]


class HandOverForm(forms.Form):
    payments = forms.TypedMultipleChoiceField(coerce=int, choices=())

    def __init__(self, *args, payment_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payments"].choices = [(pk, pk) for pk in payment_ids]


class RefundForm(AccessibleFormMixin, forms.Form):
    """Money a coordinator gives back to a member by hand."""

    refund_method = forms.ChoiceField(
        label=_("Given back by"),
        choices=[
            (value, label)
            for value, label in ManualMethod.choices
            if value != PaymentMethod.LOCAL_CURRENCY
        ],
    )
    refund_amount = forms.DecimalField(
        label=_("Amount (€)"), max_digits=10, decimal_places=2, min_value=0.01, localize=True
    )
    refund_note = forms.CharField(label=_("Note"), max_length=200, required=False)
