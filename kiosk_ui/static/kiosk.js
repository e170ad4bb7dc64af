/* The ticket kiosk: choose errands, get a number, see where to wait; resets itself when left alone.
 *
 * Enrolment: the device is opened once as /kiosk/<key>#token=<kiosk token>.  The token moves from the URL
 * fragment (never sent to the server, never in a log) into localStorage and is removed from the address bar;
 * from then on it is sent as "Authorization: Bearer" on API calls and as the Socket.IO auth.  Without a token
 * a logged-in clerk's or admin's session (cookie) works too.
 */
(function () {
  "use strict";

  var V = window.Vuoro;
  var $ = function (id) { return document.getElementById(id); };
  var kiosk = V.data.kiosk;
  var TOKEN_KEY = "vuoro.kiosk." + kiosk + ".token";
  var homeLang = V.data.homeLang || V.getLanguage();
  var centreNames = {};
  try {
    centreNames = JSON.parse(V.data.centreNames || "{}");
  } catch (e) {
    centreNames = {};
  }
  var hasPrinter = V.data.printer === "1";
  /* the services this kiosk offers (null: every service); asked again on each snapshot (a config change) */
  var offered = V.data.services ? V.data.services.split(",") : null;
  var MAX_ERRANDS = 5;
  var TICKET_MS = 20000;      /* the ticket screen goes back to the start after this */
  var FAILED_MS = 45000;      /* ... or this, when printing failed and the number must be noted */
  /* a half-made choice is cleared, and a visitor's language left, after the kiosk's idle_s without a touch */
  var IDLE_MS = (parseInt(V.data.idleS, 10) || 60) * 1000;
  var PRINT_WAIT_MS = 10000;  /* no word from the printer by then: tell the visitor what to do anyway */

  /* ---- enrolment -------------------------------------------------------------------------------- */

  function enrol() {
    var match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash || "");
    if (!match) return false;
    V.store.set(TOKEN_KEY, decodeURIComponent(match[1]));
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    return true;
  }
  enrol();
  var token = V.store.get(TOKEN_KEY);
  /* The enrolment link opened on a kiosk page that is already showing: start again with the new token. */
  window.addEventListener("hashchange", function () {
    if (enrol()) window.location.reload();
  });

  /* ---- state ------------------------------------------------------------------------------------ */

  var state = {
    services: [],
    byKey: {},
    selected: [],
    priority: false,
    screen: "start",
    ticket: null,
    printEvents: {},
    busy: false,
  };
  var tiles = {};
  var countdown = { handle: null, left: 0, ms: TICKET_MS };
  var printTimer = null;

  function showScreen(name) {
    ["start", "checkin", "closed", "ticket", "unenrolled"].forEach(function (screen) {
      V.show($("screen-" + screen), screen === name);
    });
    state.screen = name;
    document.body.setAttribute("data-screen", name);
  }

  function announce(text) {
    var node = $("announce");
    node.textContent = "";
    window.setTimeout(function () { node.textContent = text; }, 60);
  }

  function error(text) {
    $("start-error").textContent = text || "";
    V.show($("start-error"), !!text);
  }

  /* ---- language --------------------------------------------------------------------------------- */

  function setLang(code) {
    V.setLanguage(code);
    document.querySelectorAll("[data-lang-choice]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-lang-choice") === code ? "true" : "false");
    });
    $("centre-name").textContent = V.pick(centreNames, code);
    if (state.ticket) renderTicket();
    return loadServices();
  }

  document.querySelectorAll("[data-lang-choice]").forEach(function (button) {
    button.addEventListener("click", function () {
      var code = button.getAttribute("data-lang-choice");
      if (code !== V.getLanguage()) setLang(code);
    });
  });

  /* ---- services --------------------------------------------------------------------------------- */

  function offers(key) {
    return !offered || offered.indexOf(key) >= 0;
  }

  function loadServices() {
    var lang = V.getLanguage();
    return V.api("GET", "/api/services?language=" + encodeURIComponent(lang)).then(function (result) {
      if (lang !== V.getLanguage()) return;
      state.services = result.services.filter(function (service) { return offers(service.key); });
      state.byKey = {};
      state.services.forEach(function (service) { state.byKey[service.key] = service; });
      V.show($("have-appointment"), state.services.some(function (s) { return !!s.checkin; }));
      renderTiles();
    }, function () {
      error(V.t("kiosk.error"));
    });
  }

  /** What the kiosk offers and whether it prints, as the live configuration says now; then the services
      again (a snapshot follows every configuration change: a renamed or retired service shows at once). */
  function loadOffer() {
    return V.api("GET", "/api/kiosks/" + encodeURIComponent(kiosk)).then(function (answer) {
      hasPrinter = !!answer.printer;
      offered = answer.services || null;
      return loadServices();
    }, function () { /* offline for a moment: the next snapshot asks again */ });
  }

  function applyQueue(payload) {
    if (!payload || !payload.services) return;
    payload.services.forEach(function (update) {
      var service = state.byKey[update.key];
      if (!service) return;
      service.waiting = update.waiting;
      service.estimated_wait_s = update.estimated_wait_s;
      service.wait_texts = update.wait_texts;
      service.open = update.open;
      service.opens_at = update.opens_at;
      service.closed_tomorrow = !!update.closed_tomorrow;
      service.full_today = !!update.full_today;
    });
    renderTiles();
  }

  /** Open, and not yet at its daily limit: a tile the visitor can choose. */
  function choosable(service) {
    return !!service && service.open && !service.full_today;
  }

  /** A chosen service that closed or filled up meanwhile leaves the choice, and the visitor is told which. */
  function dropUnchoosable() {
    var full = state.selected.filter(function (key) { return state.byKey[key] && state.byKey[key].full_today; });
    state.selected = state.selected.filter(function (key) { return choosable(state.byKey[key]); });
    if (full.length) error(V.t("kiosk.error_limit_named", { service: full.map(serviceName).join(", ") }));
  }

  function tileMeta(service) {
    if (!service.open) {
      return service.opens_at ? V.t("kiosk.opens_at", { time: V.formatTime(service.opens_at, true) }) : V.t("kiosk.closed");
    }
    if (service.full_today) return V.t("kiosk.full_today");
    var tomorrow = service.closed_tomorrow ? " · " + V.t("kiosk.closed_tomorrow") : "";
    if (service.waiting === null || service.waiting === undefined) return tomorrow.slice(3);  // a sensitive queue
    if (!service.waiting) return V.t("common.no_wait") + tomorrow;
    return V.t("common.waiting_n", { n: service.waiting }) + " · " + V.formatWait(service.wait_texts || service.wait_text) + tomorrow;
  }

  /** Tiles are made once per service list and updated in place, so focus stays where it is. */
  function renderTiles() {
    dropUnchoosable();
    var container = $("tiles");
    var keys = state.services.map(function (s) { return s.key; }).join(",");
    if (container.getAttribute("data-keys") !== keys) {
      V.clear(container);
      tiles = {};
      state.services.forEach(function (service) {
        var parts = {
          order: V.el("span", { class: "tile-order", "aria-hidden": "true" }),
          name: V.el("span", { class: "tile-name" }),
          meta: V.el("span", { class: "tile-meta" }),
          choice: V.el("span", { class: "visually-hidden" }),
        };
        /* one block inside the flex button, so that the order badge can float beside the name's first line */
        parts.button = V.el("button", { type: "button", class: "tile", dataset: { service: service.key } },
          V.el("span", { class: "tile-body" }, parts.order, parts.name, parts.meta, parts.choice));
        parts.button.addEventListener("click", function () { toggle(service.key); });
        tiles[service.key] = parts;
        container.appendChild(parts.button);
      });
      container.setAttribute("data-keys", keys);
      container.setAttribute("data-count", String(state.services.length));
    }
    container.setAttribute("aria-busy", "false");
    state.services.forEach(function (service) {
      var parts = tiles[service.key];
      var order = state.selected.indexOf(service.key);
      parts.button.classList.toggle("is-selected", order >= 0);
      parts.button.classList.toggle("is-closed", !service.open);
      parts.button.classList.toggle("is-full", service.open && !!service.full_today);
      parts.button.setAttribute("aria-pressed", order >= 0 ? "true" : "false");
      parts.button.disabled = !choosable(service);
      parts.order.textContent = order >= 0 ? String(order + 1) : "";
      parts.name.textContent = service.name;
      parts.meta.textContent = tileMeta(service);
      parts.choice.textContent = order >= 0 ? " (" + V.t("kiosk.order", { n: order + 1 }) + ")" : "";
    });
    renderFooter();
    renderClosed();
    fitTiles();
  }

  /* ---- the whole centre closed ------------------------------------------------------------------ */

  /** The earliest next opening among the offered services, when every one of them is closed now (else null;
      "" when closed with no opening known): one clear message instead of a grid of grey tiles. */
  function centreOpens() {
    if (!state.services.length || state.services.some(function (s) { return s.open; })) return null;
    var times = state.services.map(function (s) { return s.opens_at ? Date.parse(s.opens_at) : NaN; })
      .filter(function (t) { return !isNaN(t); });
    return times.length ? new Date(Math.min.apply(null, times)) : "";
  }

  function renderClosed() {
    var opens = centreOpens();
    if (opens !== null) {
      $("closed-opens").textContent = opens ? V.t("kiosk.closed_opens", { time: V.formatTime(opens, true) }) : "";
      V.show($("closed-opens"), !!opens);
    }
    if (opens !== null && state.screen === "start") showScreen("closed");
    else if (opens === null && state.screen === "closed") showScreen("start");
  }

  /* ---- type that fits ----------------------------------------------------------------------------- */

  /** Shrink the type on `host` (the custom property `name`, in px) from the size the style sheet gives `sample`
      down to at most `min` px, until `fits()`: the longest compound word of any language, and a four-digit
      number, stay inside their boxes on every screen size.  A binary search: a handful of layouts. */
  function fitType(host, name, sample, min, fits) {
    host.style.removeProperty(name);
    if (!sample || fits()) return;
    var lo = min;
    var hi = parseFloat(window.getComputedStyle(sample).fontSize);
    while (hi - lo > 0.5) {
      var mid = (lo + hi) / 2;
      host.style.setProperty(name, mid + "px");
      if (fits()) lo = mid;
      else hi = mid;
    }
    host.style.setProperty(name, lo + "px");
  }

  function inside(node) {
    return node.scrollWidth <= node.clientWidth + 1 && node.scrollHeight <= node.clientHeight + 1;
  }

  function narrowEnough(node) {
    return node.scrollWidth <= node.clientWidth + 1;
  }

  /** One size for every tile (they look alike), the largest at which each tile's name and line fit it. */
  function fitTiles() {
    if (state.screen !== "start") return;
    var all = Object.keys(tiles).map(function (key) { return tiles[key]; });
    fitType($("tiles"), "--tile-fit", all.length ? all[0].button : null, 12, function () {
      return all.every(function (parts) { return inside(parts.button) && inside(parts.name); });
    });
  }

  function fitNumber() {
    var number = $("ticket-number");
    fitType(number, "--number-fit", number, 24, function () { return narrowEnough(number); });
  }

  window.addEventListener("resize", function () {
    fitTiles();
    if (state.screen === "ticket") fitNumber();
  });

  function renderFooter() {
    $("get-ticket").disabled = !state.selected.length || state.busy;
    V.show($("clear"), state.selected.length > 0 || state.priority);
    $("priority").setAttribute("aria-pressed", state.priority ? "true" : "false");
  }

  function toggle(key) {
    var at = state.selected.indexOf(key);
    if (at >= 0) state.selected.splice(at, 1);
    else if (state.selected.length < MAX_ERRANDS) state.selected.push(key);
    error("");
    renderTiles();
  }

  $("priority").addEventListener("click", function () {
    state.priority = !state.priority;
    renderFooter();
  });

  $("clear").addEventListener("click", function () {
    state.selected = [];
    state.priority = false;
    renderTiles();
  });

  /* ---- getting a ticket ------------------------------------------------------------------------- */

  function notEnrolled() {
    stopCountdown();
    showScreen("unenrolled");
    document.body.classList.add("is-unenrolled");
  }

  /* Pairing: the kiosk is given a code to show and its future token; an admin approves the code, and the
   * token starts to work.  Polled every two seconds until approved or expired. */
  var pairTimer = null;

  function pairingEnded(key) {
    window.clearInterval(pairTimer);
    pairTimer = null;
    V.show($("pair-code"), false);
    V.show($("pair-qr"), false);
    $("pair-help").textContent = key ? V.t(key) : "";
    V.show($("pair-help"), !!key);
    $("pair-start").disabled = false;
  }

  $("pair-start").addEventListener("click", function () {
    $("pair-start").disabled = true;
    V.api("POST", "/api/devices/pair/start", { body: { role: "kiosk" } }).then(function (started) {
      $("pair-code").textContent = started.code;
      $("pair-qr").setAttribute("src", "/pair/" + encodeURIComponent(started.code) + "/qr.svg");
      $("pair-qr").setAttribute("alt", V.t("kiosk.pair_qr_alt"));
      V.show($("pair-qr"), true);
      $("pair-help").textContent = V.t("kiosk.pair_help", { code: started.code, key: kiosk });
      V.show($("pair-code"), true);
      V.show($("pair-help"), true);
      window.clearInterval(pairTimer);
      pairTimer = window.setInterval(function () {
        V.api("GET", "/api/devices/pair/" + encodeURIComponent(started.code)).then(function (answer) {
          if (answer.status === "paired") {
            V.store.set(TOKEN_KEY, started.token);
            window.location.reload();
          } else if (answer.status === "expired") {
            pairingEnded("kiosk.pair_expired");
          }
        }, function () { /* offline for a moment: the next poll tries again */ });
      }, 2000);
    }, function (error) {
      pairingEnded(null);
      $("pair-help").textContent = error.message;
      V.show($("pair-help"), true);
    });
  });

  function enrolled() {
    document.body.classList.remove("is-unenrolled");
    if (state.screen === "unenrolled") {
      showScreen("start");
      renderTiles();
    }
  }

  $("get-ticket").addEventListener("click", function () {
    if (state.busy || !state.selected.length) return;
    state.busy = true;
    renderFooter();
    var request = { services: state.selected.slice(), language: V.getLanguage(), priority: state.priority, kiosk: kiosk };
    V.api("POST", "/api/tickets", { token: token, body: request }).then(function (result) {
      state.busy = false;
      state.ticket = result.ticket;
      state.ticket.errands = request.services;
      state.selected = [];
      state.priority = false;
      renderTiles();
      showTicket();
    }, function (err) {
      state.busy = false;
      renderFooter();
      if (err.status === 401 || err.status === 403) {
        notEnrolled();
      } else if (err.code === "service_closed") {
        error(V.t("kiosk.error_closed"));
        loadServices();
      } else if (err.code === "not_offered") {
        error(V.t("kiosk.error"));
        loadOffer();
      } else if (err.code === "daily_limit_reached") {
        limitReached();
      } else {
        error(V.t("kiosk.error"));
      }
    });
  });

  /** A tap met a limit the tiles did not show yet: ask again; the full tile says so, and the choice it leaves
      names it (dropUnchoosable).  Until the answer comes, the unnamed message. */
  function limitReached() {
    error(V.t("kiosk.error_limit"));
    loadServices();
  }

  function serviceName(key) {
    return (state.byKey[key] || {}).name || key;
  }

  function renderTicket() {
    var ticket = state.ticket;
    $("ticket-number").textContent = ticket.number;
    V.show($("ticket-priority"), !!ticket.priority);
    $("ticket-place").textContent = (state.byKey[ticket.service] || {}).location || serviceName(ticket.service);
    $("ticket-wait").textContent = V.formatWait(ticket.estimated_wait_text);
    /* the ticket's own public names (a sensitive errand is not named on a screen in the lobby) */
    var errands = [ticket.service_name].concat(ticket.pending_names || []);
    V.show($("ticket-errands-row"), errands.length > 1);
    $("ticket-errands").textContent = V.sequence(errands);
    V.show($("ticket-appointment-row"), !!ticket.appointment_at);
    $("ticket-appointment").textContent = ticket.appointment_at ? V.formatTime(ticket.appointment_at) : "";
    renderPrintStatus();
  }

  function renderPrintStatus() {
    var ticket = state.ticket;
    if (!ticket) return;
    var node = $("print-status");
    var event = state.printEvents[ticket.number];
    var key = "kiosk.no_printer";
    if (hasPrinter && event !== "none") {
      key = event === "printed" ? "kiosk.printed" : event === "sent" ? "kiosk.print_sent"
        : event === "failed" ? "kiosk.print_failed" : ticket.printWaited ? "kiosk.print_slow" : "kiosk.printing";
    }
    node.textContent = V.t(key, { number: ticket.number });
    node.className = "print-status" + (event === "failed" ? " is-failed" : event === "printed" ? " is-printed" : "");
    node.setAttribute("role", event === "failed" ? "alert" : "status");
  }

  function showTicket() {
    var ticket = state.ticket;
    $("ticket-qr").setAttribute("src", "/t/" + encodeURIComponent(ticket.token) + "/qr.svg");
    window.clearTimeout(printTimer);
    if (hasPrinter && !state.printEvents[ticket.number]) {
      printTimer = window.setTimeout(function () {
        if (state.ticket === ticket) {
          ticket.printWaited = true;
          renderPrintStatus();
        }
      }, PRINT_WAIT_MS);
    }
    renderTicket();
    showScreen("ticket");
    fitNumber();
    $("ticket-title").focus();
    announce(V.t("kiosk.announce", { number: ticket.number }) + " " + V.t("kiosk.wait_at") + ": " +
      $("ticket-place").textContent + ". " + V.t("kiosk.estimated") + ": " + $("ticket-wait").textContent + ".");
    startCountdown(state.printEvents[ticket.number] === "failed" ? FAILED_MS : TICKET_MS);
  }

  function printerEvent(kind, payload) {
    if (!payload || !payload.number) return;
    if (kind === "failed" && payload.error === "no_printer") kind = "none";
    // a printer that never answers (no status query) only took the bytes: do not say the ticket came out
    if (kind === "printed" && payload.delivery === "sent") kind = "sent";
    state.printEvents[payload.number] = kind;
    if (state.ticket && state.ticket.number === payload.number && state.screen === "ticket") {
      renderPrintStatus();
      if (kind === "failed") startCountdown(FAILED_MS);
    }
  }

  /* ---- going back to the start ------------------------------------------------------------------ */

  function renderCountdown() {
    $("ticket-countdown").textContent = V.t("kiosk.resets", { n: countdown.left });
  }

  function startCountdown(ms) {
    stopCountdown();
    countdown.ms = ms;
    countdown.left = Math.round(ms / 1000);
    renderCountdown();
    countdown.handle = window.setInterval(function () {
      countdown.left -= 1;
      if (countdown.left <= 0) reset();
      else renderCountdown();
    }, 1000);
  }

  function stopCountdown() {
    window.clearInterval(countdown.handle);
    countdown.handle = null;
  }

  function reset() {
    stopCountdown();
    window.clearTimeout(printTimer);
    state.ticket = null;
    state.selected = [];
    state.priority = false;
    error("");
    $("ticket-qr").removeAttribute("src");
    if (state.screen !== "unenrolled") showScreen(centreOpens() === null ? "start" : "closed");
    if (V.getLanguage() !== homeLang) setLang(homeLang);
    else renderTiles();
    window.scrollTo(0, 0);
  }

  $("done").addEventListener("click", reset);

  /* the ticket screen has its own countdown; the start and closed screens return to the kiosk's own state */
  var idle = V.idleTimer(IDLE_MS, function () {
    var away = state.selected.length || state.priority || V.getLanguage() !== homeLang;
    if (state.screen === "checkin" || ((state.screen === "start" || state.screen === "closed") && away)) reset();
    idle.reset();
  });

  ["pointerdown", "keydown"].forEach(function (type) {
    document.addEventListener(type, function () {
      idle.reset();
      if (state.screen === "ticket" && countdown.handle) startCountdown(countdown.ms);
    }, true);
  });

  /* ---- live updates ----------------------------------------------------------------------------- */

  var socket = V.connect({
    auth: token ? { token: token } : {},
    onConnect: function () {
      V.join(socket, { kiosk: kiosk }).then(function (answer) {
        if (answer && answer.ok) enrolled();
        else if (answer && answer.error && answer.error.code === "forbidden") notEnrolled();
      });
    },
    onRejected: function () {
      /* a wrong or revoked device token: say so, and try again now and then (it may be re-enabled) */
      notEnrolled();
      window.setTimeout(function () { socket.connect(); }, 30000);
    },
  });
  socket.on("snapshot", function (snapshot) {
    applyQueue(snapshot.queue);
    loadOffer();  /* every configuration change sends every screen a snapshot */
  });
  socket.on("queue", applyQueue);
  socket.on("printed", function (payload) { printerEvent("printed", payload); });
  socket.on("failed", function (payload) { printerEvent("failed", payload); });

  /* the appointment check-in (checkin.js) shares the screens, the ticket screen and the way back */
  window.VuoroKiosk = {
    kiosk: kiosk,
    token: function () { return token; },
    showScreen: showScreen,
    reset: reset,
    notEnrolled: notEnrolled,
    issued: function (ticket) {
      state.ticket = ticket;
      state.ticket.errands = [ticket.service];
      showTicket();
    },
    walkIn: function (service) {
      reset();
      if (service && state.byKey[service] && choosable(state.byKey[service])) toggle(service);
    },
  };

  $("ticket-title").setAttribute("tabindex", "-1");
  showScreen("start");
  loadServices();
  idle.reset();
  window.setInterval(function () { if (state.screen === "start") loadServices(); }, 60000);
})();
