// Every page of ours: the header's menu button, and closing messages without Bootstrap's script.
(function () {
    var root = document.documentElement;
    root.classList.remove("no-js");
    root.classList.add("js");

    // Without JavaScript the phone menu opens with a checkbox and its label; with it, a real
    // button that says whether the menu is open.
    var toggle = document.getElementById("site-menu-toggle");
    var label = toggle && document.querySelector('label[for="site-menu-toggle"]');
    if (label) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = label.className;
        button.innerHTML = label.innerHTML;
        button.setAttribute("aria-controls", toggle.getAttribute("aria-controls"));
        var setOpen = function (open) {
            toggle.checked = open;
            button.setAttribute("aria-expanded", open ? "true" : "false");
        };
        setOpen(false);
        toggle.hidden = true;
        label.replaceWith(button);
        button.addEventListener("click", function () {
            setOpen(!toggle.checked);
        });
        document.addEventListener("keydown", function (event) {
            if (event.key === "Escape" && toggle.checked) {
                setOpen(false);
                button.focus();
            }
        });
    }

    // Oscar's pages load Bootstrap's script, which closes messages itself.
    if (!window.jQuery) {
        document.addEventListener("click", function (event) {
            var close = event.target.closest('[data-dismiss="alert"]');
            var alert = close && close.closest(".alert");
            if (alert) alert.remove();
        });
    }
})();
