/* The pickup list on a volunteer's phone.
 *
 * A tap ticks a line at once on this phone and queues the tick, with its own id and the phone's
 * time, in localStorage; the queue is sent whenever the connection allows (at once, on the
 * "online" event, and with each poll). The server records each tick id once, so a tick sent
 * twice (a retry, a replay after being offline) counts once. Every few seconds the page asks
 * the server for the state, so that two phones agree; lines with ticks still queued keep this
 * phone's state until they are sent, marked "waiting to send".
 *
 * Without signal, a reload is answered by the service worker this page registers
 * (templates/deliveries/pickup_list_sw.js, scope: this list only) from the copy it keeps for the
 * person signed in: the page, its last state and its static files.
 */
(function () {
    "use strict";
    var root = document.querySelector(".pickup-list");
    if (!root) { return; }
    var POLL_MS = 3000;
    // Each person's ticks wait apart: another volunteer signing in on this phone neither sees
    // them nor sends them under their own name.
    var queueKey = "pickup-ticks-" + root.dataset.day + "-" + root.dataset.user;
    var sync = root.querySelector(".pickup-sync");
    var offlineNotice = root.querySelector(".pickup-offline");
    var unreachable = false;  // the last request failed, or the worker answered from its copy
    var shownSavedState = false;
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

    // The word after a count, as the server wrote it for 0, 1 and more (data-<name>-zero/one/other):
    // French says "1 retiré", "0 retiré", English "0 collected".
    function countWord(element, name, n) {
        return element.dataset[name + (n === 0 ? "Zero" : n === 1 ? "One" : "Other")];
    }

    function showCount(name, n) {
        root.querySelector(".js-" + name).textContent = n;
        var word = root.querySelector(".js-" + name + "-word");
        word.textContent = countWord(word, name, n);
    }

    function recount() {
        var all = root.querySelectorAll(".handover").length;
        var done = root.querySelectorAll(".handover.is-collected").length;
        showCount("collected", done);
        showCount("remaining", all - done);
    }

    function isOffline() { return !navigator.onLine || unreachable; }

    // Each line whose tick is still on this phone says so, in its button's name too.
    function markWaiting(ticks) {
        var waiting = {};
        ticks.forEach(function (tick) { waiting[tick.handover] = true; });
        root.querySelectorAll(".handover.is-waiting").forEach(function (line) {
            if (!waiting[line.dataset.handover]) {
                line.classList.remove("is-waiting");
                var mark = line.querySelector(".handover-waiting");
                if (mark) { mark.remove(); }
            }
        });
        Object.keys(waiting).forEach(function (handover) {
            var line = lineOf(handover);
            if (!line || line.classList.contains("is-waiting")) { return; }
            line.classList.add("is-waiting");
            var mark = document.createElement("span");
            mark.className = "handover-waiting";
            var comma = document.createElement("span");
            comma.className = "sr-only";
            comma.textContent = ", ";
            mark.append(comma, root.dataset.waiting);
            line.querySelector(".handover-button").append(mark);
        });
    }

    function showSync() {
        var ticks = queue();
        var waiting = ticks.length;
        var offline = isOffline();
        markWaiting(ticks);
        offlineNotice.hidden = !offline;
        // The line is a live region: rewritten only when it changes, so it is read out once.
        if (sync.dataset.shown === waiting + "/" + offline) { return; }
        sync.dataset.shown = waiting + "/" + offline;
        sync.classList.toggle("is-waiting", waiting > 0);
        sync.classList.toggle("text-muted", !waiting);
        sync.textContent = "";
        if (waiting) {
            var count = document.createElement("strong");
            count.className = "js-waiting-count";
            count.textContent = waiting;
            sync.append(count, " " + countWord(sync, "pending", waiting));
        } else {
            sync.append(sync.dataset.synced);
        }
        if (offline) {
            var badge = document.createElement("span");
            badge.className = "pickup-offline-badge";
            badge.textContent = sync.dataset.offlineShort;
            sync.append(" ", badge);
        }
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
            unreachable = false;
            if (state && state.items) { apply(state); }
            showSync();
            // Ticks made while this batch was on its way go at once, not at the next poll.
            if (queue().length) { send(); }
        }).catch(function (error) {
            sending = false;
            if (error instanceof TypeError) { unreachable = true; }
            showSync();
        });
    }

    // Offline, the state is asked for once: the worker answers with the last one it kept, which
    // is newer than a page it serves from its copy.
    function poll() {
        if (!navigator.onLine && shownSavedState) { showSync(); return; }
        send().then(function () {
            return fetch(root.dataset.stateUrl, { credentials: "same-origin", cache: "no-store" });
        }).then(function (response) {
            unreachable = !!response.headers.get(root.dataset.savedHeader);
            shownSavedState = shownSavedState || unreachable;
            return response.ok ? response.json() : null;
        }, function () {
            unreachable = true;
            shownSavedState = true;
            return null;
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

    function staticFiles() {
        var urls = [];
        document.querySelectorAll("link[rel~=stylesheet][href], link[rel~=icon][href], script[src], img[src]")
            .forEach(function (element) { urls.push(element.href || element.src); });
        if (window.performance && performance.getEntriesByType) {  // fonts and images from CSS
            performance.getEntriesByType("resource").forEach(function (entry) { urls.push(entry.name); });
        }
        return urls;
    }

    // The worker keeps this list for reloads without signal; it takes only static files from
    // what is named here.
    function keepForOffline() {
        if (!root.dataset.workerUrl || !window.isSecureContext || !("serviceWorker" in navigator)) { return; }
        navigator.serviceWorker.addEventListener("message", function (event) {
            if (event.data && event.data.type === "kept") {
                root.toggleAttribute("data-offline-ready", !!event.data.kept);
            }
        });
        navigator.serviceWorker.register(root.dataset.workerUrl, { scope: root.dataset.listUrl })
            .catch(function () { return null; })  // offline: the worker already here goes on
            .then(function () { return navigator.serviceWorker.ready; })
            .then(function (registration) {
                if (navigator.onLine) { registration.active.postMessage({ type: "keep", assets: staticFiles() }); }
            })
            .catch(function () { /* no offline copy: the page works as before */ });
    }

    window.addEventListener("online", function () { unreachable = false; poll(); });
    window.addEventListener("offline", showSync);
    // Ticks left from an earlier visit (the phone went offline, the page was closed): show them.
    queue().forEach(function (tick) { show(lineOf(tick.handover), tick.collected); });
    recount();
    showSync();
    poll();
    setInterval(poll, POLL_MS);
    keepForOffline();
})();
