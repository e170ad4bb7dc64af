/* The phone page's "tell me when it is almost my turn" (issue 16): Web Push through the service worker /sw.js,
   so the visitor may close the page and wait away.  phone.js renders the ticket and tells this script
   ("vuoro:ticket"); without push (an old browser, notifications blocked) the page stays what it was: keep it
   open, it alerts when the ticket is called. */
(function () {
  "use strict";

  var V = window.Vuoro;
  var $ = function (id) { return document.getElementById(id); };
  var path = "/api/tickets/" + encodeURIComponent(V.data.token) + "/push";
  /* a centre that sends no notifications (push.enabled off) offers none: the page is what it was */
  var offered = V.data.push === "on";
  var supported = !!(window.isSecureContext && "serviceWorker" in navigator && "PushManager" in window &&
    "Notification" in window);

  /* subscribed: the server holds a subscription for this ticket (the ticket view's "push", or our own request);
     problem: what the note says (unsupported, denied, refused, failed, stop_failed), or "" */
  var state = { ticket: null, subscribed: false, busy: false, problem: supported ? "" : "unsupported" };

  function permission() {
    return supported ? window.Notification.permission : "default";
  }

  function noteText(problem) {
    if (problem === "unsupported") return V.t("phone.push_unsupported");
    if (problem === "denied") return V.t("phone.push_denied");
    if (problem === "refused") return V.t("phone.push_refused");
    if (problem === "failed") return V.t("phone.push_failed");
    if (problem === "stop_failed") return V.t("phone.push_stop_failed");
    return "";
  }

  function render() {
    var ticket = state.ticket;
    var waiting = offered && !!ticket && ticket.status === "waiting";
    if (waiting && state.problem === "" && !state.subscribed && permission() === "denied") state.problem = "denied";
    V.show($("push"), waiting);
    var on = waiting && state.subscribed;
    V.show($("push-offer"), waiting && !on && supported && state.problem !== "denied" && state.problem !== "refused");
    $("push-offer").disabled = state.busy;
    V.show($("push-on"), on);
    $("push-on").textContent = on ? V.t("phone.push_on") : "";
    V.show($("push-stop"), on);
    $("push-stop").disabled = state.busy;
    var note = waiting ? noteText(state.problem) : "";
    $("push-note").textContent = note;
    V.show($("push-note"), !!note);
    $("push-note").classList.toggle("notice-error", state.problem === "failed" || state.problem === "stop_failed");
    /* phone.js shows or hides the line; its words change: with notifications on, the page may be closed */
    $("phone-keep-open").textContent = on ? V.t("phone.push_may_close") : V.t("phone.keep_open");
  }

  document.addEventListener("vuoro:ticket", function (event) {
    var ticket = event.detail;
    state.ticket = ticket;
    render();
  });

  /* which to offer when the page opens: the server says whether it holds this ticket's subscription */
  if (offered && supported) {
    V.api("GET", path).then(function (answer) {
      if (!state.busy) state.subscribed = !!(answer && answer.push && answer.push.subscribed);
      render();
    }, function () { /* unknown or ended: phone.js says so */ });
  }

  /* the service worker opens this page when a notification is tapped: it learns the address here, in the
     browser, since the payload never carries the ticket's token */
  function rememberPage() {
    if (!window.caches) return Promise.resolve();
    return window.caches.open("vuoro-push").then(function (cache) {
      return cache.put("/vuoro-push/ticket", new Response(window.location.pathname));
    }).catch(function () {});
  }

  /** The VAPID public key (base64url, RFC 8292) as the bytes subscribe() takes. */
  function keyBytes(text) {
    var base64 = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function sameBytes(buffer, bytes) {
    if (!buffer || buffer.byteLength !== bytes.length) return false;
    var view = new Uint8Array(buffer);
    for (var i = 0; i < bytes.length; i++) if (view[i] !== bytes[i]) return false;
    return true;
  }

  /* Safari before 15 answers requestPermission through a callback only */
  function askPermission() {
    return new Promise(function (resolve) {
      var asked = window.Notification.requestPermission(resolve);
      if (asked && asked.then) asked.then(resolve);
    });
  }

  /* the browser's subscription for this server's key: the one it has (one per site, shared by its tickets),
     or a new one; a subscription made for an earlier key is replaced */
  function subscription(registration, key) {
    var manager = registration.pushManager;
    return manager.getSubscription().then(function (existing) {
      var bytes = keyBytes(key);
      if (existing && sameBytes(existing.options && existing.options.applicationServerKey, bytes)) return existing;
      var cleared = existing ? existing.unsubscribe() : Promise.resolve();
      return cleared.then(function () {
        return manager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes });
      });
    });
  }

  function Stop(problem) {
    this.problem = problem;
  }

  $("push-offer").addEventListener("click", function () {
    state.busy = true;
    state.problem = "";
    render();
    askPermission().then(function (answer) {
      if (answer !== "granted") throw new Stop(answer === "denied" ? "denied" : "");
      var ready = navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
        return navigator.serviceWorker.ready; /* subscribe() needs an active worker */
      });
      return Promise.all([ready, V.api("GET", "/api/push/key")]);
    }).then(function (found) {
      return subscription(found[0], found[1].key);
    }).then(function (made) {
      var body = made.toJSON();
      body.language = V.getLanguage();
      return V.api("POST", path, { body: body });
    }).then(function () {
      state.subscribed = true;
      return rememberPage();
    }, function (error) {
      if (error instanceof Stop) state.problem = error.problem;
      else if (error && error.code === "push_endpoint_refused") state.problem = "refused";
      else if (!(error && error.code === "ticket_final")) state.problem = "failed"; /* ended: phone.js says so */
    }).then(function () {
      state.busy = false;
      render();
      if (state.subscribed) $("push-on").focus();
      else if (!$("push-offer").hidden) $("push-offer").focus();
    });
  });

  $("push-stop").addEventListener("click", function () {
    state.busy = true;
    state.problem = "";
    render();
    V.api("DELETE", path).catch(function (error) {
      if (error.status !== 404 && error.status !== 409) throw error; /* no ticket, or it has ended: nothing to stop */
    }).then(function () {
      state.subscribed = false;
      return navigator.serviceWorker.getRegistration("/").then(function (registration) {
        return registration && registration.pushManager.getSubscription();
      }).then(function (existing) {
        return existing && existing.unsubscribe();
      }).catch(function () { /* the server sends nothing more: the browser's own copy does no harm */ });
    }).catch(function () {
      state.problem = "stop_failed";
    }).then(function () {
      state.busy = false;
      render();
      if (!$("push-offer").hidden) $("push-offer").focus();
    });
  });

  $("push-on").setAttribute("tabindex", "-1");
})();
