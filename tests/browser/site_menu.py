"""The site header's menu, folded away on phones: open it before using what it holds."""


def open_site_menu(page) -> None:
    """Open the header's menu if it is folded (on a phone); nothing to do on a desktop."""
    button = page.locator("header .site-menu-button")
    if button.is_visible() and not page.locator("#site-menu-toggle").is_checked():
        button.click()


def header_link(page, name):
    """A link of the site header, ready to click on a phone as on a desktop."""
    open_site_menu(page)
    return page.locator("header").get_by_role("link", name=name)
