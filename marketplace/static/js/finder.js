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

// The map of the results: an extra over the list, which stays complete without it. Markers are
// numbered like the list and their popups link to its entries.
(function () {
    var container = document.getElementById("finder-map");
    var source = document.getElementById("finder-map-data");
    if (!container || !source || typeof L === "undefined") return;
    var data = JSON.parse(source.textContent);
    if (!data.points.length) return;
    var labels = container.dataset;

    container.hidden = false;
    container.closest(".finder-results").classList.add("has-map");
    var skip = document.querySelector(".finder-map-skip");
    if (skip) skip.hidden = false;

    var map = L.map(container, { zoomControl: false, scrollWheelZoom: false });
    L.control.zoom({ zoomInTitle: labels.labelZoomIn, zoomOutTitle: labels.labelZoomOut }).addTo(map);
    if (data.tiles) {
        L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
    }

    // Built from elements, never from HTML: the names are typed by coordinators.
    function popupFor(point) {
        var content = document.createElement("div");
        var name = document.createElement("strong");
        name.textContent = point.name;
        content.appendChild(name);
        [point.distance, point.next_day].forEach(function (text) {
            var line = document.createElement("p");
            line.textContent = text;
            content.appendChild(line);
        });
        var link = document.createElement("a");
        link.href = "#" + point.anchor;
        link.textContent = labels.labelSeeInList;
        link.addEventListener("click", function () {
            map.closePopup();
        });
        content.appendChild(link);
        return content;
    }

    // The view first: markers join the map's panes only once it has one.
    var corners = [[data.place.lat, data.place.lon]].concat(
        data.points.map(function (point) {
            return [point.lat, point.lon];
        })
    );
    map.fitBounds(corners, { padding: [32, 32], maxZoom: 14 });

    data.points.forEach(function (point, index) {
        var number = String(index + 1);
        var marker = L.marker([point.lat, point.lon], {
            icon: L.divIcon({
                className: "finder-marker",
                html: "<span aria-hidden=\"true\">" + number + "</span>",
                iconSize: [32, 32],
                iconAnchor: [16, 16],
                popupAnchor: [0, -14],
            }),
            title: number + ". " + point.name,
        })
            .bindPopup(popupFor(point))
            .addTo(map);
        marker.getElement().setAttribute("aria-label", number + ". " + point.name);
    });

    // A ring wider than a numbered marker: it stays in sight when a point stands on the place.
    L.circleMarker([data.place.lat, data.place.lon], {
        className: "finder-place",
        radius: 24,
        weight: 3,
        dashArray: "6 4",
        fillOpacity: 0.12,
    })
        .bindTooltip(labels.labelSearchedPlace)
        .addTo(map);

    map.on("popupopen", function (event) {
        var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
        if (close) close.setAttribute("aria-label", labels.labelClose);
    });
})();
