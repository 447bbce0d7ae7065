/* The pickup list on a volunteer's phone.
 *
 * A tap ticks a line at once on this phone and queues the tick, with its own id and the phone's
 * time, in localStorage; the queue is sent whenever the connection allows (at once, on the
 * "online" event, and with each poll). The server records each tick id once, so a tick sent
 * twice (a retry, a replay after being offline) counts once. Every few seconds the page asks
 * the server for the state, so that two phones agree; lines with ticks still queued keep this
 * phone's state until they are sent.
 */
(function () {
    "use strict";
    var root = document.querySelector(".pickup-list");
    if (!root) { return; }
    var POLL_MS = 3000;
    var queueKey = "pickup-ticks-" + root.dataset.day;
    var sync = root.querySelector(".pickup-sync");
    var csrf = (root.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
    var sending = false;

    function readQueue() {
        try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
    }
    function writeQueue(queue) {
        try { localStorage.setItem(queueKey, JSON.stringify(queue)); } catch (e) { /* full: kept in memory below */ }
        memoryQueue = queue;
    }
    var memoryQueue = readQueue();
    function queue() { var stored = readQueue(); return stored.length || !memoryQueue.length ? stored : memoryQueue; }

    function newId() {
        if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
        return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
            var r = Math.random() * 16 | 0;
            return (c === "x" ? r : (r & 0x3 | 0x8)).toString(16);
        });
    }

    function lineOf(handover) { return root.querySelector('.handover[data-handover="' + handover + '"]'); }

    function show(line, collected, by) {
        if (!line) { return; }
        line.classList.toggle("is-collected", collected);
        var button = line.querySelector(".handover-button");
        button.setAttribute("aria-pressed", collected ? "true" : "false");
        var state = line.querySelector(".handover-state");
        state.textContent = collected ? state.dataset.yes : state.dataset.no;
        line.querySelector("input[name=collected]").value = collected ? "false" : "true";
        var who = line.querySelector(".handover-by");
        if (who && by !== undefined) { who.textContent = by ? "✓ " + by : ""; }
        var household = line.closest(".household");
        household.classList.toggle("is-collected",
            !household.querySelector(".handover:not(.is-collected)"));
    }

    function recount() {
        var all = root.querySelectorAll(".handover").length;
        var done = root.querySelectorAll(".handover.is-collected").length;
        root.querySelector(".js-collected").textContent = done;
        root.querySelector(".js-remaining").textContent = all - done;
    }

    function showSync() {
        var waiting = queue().length;
        if (!waiting) { sync.textContent = sync.dataset.synced; return; }
        sync.textContent = waiting + " " + sync.dataset.pending +
            (navigator.onLine ? "" : " — " + sync.dataset.offline);
    }

    function apply(state) {
        var pending = {};
        queue().forEach(function (tick) { pending[tick.handover] = true; });
        Object.keys(state.items).forEach(function (handover) {
            if (!pending[handover]) { show(lineOf(handover), state.items[handover].collected, state.items[handover].by); }
        });
        recount();
    }

    function send() {
        var ticks = queue();
        if (sending || !ticks.length || !navigator.onLine) { showSync(); return Promise.resolve(); }
        sending = true;
        return fetch(root.dataset.ticksUrl, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
            body: JSON.stringify({ ticks: ticks })
        }).then(function (response) {
            // 400: a batch the server could not read at all; it will never take it, so it is
            // dropped like a sent one and the state below tells the truth.
            if (!response.ok && response.status !== 400) { throw new Error("HTTP " + response.status); }
            var sent = {};
            ticks.forEach(function (t) { sent[t.operation] = true; });
            writeQueue(queue().filter(function (t) { return !sent[t.operation]; }));
            return response.json().catch(function () { return null; });
        }).then(function (state) {
            sending = false;
            if (state && state.items) { apply(state); }
            showSync();
        }).catch(function () {
            sending = false;
            showSync();
        });
    }

    function poll() {
        if (!navigator.onLine) { showSync(); return; }
        send().then(function () {
            return fetch(root.dataset.stateUrl, { credentials: "same-origin", cache: "no-store" });
        }).then(function (response) {
            return response && response.ok ? response.json() : null;
        }).then(function (state) {
            if (state && state.items) { apply(state); }
            showSync();
        }).catch(showSync);
    }

    root.addEventListener("submit", function (event) {
        var form = event.target.closest("form.js-tick");
        if (!form) { return; }
        event.preventDefault();
        if (root.hasAttribute("data-closed")) { return; }
        var line = form.closest(".handover");
        var collected = form.querySelector("input[name=collected]").value === "true";
        var ticks = queue();
        ticks.push({
            operation: newId(),
            handover: line.dataset.handover,
            collected: collected,
            at: new Date().toISOString()
        });
        writeQueue(ticks);
        show(line, collected, "");
        recount();
        send();
    });

    var search = root.querySelector(".js-search");
    var noMatch = root.querySelector(".js-no-match");
    search.addEventListener("input", function () {
        var wanted = search.value.trim().toLocaleLowerCase();
        var shown = 0;
        root.querySelectorAll(".household").forEach(function (household) {
            var match = !wanted || household.dataset.search.indexOf(wanted) >= 0;
            household.hidden = !match;
            shown += match ? 1 : 0;
        });
        noMatch.hidden = shown > 0;
    });

    window.addEventListener("online", poll);
    window.addEventListener("offline", showSync);
    // Ticks left from an earlier visit (the phone went offline, the page was closed): show them.
    queue().forEach(function (tick) { show(lineOf(tick.handover), tick.collected); });
    recount();
    showSync();
    poll();
    setInterval(poll, POLL_MS);
})();
