/* The desk page: pick a desk, see its current ticket and queues live, act with buttons or single keys. */
(function () {
  "use strict";

  var V = window.Vuoro;
  var $ = function (id) { return document.getElementById(id); };
  var STORE_KEY = "vuoro.desk";

  var state = {
    desks: [],
    deskMap: {},
    services: {},
    desk: null,
    status: "closed",
    ticket: null,
    waiting: {},
    queue: {},
    busy: false,
  };
  var socket = null;

  var buttons = {};
  document.querySelectorAll("[data-action]").forEach(function (button) {
    buttons[button.getAttribute("data-action")] = button;
    button.addEventListener("click", function () { act(button.getAttribute("data-action")); });
  });

  /* ---- messages --------------------------------------------------------------------------------- */

  function message(text) {
    var node = $("desk-message");
    node.textContent = text || "";
    V.show(node, !!text);
    if (text) V.show($("desk-error"), false);
  }

  function error(text) {
    var node = $("desk-error");
    node.textContent = text || "";
    V.show(node, !!text);
    if (text) V.show($("desk-message"), false);
  }

  function toLogin() {
    window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname + window.location.search));
  }

  /** An API error in the clerk's language (the API's own message is English, for integrators). */
  function errorText(code) {
    return V.has("error." + code) ? V.tOf("error.", code) : V.t("error.other", { code: code });
  }

  function failed(err) {
    if (err && err.status === 401) {
      error(V.t("desk.login_again"));
      window.setTimeout(toLogin, 1500);
      return;
    }
    error(err && err.code ? errorText(err.code) : V.t("desk.load_failed"));
  }

  /* ---- rendering -------------------------------------------------------------------------------- */

  function serviceName(key) {
    var service = state.services[key];
    return service ? service.name : key;
  }

  function render() {
    var deskConfig = state.deskMap[state.desk];
    var pill = $("desk-status");
    if (deskConfig) {
      pill.textContent = V.tOf("desk.status.", state.status);
      pill.className = "pill pill-" + state.status;
      V.show(pill, true);
    } else {
      V.show(pill, false);
    }
    document.title = (deskConfig ? deskConfig.label + " · " : "") + V.t("desk.title");

    var ticket = state.ticket;
    V.show($("cur-none"), !ticket);
    V.show($("cur-ticket"), !!ticket);
    if (ticket) {
      $("cur-number").textContent = ticket.number;
      var status = $("cur-status");
      status.textContent = V.tOf("status.", ticket.status);
      status.className = "pill pill-" + ticket.status;
      V.show($("cur-priority"), !!ticket.priority);
      $("cur-service").textContent = ticket.service_name;
      var meta = [];
      if (ticket.called_at) meta.push(V.t("desk.called_at", { time: V.formatTime(ticket.called_at) }));
      if (ticket.pending_services && ticket.pending_services.length) {
        meta.push(V.t("desk.then", { services: ticket.pending_services.map(serviceName).join(" → ") }));
      }
      $("cur-meta").textContent = meta.join(" · ");
    }

    var has = !!ticket;
    var called = has && ticket.status === "called";
    var ready = !!deskConfig && !state.busy;
    var enable = {
      next: ready && !has,
      call: ready && !has,
      recall: ready && called,
      start: ready && called,
      finish: ready && has,
      "no-show": ready && called,
      transfer: ready && has,
      "return": ready && has,
      pause: ready,
      close: ready && !has && state.status !== "closed",
    };
    Object.keys(buttons).forEach(function (name) { buttons[name].disabled = !enable[name]; });
    document.body.classList.toggle("is-busy", state.busy);
    $("pause-label").textContent = V.t(state.status === "open" ? "desk.pause" : "desk.open");
    renderWaiting();
  }

  function renderWaiting() {
    var list = $("waiting-list");
    V.clear(list);
    var deskConfig = state.deskMap[state.desk];
    if (!deskConfig) return;
    deskConfig.services.forEach(function (key) {
      var queue = state.queue[key] || {};
      var count = key in state.waiting ? state.waiting[key] : (queue.waiting || 0);
      var estimate = queue.wait_texts || (state.services[key] || {}).wait_text;
      list.appendChild(V.el("li", { class: "waiting-item", dataset: { service: key } },
        V.el("span", { class: "waiting-name", text: serviceName(key) }),
        V.el("span", { class: "waiting-count", text: String(count) }),
        V.el("span", { class: "waiting-eta muted", text: count ? V.formatWait(estimate) : V.t("common.no_wait") })
      ));
    });
  }

  function applyDesk(payload) {
    if (!payload || payload.desk !== state.desk) return;
    state.status = payload.status;
    state.ticket = payload.ticket;
    state.waiting = payload.waiting || {};
    render();
  }

  function applyQueue(payload) {
    if (!payload || !payload.services) return;
    payload.services.forEach(function (service) {
      state.queue[service.key] = service;
      if (state.deskMap[state.desk] && state.deskMap[state.desk].services.indexOf(service.key) >= 0) {
        state.waiting[service.key] = service.waiting;
      }
    });
    renderWaiting();
  }

  /* ---- choosing a desk -------------------------------------------------------------------------- */

  function chooseDesk(key) {
    var previous = state.desk;
    if (!state.deskMap[key]) key = null;
    state.desk = key;
    state.ticket = null;
    state.waiting = {};
    state.status = key ? state.deskMap[key].status : "closed";
    $("desk-select").value = key || "";
    if (key) {
      V.store.set(STORE_KEY, key);
      var url = new URL(window.location.href);
      url.searchParams.set("desk", key);
      window.history.replaceState(null, "", url.pathname + url.search);
    }
    message("");
    error("");
    render();
    if (socket && socket.connected) {
      if (previous && previous !== key) socket.emit("leave", { desk: previous });
      if (key) joinDesk();
    }
    if (key) {
      V.api("GET", "/api/desks/" + encodeURIComponent(key)).then(function (detail) {
        if (state.desk !== key) return;
        applyDesk({ desk: key, status: detail.desk.status, ticket: detail.ticket, waiting: detail.waiting });
      }, failed);
    }
  }

  function joinDesk() {
    var key = state.desk;
    V.join(socket, { desk: key }).then(function (answer) {
      if (answer && answer.ok === false && state.desk === key) failed({ code: answer.error.code });
    });
  }

  /* ---- actions ---------------------------------------------------------------------------------- */

  function post(path, body) {
    var key = state.desk;
    state.busy = true;
    render();
    return V.api("POST", "/api/desks/" + encodeURIComponent(key) + "/" + path, { body: body })
      .then(function (result) {
        state.busy = false;
        if (state.desk !== key) return result;
        if (result) {
          state.status = result.status;
          var atDesk = result.ticket && (result.ticket.status === "called" || result.ticket.status === "serving");
          state.ticket = atDesk ? result.ticket : null;
        }
        error("");
        render();
        return result;
      }, function (err) {
        state.busy = false;
        render();
        failed(err);
        throw err;
      });
  }

  function act(action) {
    if (!state.desk || state.busy) return;
    var button = buttons[action];
    if (button && button.disabled) return;
    if (action === "transfer") return openTransfer();
    if (action === "call") return openCall();
    var request;
    if (action === "pause") request = post("status", { status: state.status === "open" ? "paused" : "open" });
    else if (action === "close") request = post("status", { status: "closed" });
    else request = post(action);
    request.then(function (result) {
      if (action === "next") {
        message(result && result.ticket ? V.t("desk.called_msg", { number: result.ticket.number }) : V.t("desk.nobody"));
      } else {
        message("");
      }
    }, function () { /* shown already */ });
  }

  function openTransfer() {
    var select = $("transfer-service");
    V.clear(select);
    Object.keys(state.services).forEach(function (key) {
      if (state.ticket && key === state.ticket.service) return;
      select.appendChild(V.el("option", { value: key, text: state.services[key].name }));
    });
    $("transfer-dialog").showModal();
    select.focus();
  }

  function openCall() {
    $("call-number").value = "";
    $("call-dialog").showModal();
    $("call-number").focus();
  }

  $("transfer-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var service = $("transfer-service").value;
    $("transfer-dialog").close();
    if (service) post("transfer", { service: service }).then(function () { message(""); }, function () {});
  });

  $("call-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var number = $("call-number").value.trim().toUpperCase();
    $("call-dialog").close();
    if (!number) return;
    post("call", { number: number }).then(function (result) {
      if (result && result.ticket) message(V.t("desk.called_msg", { number: result.ticket.number }));
    }, function () {});
  });

  document.querySelectorAll("dialog [data-close]").forEach(function (button) {
    button.addEventListener("click", function () { button.closest("dialog").close(); });
  });

  var KEYS = { n: "next", r: "recall", s: "start", f: "finish", x: "no-show", t: "transfer", c: "call",
    b: "return", p: "pause" };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) return;
    if (document.querySelector("dialog[open]")) return;
    var action = KEYS[(event.key || "").toLowerCase()];
    if (!action) return;
    event.preventDefault();
    act(action);
  });

  /* After choosing a desk the single-key shortcuts work at once: focus leaves the drop-down. */
  $("h-current").setAttribute("tabindex", "-1");
  $("desk-select").addEventListener("change", function (event) {
    chooseDesk(event.target.value);
    if (state.desk) $("h-current").focus();
  });

  /* ---- start ------------------------------------------------------------------------------------ */

  render();
  Promise.all([
    V.api("GET", "/api/desks"),
    V.api("GET", "/api/services?language=" + encodeURIComponent(V.getLanguage())),
  ]).then(function (results) {
    state.desks = results[0].desks;
    state.desks.forEach(function (desk) { state.deskMap[desk.key] = desk; });
    results[1].services.forEach(function (service) { state.services[service.key] = service; });
    var select = $("desk-select");
    if (!state.desks.length) {
      error(V.t("desk.no_desks"));
      return;
    }
    state.desks.forEach(function (desk) {
      select.appendChild(V.el("option", { value: desk.key, text: desk.label + (desk.location ? " · " + desk.location : "") }));
    });
    select.disabled = false;
    var wanted = V.data.desk || V.store.get(STORE_KEY);
    socket = V.connect({
      onConnect: function () {
        if (state.desk) joinDesk();
      },
    });
    socket.on("snapshot", function (snapshot) {
      if (snapshot.desk !== state.desk) return;
      applyDesk(snapshot.state);
      applyQueue(snapshot.queue);
    });
    socket.on("desk", applyDesk);
    socket.on("queue", applyQueue);
    chooseDesk(state.deskMap[wanted] ? wanted : null);
    if (!state.desk) select.focus();
  }, failed);
})();
