"""The producer's own space: their products, stock and order lines, and nobody else's."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, View
from oscar.apps.order.exceptions import InvalidLineStatus
from oscar.core.loading import get_model

from producers import services
from producers.errors import NotYourOrderLine
from producers.forms import ProducerProfileForm, ProductForm, StockForm
from producers.selectors import producer_of, producer_order_lines, producer_products

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
