/* Vuoro's service worker, served as /sw.js (scope /): it shows the phone page's Web Push notifications
   ("almost your turn", "called") when the page is closed, and opens or focuses the page when one is tapped.
   Nothing else: no caching, no offline copy (the page reconnects by itself, docs/screens.md). */
"use strict";

self.addEventListener("install", function () {
  self.skipWaiting(); /* nothing to cache: a new version may take over at once */
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

/* where the phone page keeps its own address for the worker (phone_push.js): the server never learns it back,
   since it keeps the ticket's token only as a hash; a payload never carries it */
var CACHE = "vuoro-push";
var TICKET_KEY = "/vuoro-push/ticket";

/* the payload the server sends (queue_server's push sender): {type, number, title, body, tag} */
function payloadOf(event) {
  if (!event.data) return null;
  try {
    return event.data.json();
  } catch (e) {
    return null;
  }
}

/* the page's own address on this server; anything else in a payload is ignored */
function pageUrl(url) {
  var target = new URL(typeof url === "string" ? url : "/", self.location.origin);
  return target.origin === self.location.origin ? target.href : new URL("/", self.location.origin).href;
}

/* the ticket's page, as the phone page left it when it subscribed; the start page without one */
function ticketUrl() {
  if (!self.caches) return Promise.resolve(pageUrl("/"));
  return self.caches.open(CACHE).then(function (cache) {
    return cache.match(TICKET_KEY);
  }).then(function (found) {
    return found ? found.text() : "/";
  }).then(pageUrl, function () { return pageUrl("/"); });
}

self.addEventListener("push", function (event) {
  var message = payloadOf(event);
  if (!message || !message.title) return;
  var tag = String(message.tag || message.number || "vuoro");
  var shown = ticketUrl().then(function (url) {
    return self.registration.showNotification(String(message.title), {
      body: message.body ? String(message.body) : "",
      tag: tag,
      data: { url: url },
      renotify: true,
      requireInteraction: message.type === "called",
    });
  });
  /* then an open page hears it too (it follows the ticket live as well: this is a courtesy, not its source) */
  event.waitUntil(shown.then(function () {
    return self.clients.matchAll({ type: "window", includeUncontrolled: true });
  }).then(function (windows) {
    windows.forEach(function (client) { client.postMessage({ vuoroPush: message }); });
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = pageUrl(event.notification.data && event.notification.data.url);
  var path = new URL(url).pathname;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if (new URL(windows[i].url).pathname === path && "focus" in windows[i]) return windows[i].focus();
    }
    return self.clients.openWindow(url);
  }));
});
