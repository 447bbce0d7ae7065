import oscar.apps.search.apps as apps


class SearchConfig(apps.SearchConfig):
    """Fork of Oscar's search app (it has no models): catalogue pages read the database directly.

    Oscar 4 lists products through Haystack; with no search server that means the "simple"
    backend, one query per product. Our views list with the ORM, prefetch what a product card
    shows, and cache the rendered grid under the catalogue version.
    """

    name = "marketplace.search"
