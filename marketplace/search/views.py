"""Catalogue, category and search pages, listed with the ORM and cached as rendered HTML."""

import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from oscar.core.loading import get_class, get_model

from marketplace import catalogue_cache
from marketplace.search.selectors import (
    SORTS,
    catalogue_products,
    top_categories,
    with_card_data,
)

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
OscarProductDetailView = get_class("catalogue.views", "ProductDetailView")
Selector = get_class("partner.strategy", "Selector")

CSRF_PLACEHOLDER = "__csrf_token_placeholder__"
SORT_LABELS = {
    "title": _("Name"),
    "price-asc": _("Price, lowest first"),
    "price-desc": _("Price, highest first"),
    "newest": _("Newest"),
}


def render_product_grid(request, products, *, page_number, cache_parts, extra=None) -> str:
    """Render one page of product cards, from the cache when the catalogue has not changed.

    Cached HTML holds a placeholder where each add-to-cart form's CSRF token goes; the visitor's
    own token is put in on the way out.
    """
    key_source = ":".join(
        [str(catalogue_cache.current_version()), get_language() or "", str(page_number)]
        + [str(part) for part in cache_parts]
    )
    key = "grid:" + hashlib.sha1(key_source.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        paginator = Paginator(products, request_per_page())
        try:
            page = paginator.page(page_number)
        except InvalidPage as error:
            raise Http404 from error
        strategy = Selector().strategy()
        cards = list(with_card_data(page.object_list))
        for product in cards:
            product.purchase_info = strategy.fetch_for_product(product)
        html = render_to_string(
            "marketplace/search/partials/product_grid.html",
            {
                "page_obj": page,
                "paginator": paginator,
                "products": cards,
                "csrf_placeholder": CSRF_PLACEHOLDER,
                **(extra or {}),
            },
            request=None,
        )
        cache.set(key, html, catalogue_cache.GRID_TIMEOUT)
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))


def request_per_page() -> int:
    from django.conf import settings

    return settings.OSCAR_PRODUCTS_PER_PAGE


class CatalogueView(TemplateView):
    template_name = "marketplace/search/browse.html"
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
        products = catalogue_products(category=self.category, query=query, sort=sort)
        querystring = self.request.GET.copy()
        querystring.pop("page", None)
        ctx.update(
            top_categories=cache.get_or_set(
                f"nav:{catalogue_cache.current_version()}:{get_language()}",
                top_categories,
                catalogue_cache.GRID_TIMEOUT,
            ),
            summary=self.get_summary(),
            category=self.category,
            query=query,
            sort_by=sort,
            sort_labels=SORT_LABELS,
            product_grid=render_product_grid(
                self.request,
                products,
                page_number=self.request.GET.get("page", 1),
                cache_parts=[self.category.pk if self.category else "", query, sort],
                extra={"querystring": querystring.urlencode()},
            ),
        )
        return ctx


class ProductCategoryView(CatalogueView):
    template_name = "marketplace/search/browse.html"

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
        return _("Products matching “%(query)s”") % {"query": query} if query else _("All products")


class ProductDetailView(OscarProductDetailView):
    """Oscar's product page with what it shows fetched up front (served at Oscar's own URL)."""

    template_name = "oscar/catalogue/detail.html"

    def get_queryset(self):
        return Product.objects.select_related("product_class", "sheet__producer").prefetch_related(
            "stockrecords", "images", "categories"
        )
