// "Use my position": shown only where the browser can give one; fills the hidden fields.
(function () {
    var button = document.getElementById("use-my-position");
    var form = document.getElementById("finder-form");
    if (!button || !form || !navigator.geolocation) return;
    button.hidden = false;
    button.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (position) {
            form.elements.lat.value = position.coords.latitude.toFixed(5);
            form.elements.lon.value = position.coords.longitude.toFixed(5);
            form.elements.q.value = "";
            form.submit();
        });
    });
})();
