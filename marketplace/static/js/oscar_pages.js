// Oscar's pages (cart, checkout, account): what its templates started in an inline script, which
// the Content-Security-Policy refuses. ui.js's common setup, then the page's own (data-page,
// from site_tags.oscar_page_script).
(function () {
    var script = document.currentScript;
    var page = script.getAttribute("data-page");
    var basketUrl = script.getAttribute("data-basket-url");
    jQuery(function () {
        oscar.init();
        if (page === "basket") {
            oscar.basket.init({ basketURL: basketUrl });
        } else if (page === "checkout-gateway") {
            oscar.checkout.gateway.init();
        } else if (page === "notifications") {
            oscar.notifications.init();
        } else if (page === "wishlists") {
            oscar.customer.wishlists.init();
        }
    });

    // Buttons that print the page (the order confirmation), without an inline onclick.
    document.addEventListener("click", function (event) {
        if (event.target.closest("[data-print-page]")) {
            window.print();
        }
    });
})();
