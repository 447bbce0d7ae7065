/* The pickup list without signal: a service worker that pickup_list.js registers with the
 * list's own address as its scope, so it controls that one page and no other.
 *
 * What it keeps, in a cache named after the key of the person signed in (a cookie that the
 * server deletes on sign-out, on another person's sign-in and when the session ends; see
 * deliveries/pickup_list_offline.py): the list page, its last polled state and the static
 * files it uses. The network always comes first; the kept copy is served only when the network
 * fails (or is too slow for a page to wait on), and only for the key in the cookie now: without
 * that cookie nothing is served and every kept list is deleted. Ticks are never kept here:
 * the page queues them in localStorage and sends them itself.
 */
"use strict";

var COOKIE = "{{ cookie_name|escapejs }}";
var KEY_HEADER = "{{ key_header|escapejs }}";
var SAVED_HEADER = "{{ saved_header|escapejs }}";
var STATIC = new URL("{{ static_url|escapejs }}", self.location.href).href;
var PREFIX = "pickup-list-";
var LIST = self.registration.scope;
var STATE = LIST + "{{ state_path|escapejs }}";
var SLOW_MS = 6000;
var CAN_TELL_WHO = !!self.cookieStore;
var OFFLINE_PAGE = "<!DOCTYPE html><html lang=\"{{ language|escapejs }}\"><head><meta charset=\"utf-8\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
    "<title>{{ title|force_escape|escapejs }}</title></head><body style=\"font-family: sans-serif; margin: 1.5rem;\">" +
    "<main><h1>{{ title|force_escape|escapejs }}</h1><p>{{ explanation|force_escape|escapejs }}</p></main></body></html>";

function noop() { return null; }

function currentKey() {
    if (!CAN_TELL_WHO) { return Promise.resolve(null); }
    return self.cookieStore.get(COOKIE).then(function (cookie) {
        return cookie && cookie.value ? cookie.value : null;
    }, noop);
}

function deleteCaches(keep) {
    return caches.keys().then(function (names) {
        return Promise.all(names.filter(function (name) {
            return name.indexOf(PREFIX) === 0 && name !== keep;
        }).map(function (name) { return caches.delete(name); }));
    });
}

// Only the person whose key is in the cookie now keeps lists on this phone.
function forgetOtherPeople() {
    return currentKey().then(function (key) { return deleteCaches(key ? PREFIX + key : null); });
}

function forgetThisList() {
    return caches.keys().then(function (names) {
        return Promise.all(names.filter(function (name) { return name.indexOf(PREFIX) === 0; })
            .map(function (name) {
                return caches.open(name).then(function (cache) {
                    return Promise.all([cache.delete(LIST), cache.delete(STATE)]);
                });
            }));
    });
}

function keptCopy(url) {
    return currentKey().then(function (key) {
        if (!key) { return deleteCaches(null).then(noop); }
        return caches.match(url, { cacheName: PREFIX + key, ignoreSearch: true }).then(function (found) {
            return found || null;
        });
    });
}

// A page the server gave this person is kept; a refusal (signed out, no longer on the day's
// shift, the day gone) removes every copy of the list. A server error keeps the copy there is.
function keepOrForget(response) {
    var key = response.headers.get(KEY_HEADER);
    if (response.ok && response.type === "basic" && !response.redirected && key) {
        return caches.open(PREFIX + key).then(function (cache) {
            return cache.put(LIST, response);
        }).then(forgetOtherPeople);
    }
    if (response.type === "opaqueredirect" || response.redirected ||
            (response.status >= 400 && response.status < 500)) {
        return forgetThisList();
    }
    return Promise.resolve();
}

function offlinePage() {
    return new Response(OFFLINE_PAGE, {
        status: 503,
        headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }
    });
}

