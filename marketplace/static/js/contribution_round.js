/* A contribution round's gauge, kept current: every 30 seconds the page asks for the figure
 * (the round's "jauge" address, JSON) and updates the meter and its words. The words change
 * only when the figure does, so a screen reader hears nothing new between pledges. Without
 * script, or while the server does not answer, the page shows the figure it was served with.
 */
(function () {
    "use strict";
    var REFRESH_MS = 30000;
    Array.prototype.forEach.call(document.querySelectorAll("[data-gauge-url]"), function (gauge) {
        var meter = gauge.querySelector("meter");
        var text = gauge.querySelector("[data-gauge-text]");
        var timer = null;

        function refresh() {
            fetch(gauge.dataset.gaugeUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
                .then(function (response) { return response.ok ? response.json() : null; })
                .then(function (figure) {
                    if (!figure) { return; }
                    if (meter) {
                        meter.max = figure.budget;
                        meter.value = figure.value;
                        meter.textContent = figure.percent + " %";
                    }
                    if (text && text.textContent !== figure.text) { text.textContent = figure.text; }
                    if (!figure.is_open && timer) { clearInterval(timer); }
                })
                .catch(function () { /* offline: the next tick tries again */ });
        }

        timer = setInterval(refresh, REFRESH_MS);
    });
}());
