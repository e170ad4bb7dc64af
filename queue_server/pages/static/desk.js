/* The desk page: pick a desk, see its current ticket and queues live, act with buttons or single keys.
 * What it shows is drawn by desk_view.js (window.VuoroDesk), loaded before it. */
(function () {
  "use strict";

  var V = window.Vuoro;
  var D = window.VuoroDesk;
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
  var queue = D.QueueList($("queue-list"), $("queue-more"), callTicket);
  queue.names(serviceName);
  var undo = D.UndoBox($("undo-box"), $("undo-text"), $("undo-button"), undoNoShow);

  var buttons = {};
  document.querySelectorAll("[data-action]").forEach(function (button) {
    buttons[button.getAttribute("data-action")] = button;
    button.addEventListener("click", function () { act(button.getAttribute("data-action")); });
  });

  /* ---- messages --------------------------------------------------------------------------------- */

  var message = D.message;
  var error = D.error;

  function toLogin() {
    window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname + window.location.search));
  }

  function failed(err) {
    if (err && err.status === 401) {
      error(V.t("desk.login_again"));
      window.setTimeout(toLogin, 1500);
      return;
    }
    error(err && err.code ? D.errorText(err.code) : V.t("desk.load_failed"));
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
    D.renderTicket(ticket, serviceName);

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
    queue.enable(enable.call);
    undo.enable(ready);
    renderWaiting();
  }

  function renderWaiting() {
    var deskConfig = state.deskMap[state.desk];
    D.renderSummary($("waiting-list"), deskConfig ? deskConfig.services : [], state.waiting, state.queue, serviceName);
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
    queue.set(null);
    undo.restore(key);
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
      var version = queue.version();
      V.api("GET", "/api/desks/" + encodeURIComponent(key) + "/waiting").then(function (body) {
        if (state.desk === key && queue.version() === version) queue.set(body);  // unless a push was newer
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

  /** An action at the desk; ``elsewhere``: its ticket is not the desk's (an undone no-show waits again). */
  function post(path, body, elsewhere) {
    var key = state.desk;
    state.busy = true;
    render();
    return V.api("POST", "/api/desks/" + encodeURIComponent(key) + "/" + path, { body: body })
      .then(function (result) {
        state.busy = false;
        if (state.desk !== key) return result;
        if (result && !elsewhere) {
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
    if (action === "transfer") return D.openTransfer(state.services, state.ticket);
    if (action === "call") return D.openCall();
    var request;
    if (action === "pause") request = post("status", { status: state.status === "open" ? "paused" : "open" });
    else if (action === "close") request = post("status", { status: "closed" });
    else request = post(action);
    request.then(function (result) {
      if (action === "next") {
        message(result && result.ticket ? V.t("desk.called_msg", { number: result.ticket.number }) : V.t("desk.nobody"));
      } else if (action === "no-show" && result && result.ticket) {
        message("");
        undo.offer(state.desk, result.ticket.number, queue.idOf(result.ticket.number));
      } else {
        message("");
      }
    }, function () { /* shown already */ });
  }

  /** The Call button of a row in the waiting list: that ticket, by its id, and focus back on the ticket. */
  function callTicket(entry) {
    if (!state.desk || state.busy) return;
    post("call", { ticket: entry.id }).then(function (result) {
      if (result && result.ticket) message(V.t("desk.called_msg", { number: result.ticket.number }));
      $("h-current").focus();
    }, function () {});
  }

  function undoNoShow(item) {
    if (!state.desk || state.busy || item.desk !== state.desk) return;
    post("undo-no-show", item.id ? { ticket: item.id } : { number: item.number }, true).then(function () {
      undo.hide();
      message(V.t("desk.undone_msg", { number: item.number }));
      $("h-current").focus();  // the Undo button is gone: keep the keyboard on the page
    }, function (err) {
      if (err && (err.code === "undo_expired" || err.code === "invalid_transition")) undo.hide();
    });
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

  D.shortcuts(act);

  /* After choosing a desk the single-key shortcuts work at once: focus leaves the drop-down. */
  $("h-current").setAttribute("tabindex", "-1");
  $("desk-select").addEventListener("change", function (event) {
    chooseDesk(event.target.value);
    if (state.desk) $("h-current").focus();
  });

  /* ---- start ------------------------------------------------------------------------------------ */

  render();
  Promise.all([
    V.api("GET", "/api/desks?language=" + encodeURIComponent(V.getLanguage())),
    V.api("GET", "/api/services?language=" + encodeURIComponent(V.getLanguage())),
  ]).then(function (results) {
    state.desks = results[0].desks;
    state.desks.forEach(function (desk) { state.deskMap[desk.key] = desk; });
    results[1].services.forEach(function (service) {
      state.services[service.key] = service;
      state.queue[service.key] = { waiting: service.waiting, wait_texts: service.wait_text };  // till the snapshot
    });
    var select = $("desk-select");
    if (!state.desks.length) {
      error(V.t("desk.no_desks"));
      return;
    }
    D.fillDesks(select, state.desks);
    var wanted = V.data.desk || V.store.get(STORE_KEY);
    socket = V.connect({
      onConnect: function () {
        if (state.desk) joinDesk();
      },
    });
    socket.on("snapshot", function (snapshot) {
      if (snapshot.desk !== state.desk) return;
      applyDesk(snapshot.state);
      if (snapshot.waiting) queue.set(snapshot.waiting);
      applyQueue(snapshot.queue);
    });
    socket.on("desk", applyDesk);
    socket.on("waiting", function (body) { if (body && body.desk === state.desk) queue.set(body); });
    socket.on("queue", applyQueue);
    chooseDesk(state.deskMap[wanted] ? wanted : null);
    if (!state.desk) select.focus();
  }, failed);
})();
