from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from oscar.core.loading import get_model

from marketplace.core.forms import AccessibleFormMixin
from marketplace.core.images import prepare_photo
from producers.models import Label, Producer, Unit, VatRate
from producers.services import ProductDraft

Category = get_model("catalogue", "Category")

MAX_PRICE = Decimal("9999.99")
MAX_STOCK = 100_000


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return ("— " * (obj.depth - 1)) + obj.name


class PhotoField(forms.FileField):
    """A photo: checked to be a real image under the size limit, then resized."""

    widget = forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        data = super().clean(data, initial)
        if data and data is not initial and hasattr(data, "size"):
            return prepare_photo(data)
        return None


class ProductForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=_("Name"), max_length=255)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_public=True).order_by("path"),
        empty_label=_("Choose a category"),
        error_messages={"required": _("Choose the category the product is listed under.")},
    )
    unit = forms.ChoiceField(label=_("Sold by"), choices=Unit.choices, initial=Unit.KG)
    price = forms.DecimalField(
        label=_("Price incl. VAT (€)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_PRICE)],
        error_messages={
            "min_value": _("The price must be at least 0.01 €."),
            "max_value": _("The price cannot be above 9,999.99 €."),
        },
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )
    vat_rate = forms.TypedChoiceField(
        label=_("VAT rate"), choices=VatRate.choices, coerce=Decimal, initial=VatRate.REDUCED_FOOD
    )
    stock = forms.IntegerField(
        label=_("Quantity available"),
        min_value=0,
        max_value=MAX_STOCK,
        error_messages={
            "min_value": _("The quantity cannot be negative."),
            "max_value": _("The quantity cannot be above 100,000."),
        },
        widget=forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}),
    )
    photo = PhotoField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, 5 MB at most."),
    )
    is_public = forms.BooleanField(label=_("Published in the catalogue"), required=False)

    def to_draft(self) -> ProductDraft:
        return ProductDraft(**self.cleaned_data)

    @classmethod
    def initial_for(cls, product) -> dict:
        stockrecord = product.stockrecords.all()[0]
        categories = list(product.categories.all())
        return {
            "title": product.title,
            "description": product.description,
            "category": categories[0] if categories else None,
            "unit": product.sheet.unit,
            "price": stockrecord.price,
            "vat_rate": f"{product.sheet.vat_rate:.2f}",
            "stock": stockrecord.net_stock_level,
            "is_public": product.is_public,
        }


class StockForm(AccessibleFormMixin, forms.Form):
    stock = forms.IntegerField(
        label=_("Quantity available"),
        min_value=0,
        max_value=MAX_STOCK,
        error_messages={"min_value": _("The quantity cannot be negative.")},
    )


class ProducerProfileForm(AccessibleFormMixin, forms.ModelForm):
    new_photo = PhotoField(label=_("Farm photo"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Producer
        fields = [
            "name",
            "story",
            "address",
            "postcode",
            "town",
            "latitude",
            "longitude",
            "labels",
            "categories",
            "contact_email",
            "phone",
            "website",
        ]
        widgets = {
            "labels": forms.CheckboxSelectMultiple,
            "categories": forms.CheckboxSelectMultiple,
            "story": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["labels"].queryset = Label.objects.all()
        self.fields["categories"].queryset = Category.objects.filter(depth=1, is_public=True)


class DirectoryForm(AccessibleFormMixin, forms.Form):
    near = forms.CharField(
        label=_("Town or postcode"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "text"}),
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    label = forms.ChoiceField(label=pgettext_lazy("quality label", "Label"), required=False)
    category = forms.ModelChoiceField(
        label=_("Products"),
        required=False,
        queryset=Category.objects.none(),
        empty_label=_("All products"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].choices = [("", _("All labels"))] + [
            (label.slug, label.name) for label in Label.objects.all()
        ]
        self.fields["category"].queryset = Category.objects.filter(depth=1, is_public=True)


class DayQuotaForm(AccessibleFormMixin, forms.Form):
    """How much of a product the producer brings to one distribution day; empty: no quota."""

    day = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        label=_("Quantity brought"),
        required=False,
        min_value=0,
        max_value=MAX_STOCK,
        error_messages={"min_value": _("The quantity cannot be negative.")},
    )
