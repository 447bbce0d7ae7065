"""Catalogue, category, search and product pages: listed with the ORM, cached as rendered HTML.

Only what is the same for every visitor is cached (the page's main part); the header with the
cart, messages and the visitor's CSRF token are put around it on each request.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from oscar.core.loading import get_class, get_model

from deliveries.network.chosen_day import chosen_day_id
from marketplace.core.catalogue_cache import CSRF_PLACEHOLDER, cached_html
from marketplace.core.page_cache import AnonymousPageCacheMixin
from marketplace.search.selectors import (
    SORTS,
    catalogue_products,
    product_for_page,
    top_categories,
    with_card_data,
)
from producers.quotas import quotas_left

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
OscarProductDetailView = get_class("catalogue.views", "ProductDetailView")
Selector = get_class("partner.strategy", "Selector")

SORT_LABELS = {
    "title": _("Name"),
    "price-asc": _("Price, lowest first"),
    "price-desc": _("Price, highest first"),
    "newest": _("Newest"),
}


def visitor_strategy(request):
    """The shop's strategy for this visitor: their prices (a reduced-tier member's staples).
    The cached parts of a page are kept apart by the prices they show
    (``catalogue_cache.cached_html``)."""
    return getattr(request, "strategy", None) or Selector().strategy(request=request)


def render_product_grid(products, *, request, page_number, day_id=None, extra=None) -> str:
    """One page of product cards (raises Http404 for a page that does not exist), at the
    visitor's prices, with what is left for their distribution day where the producer set a
    quota."""
    paginator = Paginator(products, settings.OSCAR_PRODUCTS_PER_PAGE)
    try:
        page = paginator.page(page_number)
    except InvalidPage as error:
        raise Http404 from error
    strategy = visitor_strategy(request)
    cards = list(with_card_data(page.object_list))
    left = quotas_left(day_id, [product.pk for product in cards])
    for product in cards:
        product.purchase_info = strategy.fetch_for_product(product)
        product.day_left = left.get(product.pk)
    return render_to_string(
        "marketplace/search/partials/product_grid.html",
        {
            "page_obj": page,
            "paginator": paginator,
            "products": cards,
            "csrf_placeholder": CSRF_PLACEHOLDER,
            **(extra or {}),
        },
    )


class CatalogueView(AnonymousPageCacheMixin, TemplateView):
    template_name = "marketplace/search/browse.html"
    page_parameters = ("q", "sort_by", "page")
    category = None

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            messages.error(request, _("The given page number was invalid."))
            return redirect(request.path)

    def get_query(self) -> str:
        return self.request.GET.get("q", "")[:100]

    def get_sort(self) -> str:
        sort = self.request.GET.get("sort_by", "title")
        return sort if sort in SORTS else "title"

    def get_summary(self):
        return _("All products")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query, sort = self.get_query(), self.get_sort()
        page_number = self.request.GET.get("page", "1")[:6]
        day_id = chosen_day_id(self.request)
        ctx["summary"] = self.get_summary()
        ctx["header_search_query"] = query  # the header's search box shows only a product search
        ctx["catalogue_html"] = cached_html(
            self.request,
            [
                "catalogue",
                self.category and self.category.pk,
                query,
                sort,
                page_number,
                day_id,
            ],
            lambda: self.render_main(query, sort, page_number, ctx["summary"], day_id),
        )
        return ctx

    def render_main(self, query: str, sort: str, page_number: str, summary, day_id) -> str:
        # Only the parameters the cache key holds: the links are shared by every visitor.
        querystring = urlencode({k: v for k, v in (("q", query), ("sort_by", sort)) if v})
        products = catalogue_products(category=self.category, query=query, sort=sort)
        return render_to_string(
            "marketplace/search/partials/catalogue_main.html",
            {
                "summary": summary,
                "category": self.category,
                "ancestors": self.category.get_ancestors() if self.category else [],
                "top_categories": top_categories(),
                "query": query,
                "sort_by": sort,
                "sort_labels": SORT_LABELS,
                "product_grid": render_product_grid(
                    products,
                    request=self.request,
                    page_number=page_number,
                    day_id=day_id,
                    extra={"querystring": querystring},
                ),
            },
        )


class ProductCategoryView(CatalogueView):
    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=kwargs["pk"])
        if not (self.category.is_public or request.user.is_staff):
            raise Http404
        expected = self.category.get_absolute_url()
        if expected != request.path:
            return HttpResponsePermanentRedirect(expected)
        return super().get(request, *args, **kwargs)

    def get_summary(self):
        return self.category.name


class FacetedSearchView(CatalogueView):
    def get_summary(self):
        query = self.get_query()
        if query:
            return _("Products matching “%(query)s”") % {"query": query}
        return _("All products")


class ProductDetailView(AnonymousPageCacheMixin, OscarProductDetailView):
    """Oscar's product page (served at Oscar's own URL) with its main part cached."""

    template_name = "oscar/catalogue/detail.html"

    def get_alert_status(self) -> bool:
        """Oscar's stock alerts are not offered on our product page: no query for them."""
        return False

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        day_id = chosen_day_id(self.request)
        ctx["product_html"] = cached_html(
            self.request,
            ["product", self.object.pk, day_id],
            lambda: self.render_main(self.object.pk, day_id),
        )
        return ctx

    def render_main(self, pk: int, day_id) -> str:
        product = product_for_page(pk)
        return render_to_string(
            "marketplace/search/partials/product_main.html",
            {
                "product": product,
                "day_left": quotas_left(day_id, [pk]).get(pk),
                "session": visitor_strategy(self.request).fetch_for_product(product),
                "csrf_placeholder": CSRF_PLACEHOLDER,
            },
        )
