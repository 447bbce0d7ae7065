"""The producer's own space: their products, stock and order lines, and nobody else's."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView, View
from oscar.apps.order.exceptions import InvalidLineStatus
from oscar.core.loading import get_model

from marketplace.core.csv import CONTENT_TYPE as CSV_CONTENT_TYPE
from producers import packing, services
from producers.errors import NotYourOrderLine, QuotaNotChanged
from producers.forms import DayQuotaForm, ProducerProfileForm, ProductForm, StockForm
from producers.line_prices import with_amounts_owed
from producers.models import PackingList
from producers.selectors import (
    producer_of,
    producer_order_lines,
    producer_packing_lists,
    producer_products,
    quota_rows,
)

Product = get_model("catalogue", "Product")


class ProducerRequiredMixin(LoginRequiredMixin):
    """Signed-in producers only; everyone else gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.producer = producer_of(request.user)
        if self.producer is None:
            raise PermissionDenied(_("This space is for producers."))
        return super().dispatch(request, *args, **kwargs)

    def get_own_product(self):
        """The product in the URL if it is this producer's; 404 otherwise, to reveal nothing."""
        if not hasattr(self, "_product"):
            try:
                self._product = producer_products(self.producer).get(pk=self.kwargs["pk"])
            except Product.DoesNotExist as error:
                raise Http404 from error
        return self._product

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["producer"] = self.producer
        return ctx


class ProductListView(ProducerRequiredMixin, ListView):
    template_name = "producers/space/products.html"
    context_object_name = "products"

    def get_queryset(self):
        return producer_products(self.producer)


class ProductCreateView(ProducerRequiredMixin, FormView):
    template_name = "producers/space/product_form.html"
    form_class = ProductForm
    initial = {"is_public": True, "stock": 0}

    def form_valid(self, form):
        product = services.create_product(self.producer, form.to_draft())
        messages.success(self.request, _("“%(title)s” was added.") % {"title": product.title})
        return redirect("producer_space:products")


class ProductEditView(ProducerRequiredMixin, FormView):
    template_name = "producers/space/product_form.html"
    form_class = ProductForm

    def get_initial(self):
        return ProductForm.initial_for(self.get_own_product())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["product"] = self.get_own_product()
        return ctx

    def form_valid(self, form):
        product = services.update_product(self.producer, self.get_own_product(), form.to_draft())
        messages.success(self.request, _("“%(title)s” was saved.") % {"title": product.title})
        return redirect("producer_space:products")


class StockUpdateView(ProducerRequiredMixin, View):
    def post(self, request, *args, **kwargs):
        product = self.get_own_product()
        form = StockForm(request.POST)
        if form.is_valid():
            services.set_stock(self.producer, product, form.cleaned_data["stock"])
            messages.success(request, _("Stock of “%(title)s” updated.") % {"title": product.title})
        else:
            messages.error(
                request,
                _("Stock of “%(title)s” not changed: %(error)s")
                % {"title": product.title, "error": " ".join(form.errors["stock"])},
            )
        return redirect("producer_space:products")


class PublicationView(ProducerRequiredMixin, View):
    def post(self, request, *args, **kwargs):
        product = self.get_own_product()
        publish = request.POST.get("is_public") == "1"
        services.set_published(self.producer, product, publish)
        message = (
            _("“%(title)s” is now in the catalogue.")
            if publish
            else _("“%(title)s” was taken out of the catalogue.")
        )
        messages.success(request, message % {"title": product.title})
        return redirect("producer_space:products")


class OrderLinesView(ProducerRequiredMixin, ListView):
    template_name = "producers/space/order_lines.html"
    context_object_name = "lines"
    paginate_by = 50

    def get_queryset(self):
        return producer_order_lines(self.producer)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["lines"] = with_amounts_owed(ctx["lines"])  # their price, whatever the member paid
        return ctx


class LinePreparedView(ProducerRequiredMixin, View):
    def post(self, request, *args, **kwargs):
        prepared = request.POST.get("prepared") == "1"
        try:
            line = services.set_line_prepared(self.producer, kwargs["pk"], prepared)
        except NotYourOrderLine as error:
            raise Http404 from error
        except InvalidLineStatus:
            messages.error(request, _("This line cannot change any more (it was cancelled)."))
        else:
            message = (
                _("“%(title)s” is marked prepared.")
                if prepared
                else _("“%(title)s” is back to prepare.")
            )
            messages.success(request, message % {"title": line.title})
        return redirect("producer_space:order-lines")


class ProfileView(ProducerRequiredMixin, FormView):
    template_name = "producers/space/profile.html"
    form_class = ProducerProfileForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.producer
        return kwargs

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        new_photo = data.pop("new_photo", None)
        if new_photo is not None:
            data["photo"] = new_photo
        services.update_profile(self.producer, **data)
        messages.success(self.request, _("Your farm profile was saved."))
        return redirect("producer_space:profile")


class DayQuotasView(ProducerRequiredMixin, TemplateView):
    """How much of one product the producer brings to each coming distribution day."""

    template_name = "producers/space/day_quotas.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["product"] = self.get_own_product()
        ctx["rows"] = quota_rows(ctx["product"])
        return ctx

    def post(self, request, *args, **kwargs):
        product = self.get_own_product()
        form = DayQuotaForm(request.POST)
        if not form.is_valid():
            errors = " ".join(error for errors in form.errors.values() for error in errors)
            messages.error(request, _("Quota not changed: %(error)s") % {"error": errors})
            return redirect("producer_space:product-quotas", pk=product.pk)
        quantity = form.cleaned_data["quantity"]
        try:
            services.set_day_quota(self.producer, product, form.cleaned_data["day"], quantity)
        except QuotaNotChanged as error:
            messages.error(request, _("Quota not changed: %(error)s") % {"error": error})
        else:
            if quantity is None:
                messages.success(request, _("No quota any more: the general stock applies."))
            else:
                messages.success(
                    request,
                    _("You bring %(quantity)s of “%(title)s” that day.")
                    % {"quantity": quantity, "title": product.title},
                )
        return redirect("producer_space:product-quotas", pk=product.pk)


class PackingListsView(ProducerRequiredMixin, ListView):
    """The packing lists built at each cut-off: what to bring where."""

    template_name = "producers/space/packing_lists.html"
    context_object_name = "packing_lists"

    def get_queryset(self):
        return producer_packing_lists(self.producer)


class PackingListView(ProducerRequiredMixin, TemplateView):
    """One packing list, on screen or as a CSV or PDF file (the producer's own only)."""

    template_name = "producers/space/packing_list.html"

    def get(self, request, *args, **kwargs):
        record = get_object_or_404(
            PackingList.objects.select_related("distribution_day__pickup_point"),
            pk=kwargs["pk"],
            producer=self.producer,
        )
        self.packing = packing.packing_list_for(self.producer, record.distribution_day_id)
        if self.packing is None:  # every line cancelled since: an empty list
            self.packing = packing.PackingListData(self.producer, record.distribution_day)
        file_format = kwargs.get("format")
        if file_format not in (None, "csv", "pdf"):
            raise Http404
        if file_format == "csv":
            response = HttpResponse(packing.as_csv(self.packing), content_type=CSV_CONTENT_TYPE)
        elif file_format == "pdf":
            response = HttpResponse(packing.as_pdf(self.packing), content_type="application/pdf")
        else:
            return super().get(request, *args, **kwargs)
        filename = f"{self.packing.filename}.{file_format}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["packing"] = self.packing
        return ctx