function openList(event) {
    // A search (?q=, when JavaScript is off) shows part of the list: it is not the copy to keep.
    var isWholeList = !new URL(event.request.url).search;
    var network = fetch(event.request).then(function (response) {
        var kept = isWholeList || !response.ok ? keepOrForget(response.clone()) : null;
        return { response: response, kept: kept };
    });
    event.waitUntil(network.then(function (got) { return got.kept; }).catch(noop));
    return new Promise(function (resolve) {
        var given = false;
        var slow;
        function give(response) {
            if (!given && response) { given = true; clearTimeout(slow); resolve(response); }
        }
        network.then(function (got) { give(got.response); }, function () {
            keptCopy(LIST).then(function (copy) { give(copy || offlinePage()); }, function () {
                give(offlinePage());
            });
        });
        // A hall with one bar of signal: the kept list now, the page's poll catches up.
        slow = setTimeout(function () { keptCopy(LIST).then(give, noop); }, SLOW_MS);
    });
}

function fetchState(event) {
    return fetch(event.request).then(function (response) {
        if (response.ok) {
            var copy = response.clone();
            event.waitUntil(currentKey().then(function (key) {
                return key ? caches.open(PREFIX + key).then(function (cache) {
                    return cache.put(STATE, copy);
                }) : null;
            }).catch(noop));
        }
        return response;
    }, function (error) {
        return keptCopy(STATE).then(function (copy) {
            if (!copy) { throw error; }
            var headers = new Headers(copy.headers);
            headers.set(SAVED_HEADER, "1");
            return copy.blob().then(function (body) {
                return new Response(body, { status: 200, headers: headers });
            });
        });
    });
}

function fetchStatic(event) {
    return fetch(event.request).catch(function (error) {
        return keptCopy(event.request.url).then(function (copy) {
            if (!copy) { throw error; }
            return copy;
        });
    });
}

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
    var watch = self.registration.cookies && self.registration.cookies.subscribe
        ? self.registration.cookies.subscribe([{ name: COOKIE, url: LIST }]).catch(noop)
        : null;
    event.waitUntil(Promise.all([self.clients.claim(), watch, forgetOtherPeople()]).catch(noop));
});

// Signed out, or someone else signed in: the lists kept for the previous person go at once.
self.addEventListener("cookiechange", function (event) {
    event.waitUntil(forgetOtherPeople().catch(noop));
});

self.addEventListener("fetch", function (event) {
    var request = event.request;
    if (!CAN_TELL_WHO || request.method !== "GET") { return; }
    var url = new URL(request.url);
    var address = url.origin + url.pathname;
    if (request.mode === "navigate") {
        if (address === LIST) { event.respondWith(openList(event)); }
        return;
    }
    if (address === STATE) {
        event.respondWith(fetchState(event));
    } else if (url.href.indexOf(STATIC) === 0) {
        event.respondWith(fetchStatic(event));
    }
});

// The page, once shown, names the static files it uses: they are kept with the list, its state
// now, and the list itself, fetched once more when this worker did not see the page arrive.
self.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type !== "keep") { return; }
    var assets = (Array.isArray(data.assets) ? data.assets : []).filter(function (asset, i, all) {
        return typeof asset === "string" && asset.indexOf(STATIC) === 0 && all.indexOf(asset) === i;
    });
    event.waitUntil(currentKey().then(function (key) {
        if (!key) { return false; }
        return caches.open(PREFIX + key).then(function (cache) {
            var list = cache.match(LIST).then(function (found) {
                return found || fetch(LIST, { credentials: "same-origin" }).then(keepOrForget);
            });
            var state = fetch(STATE, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
                return response.ok ? cache.put(STATE, response) : null;
            }).catch(noop);
            var files = assets.map(function (asset) { return cache.add(asset).catch(noop); });
            return Promise.all([list, state].concat(files));
        }).then(function () {
            return caches.match(LIST, { cacheName: PREFIX + key }).then(Boolean);
        });
    }).catch(function () { return false; }).then(function (kept) {
        if (event.source) { event.source.postMessage({ type: "kept", kept: kept }); }
    }));
});
