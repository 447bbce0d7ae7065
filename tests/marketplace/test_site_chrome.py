"""What every page carries: the header's search box, and only the stylesheets and scripts the
page needs."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from marketplace.core.stylesheet import TARGET, selectors, trimmed_oscar_css
from tests.factories import product_for

pytestmark = pytest.mark.django_db


def header_search_value(page: str) -> str:
    field = re.search(r'<input id="site-search-q"[^>]*>', page).group(0)
    return re.search(r'value="([^"]*)"', field).group(1)


def test_header_search_is_not_filled_with_the_finders_postcode(client):
    page = client.get(reverse("deliveries:finder"), {"q": "35170"}).content.decode()

    assert 'value="35170"' in page  # the finder's own field keeps it
    assert header_search_value(page) == ""


def test_header_search_shows_what_was_searched_in_the_catalogue(client, producer):
    product_for(producer, title="Carottes nouvelles")

    search = client.get(reverse("search:search"), {"q": "carottes"}).content.decode()
    catalogue = client.get(reverse("catalogue:index")).content.decode()

    assert header_search_value(search) == "carottes"
    assert header_search_value(catalogue) == ""


def test_our_pages_load_our_stylesheets_and_no_jquery(client, producer):
    product_for(producer)

    page = client.get(reverse("catalogue:index")).content.decode()

    assert "css/oscar.css" in page and "oscar/css/styles.css" not in page
    assert "jquery" not in page and "oscar/js/" not in page
    assert "js/site.js" in page


def test_oscars_cart_keeps_its_scripts(client):
    page = client.get(reverse("basket:summary")).content.decode()

    assert "jquery" in page and "oscar/js/oscar/ui.js" in page
    # Started from a file, not an inline script (the Content-Security-Policy refuses those).
    assert "js/oscar_pages.js" in page and 'data-page="basket"' in page
    assert "<script>" not in page


def test_trimmed_oscar_stylesheet_has_every_rule_our_templates_use():
    """Fails when a template starts using a Bootstrap or Oscar class the committed file lacks:
    run ``manage.py build_oscar_css``."""
    committed = TARGET.read_text(encoding="utf-8")

    missing = selectors(trimmed_oscar_css()) - selectors(committed)

    assert not missing, (
        "css/oscar.css lacks rules our templates now use; run `manage.py build_oscar_css`:\n"
        + "\n".join(sorted(missing)[:20])
    )


def test_trimmed_oscar_stylesheet_is_a_fifth_of_oscars_and_finds_its_fonts():
    css = TARGET.read_text(encoding="utf-8")

    assert len(css.encode()) < 80_000  # Oscar's: 283 KB
    for url in re.findall(r"url\(\"?(\.\./[^\")]+)", css):
        assert finders.find(url.removeprefix("../")), url


def test_the_cached_header_escapes_the_chosen_points_name_and_keeps_each_visitors_token(
    client, member
):
    from tests.factories import DistributionDayFactory

    day = DistributionDayFactory(pickup_point__name='Thabor <script>alert(1)</script> & "Lices"')
    client.force_login(member)
    client.post(reverse("deliveries:choose-day", kwargs={"pk": day.pk}))

    first = client.get(reverse("catalogue:index")).content.decode()
    again = client.get(reverse("catalogue:index")).content.decode()  # the header from the cache

    for page in (first, again):
        assert "<script>alert(1)</script>" not in page
        assert "Thabor &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Lices&quot;" in page
        assert "__csrf_token_placeholder__" not in page
        assert re.search(r'name="csrfmiddlewaretoken" value="\w{64}"', page)
