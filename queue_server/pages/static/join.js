/* The QR poster's page (/join/<kiosk>): a visitor chooses errands on their own phone and gets a number; the
   ticket's phone page (/t/<token>) follows their turn.  Everything through the documented API:
   GET /api/services (open state, waiting, estimates) and POST /api/join/<kiosk>. */
(function () {
  "use strict";

  var V = window.Vuoro;
  var $ = function (id) { return document.getElementById(id); };
  var MAX_ERRANDS = 5; /* as at the kiosk: the API refuses more */
  var kiosk = V.data.kiosk;
  /* the services this poster offers, in the config's order (the kiosk's, remote ones only) */
  var offered = (V.data.services || "").split(",").filter(Boolean);
  var centreNames = parse(V.data.centreNames);

  var state = { services: [], byKey: {}, selected: [], remoteFull: [], busy: false, asked: 0 };

  function parse(text) {
    try {
      return JSON.parse(text || "{}");
    } catch (e) {
      return {};
    }
  }

  function say(message) {
    var node = $("join-error");
    if (!node) return;
    node.textContent = message || "";
    V.show(node, !!message);
  }

  function serviceName(key) {
    var service = state.byKey[key];
    return service ? V.pick(service.names) || service.name : key;
  }

  /* ---- texts of an error ------------------------------------------------------------------------ */

  function errorText(error) {
    var code = error && error.code;
    var service = serviceName((error.details && error.details.service) || state.selected[0] || "");
    if (code === "service_closed") return V.t("join.error_closed", { service: service });
    if (code === "daily_limit_reached") return V.t("join.error_full", { service: service });
    if (code === "remote_limit_reached") return V.t("join.error_remote_full", { service: service });
    if (code === "not_remote" || code === "unknown_service") return V.t("join.error_not_remote");
    if (code === "rate_limited") return V.t("join.error_rate");
    if (code === "network") return V.t("join.error_network");
    return V.t("join.error_failed");
  }

  /* ---- the services ----------------------------------------------------------------------------- */

  /** Open, not at its daily limit, and still giving numbers to phones today. */
  function choosable(service) {
    return !!service && service.open && !service.full_today && state.remoteFull.indexOf(service.key) < 0;
  }

  function meta(service) {
    if (!service.open) {
      return service.opens_at ? V.t("join.opens_at", { time: V.formatTime(service.opens_at, true) })
        : V.t("join.closed");
    }
    if (service.full_today) return V.t("join.full_today");
    if (state.remoteFull.indexOf(service.key) >= 0) return V.t("join.remote_full");
    var parts = [];
    if (service.waiting !== null && service.waiting !== undefined) {  /* null: a sensitive queue's count */
      parts.push(service.waiting ? V.t("common.waiting_n", { n: service.waiting }) : V.t("common.no_wait"));
    }
    if (service.estimate_reason) parts.push(V.tOf("wait.", service.estimate_reason));
    else if (service.waiting && service.wait_text) parts.push(V.formatWait(service.wait_text));
    return parts.join(" · ");
  }

  function row(service) {
    var order = state.selected.indexOf(service.key);
    var button = V.el("button", { type: "button", class: "join-service" + (order >= 0 ? " is-selected" : ""),
                                  "data-service": service.key, disabled: !choosable(service),
                                  "aria-pressed": order >= 0 ? "true" : "false" },
      V.el("span", { class: "join-order", "aria-hidden": "true", text: order >= 0 ? String(order + 1) : "" }),
      V.el("span", { class: "join-service-body" },
        V.el("span", { class: "join-service-name", text: V.pick(service.names) || service.name }),
        V.el("span", { class: "join-service-meta", text: meta(service) }),
        order >= 0 ? V.el("span", { class: "visually-hidden", text: " (" + V.t("join.order", { n: order + 1 }) + ")" })
          : null));
    button.addEventListener("click", function () { toggle(service.key); });
    return button;
  }

  function render() {
    var list = $("service-list");
    if (!list) return;
    /* a chosen service that closed or filled up meanwhile leaves the choice */
    state.selected = state.selected.filter(function (key) { return choosable(state.byKey[key]); });
    var focused = document.activeElement && document.activeElement.getAttribute("data-service");
    V.clear(list);
    state.services.forEach(function (service) { list.appendChild(row(service)); });
    if (focused) {
      var again = list.querySelector('[data-service="' + focused + '"]');
      if (again && !again.disabled) again.focus();
    }
    list.setAttribute("aria-busy", "false");
    V.show($("none-open"), state.services.length > 0 && !state.services.some(choosable));
    $("join-summary").textContent = state.selected.length
      ? V.t("join.summary", { errands: V.sequence(state.selected.map(serviceName)) }) : "";
    $("join-button").disabled = !state.selected.length || state.busy;
  }

  function toggle(key) {
    var at = state.selected.indexOf(key);
    if (at >= 0) state.selected.splice(at, 1);
    else if (state.selected.length < MAX_ERRANDS) state.selected.push(key);
    say("");
    render();
  }

  /** The services as they are now, in the page's language (their waits are written in it); an answer to an
      older question (the visitor switched language meanwhile) is dropped. */
  function loadServices() {
    if (!$("service-list")) return Promise.resolve();
    var asked = ++state.asked;
    return V.api("GET", "/api/services?language=" + encodeURIComponent(V.getLanguage())).then(function (result) {
      if (asked !== state.asked) return;
      var byKey = {};
      result.services.forEach(function (s) { byKey[s.key] = s; });
      state.byKey = byKey;
      state.services = offered.filter(function (key) { return byKey[key]; }).map(function (key) { return byKey[key]; });
      render();
    }, function (error) {
      if (asked !== state.asked) return;
      $("service-list").setAttribute("aria-busy", "false");
      say(errorText(error));
    });
  }

  /* ---- getting a number ------------------------------------------------------------------------- */

  function submit(event) {
    event.preventDefault();
    if (!state.selected.length || state.busy) return;
    state.busy = true;
    render();
    var body = { services: state.selected.slice(), language: V.getLanguage() };
    V.api("POST", "/api/join/" + encodeURIComponent(kiosk), { body: body }).then(function (result) {
      /* the ticket's phone page, on this page's own address (track_url names the centre's public one) */
      window.location.assign("/t/" + encodeURIComponent(result.ticket.token));
    }, function (error) {
      state.busy = false;
      if (error.code === "remote_limit_reached" && error.details.service) state.remoteFull.push(error.details.service);
      say(errorText(error));
      render();
      $("join-error").focus();
      /* closed or full meanwhile: the services again, as they are now */
      if (error.code === "service_closed" || error.code === "daily_limit_reached") loadServices();
    });
  }

  if ($("join-form")) $("join-form").addEventListener("submit", submit);

  /* ---- language --------------------------------------------------------------------------------- */

  /* Every text on the page follows the switch; the services are asked for again (their waits are written in
     the language asked for); the address keeps the choice, so that a reload stays in it. */
  V.languageSwitch(function (code) {
    var name = V.pick(centreNames, code);
    if (name) $("centre-name").textContent = name;
    document.title = V.t("join.title") + " · " + (name || "");
    if ($("join-error") && !$("join-error").hidden) say("");
    render();
    loadServices();
  });

  $("join-title").setAttribute("tabindex", "-1");
  loadServices();
})();
