/* The visitor's phone page (/t/<token>): the ticket's state, live; an alert when called; cancel; a language
   switch among the centre's languages. */
(function () {
  "use strict";

  var V = window.Vuoro;
  var $ = function (id) { return document.getElementById(id); };
  var token = V.data.token;
  var chime = V.data.chime;
  var SOUND_KEY = "vuoro.phone.sound";
  /* the visitor's language choice, remembered for this ticket only (a token prefix, as feedback.js keeps its
     answer: enough to tell tickets apart, not enough to open one) */
  var LANG_KEY = "vuoro.phone.lang." + String(token).slice(0, 12);
  /* the language the server writes the ticket's own texts in (service_name, estimated_wait_text,
     pending_names, the services' locations): those stay in it when the visitor switches the fixed labels */
  var ticketLang = V.data.ticketLang || V.getLanguage();
  var centreNames = {};
  try {
    centreNames = JSON.parse(V.data.centreNames || "{}");
  } catch (e) {
    centreNames = {};
  }
  var FINAL = { done: 1, no_show: 1, cancelled: 1, expired: 1 };

  var state = { ticket: null, services: {}, lastCall: null, sound: V.store.get(SOUND_KEY) === "1" };

  function deskText(desk) {
    if (!desk) return "";
    return desk.location ? desk.label + ", " + desk.location : desk.label;
  }

  function render(ticket) {
    if (!ticket) return;
    var previous = state.ticket;
    state.ticket = ticket;
    var status = ticket.status;
    $("phone-number").textContent = ticket.number;
    var pill = $("phone-status");
    pill.textContent = V.tOf("status.", status);
    pill.setAttribute("data-status", status);
    V.show($("phone-priority"), !!ticket.priority);
    document.title = ticket.number + " · " + V.tOf("status.", status);
    document.body.setAttribute("data-status", status);

    var called = status === "called";
    V.show($("phone-called"), called);
    $("phone-called-desk").textContent = called ? V.t("phone.go_to", { desk: deskText(ticket.desk) }) : "";

    var waiting = status === "waiting";
    var position = "";
    if (waiting && ticket.position) {
      position = ticket.position === 1 ? V.t("common.next_in_line") : V.t("common.position", { n: ticket.position });
    }
    $("phone-position").textContent = position;
    /* with no estimate, its reason alone ("no desk open now"), not "estimated wait: no desk open now" */
    $("phone-estimate").textContent = !waiting ? ""
      : ticket.appointment_at ? V.t("phone.appointment", { time: V.formatTime(ticket.appointment_at) })
      : !ticket.estimated_wait_text ? ""
      : ticket.estimate_reason ? ticket.estimated_wait_text
      : V.t("phone.estimate", { wait: V.formatWait(ticket.estimated_wait_text) });
    $("phone-service").textContent = FINAL[status] ? "" : V.t("phone.service", { name: ticket.service_name });
    var place = (state.services[ticket.service] || {}).location;
    /* the place keeps its own direction inside the sentence (FSI ... PDI): "2. kerros" in an Arabic one */
    $("phone-place").textContent = waiting && place ? V.t("phone.wait_at", { place: "\u2068" + place + "\u2069" }) : "";
    if (status === "serving") $("phone-place").textContent = V.t("phone.serving", { desk: deskText(ticket.desk) });
    var names = ticket.pending_names || [];
    var pending = (ticket.pending_services || []).map(function (key, i) {
      var service = state.services[key] || {};
      return (names[i] || key) + (service.open === false ? " (" + closedText(service) + ")" : "");
    });
    $("phone-next").textContent = pending.length && !FINAL[status]
      ? V.t("phone.next_errands", { services: V.sequence(pending) }) : "";
    $("phone-final").textContent = FINAL[status] ? V.tOf("phone.", status) : "";
    ["phone-position", "phone-estimate", "phone-service", "phone-place", "phone-next", "phone-final"]
      .forEach(function (id) { V.show($(id), !!$(id).textContent); });

    var over = !!FINAL[status];
    V.show($("cancel-button"), !over && $("cancel-confirm").hidden);
    if (over) V.show($("cancel-confirm"), false);
    V.show($("phone-keep-open"), !over);
    V.show($("sound-button"), !over);

    var callKey = called ? ticket.called_at + "|" + (ticket.desk && ticket.desk.key) : null;
    if (called && previous && callKey !== state.lastCall) alert();
    state.lastCall = callKey;
    /* phone_push.js follows the ticket from here: its offer of notifications, the "keep this page open" line */
    document.dispatchEvent(new CustomEvent("vuoro:ticket", { detail: ticket }));
  }

  function alert() {
    /* Browsers allow vibration only after the visitor has touched the page (e.g. "Turn on sound alert"). */
    var activated = !navigator.userActivation || navigator.userActivation.hasBeenActive;
    if (navigator.vibrate && activated) {
      try {
        navigator.vibrate([300, 150, 300, 150, 600]);
      } catch (e) {
        /* not allowed */
      }
    }
    if (state.sound && chime) V.playSound(chime, 1);
  }

  function renderSound() {
    var button = $("sound-button");
    button.setAttribute("aria-pressed", state.sound ? "true" : "false");
    button.textContent = V.t(state.sound ? "phone.sound_enabled" : "phone.sound_on");
  }

  $("sound-button").addEventListener("click", function () {
    state.sound = !state.sound;
    V.store.set(SOUND_KEY, state.sound ? "1" : "0");
    renderSound();
    if (state.sound && chime) V.playSound(chime, 0.6); /* a sample, and it unlocks audio for later */
  });

  $("cancel-button").addEventListener("click", function () {
    V.show($("cancel-button"), false);
    V.show($("cancel-confirm"), true);
    $("cancel-no").focus();
  });

  $("cancel-no").addEventListener("click", function () {
    V.show($("cancel-confirm"), false);
    V.show($("cancel-button"), true);
    $("cancel-button").focus();
  });

  $("cancel-yes").addEventListener("click", function () {
    var button = $("cancel-yes");
    button.disabled = true;
    V.api("DELETE", "/api/tickets/" + encodeURIComponent(token)).then(function (result) {
      button.disabled = false;
      V.show($("cancel-confirm"), false);
      V.show($("phone-error"), false);
      render(result.ticket);
      $("phone-final").focus();
    }, function (error) {
      button.disabled = false;
      $("phone-error").textContent = V.t("phone.cancel_failed") + (error.message ? " (" + error.message + ")" : "");
      V.show($("phone-error"), true);
    });
  });

  /* ---- language ---------------------------------------------------------------------------------- */

  /* The fixed labels (data-i18n, and what render() writes with V.t) follow the visitor's choice; the texts the
     server wrote for the ticket (its service's name, its wait, its later errands, the waiting place) stay in the
     ticket's language, as the server gave them: the payloads carry them in that one language only. */
  function setLang(code) {
    V.setLanguage(code);
    document.querySelectorAll("[data-lang-choice]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-lang-choice") === code ? "true" : "false");
    });
    var name = V.pick(centreNames, code);
    if (name) $("centre-name").textContent = name;
    $("cancel-question").textContent = V.t("phone.cancel_confirm", { number: $("phone-number").textContent });
    renderSound();
    if (state.ticket) render(state.ticket);
    else document.title = $("phone-number").textContent + " · " + V.t("phone.title");
  }

  document.querySelectorAll("[data-lang-choice]").forEach(function (button) {
    button.addEventListener("click", function () {
      var code = button.getAttribute("data-lang-choice");
      V.store.set(LANG_KEY, code);
      if (code !== V.getLanguage()) setLang(code);
    });
  });

  /* a language asked for in the address (?lang=xx, the server has rendered it) wins over the remembered one */
  var remembered = V.store.get(LANG_KEY);
  var offered = Array.prototype.some.call(document.querySelectorAll("[data-lang-choice]"), function (button) {
    return button.getAttribute("data-lang-choice") === remembered;
  });
  if (offered && remembered !== V.getLanguage() && !/[?&]lang=/.test(window.location.search)) setLang(remembered);

  renderSound();
  $("phone-final").setAttribute("tabindex", "-1");

  var socket = V.connect({
    onConnect: function () {
      V.join(socket, { ticket: token }).then(function (answer) {
        if (answer && answer.ok === false && answer.error && answer.error.code === "unknown_ticket" && state.ticket) {
          render(Object.assign({}, state.ticket || {}, { status: "expired" }));
        }
      });
    },
  });
  /* A later errand's service may be closed now (hours, or a manager closing it): say when it opens. The
     snapshot's queue carries each service's open state; a configuration change sends every screen a new one. */
  function closedText(service) {
    return service.opens_at ? V.t("phone.opens_at", { time: V.formatTime(service.opens_at, true) }) : V.t("phone.closed");
  }
  function takeQueue(queue) {
    ((queue && queue.services) || []).forEach(function (update) {
      var service = state.services[update.key] || (state.services[update.key] = { key: update.key });
      if ("open" in update) service.open = update.open;
      if ("opens_at" in update) service.opens_at = update.opens_at;
    });
  }
  socket.on("snapshot", function (snapshot) {
    takeQueue(snapshot.queue);
    if (snapshot.ticket) render(snapshot.ticket);
  });
  socket.on("ticket", function (payload) { render(payload.ticket); });

  V.api("GET", "/api/services?language=" + encodeURIComponent(ticketLang)).then(function (result) {
    result.services.forEach(function (service) { state.services[service.key] = service; });
    if (state.ticket) render(state.ticket);
  }, function () { /* names are a nicety */ });
})();
