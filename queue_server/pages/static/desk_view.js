/* The desk page's lists and marks, apart from its actions (desk.js): the waiting tickets in the order call-next
 * takes them, each with its own Call button; the per-service summary; the undo of a no-show; the visitor's
 * language.  Numbers, minutes and counts only: the waiting list carries nothing personal. */
(function () {
  "use strict";

  var V = window.Vuoro;
  var UNDO_MS = 10 * 60 * 1000;  // the server's window (services/no_show_undo.py); the server stays the judge
  var UNDO_KEY = "vuoro.desk.undo";
  var TICK_MS = 30 * 1000;       // the waited minutes count on between the server's lists

  /** "Asiakas asioi ruotsiksi": whom to greet in which language (every language with a catalogue has its
   * sentence, desk.visitor_lang_<code>; one added later without it gets the general sentence). */
  function visitorLanguage(code) {
    var sentence = "desk.visitor_lang_" + code;
    if (V.has(sentence)) return V.t(sentence);
    return V.t("desk.visitor_lang_other", { language: V.has("lang." + code) ? V.tOf("lang.", code) : code });
  }

  var $ = function (id) { return document.getElementById(id); };

  /* ---- messages --------------------------------------------------------------------------------- */

  /** What an action did, in the status line; it replaces the last error. */
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

  /** An API error in the clerk's language (the API's own message is English, for integrators). */
  function errorText(code) {
    return V.has("error." + code) ? V.tOf("error.", code) : V.t("error.other", { code: code });
  }

  /* ---- the current ticket ----------------------------------------------------------------------- */

  /** The ticket at the desk; service names in the clerk's language (the view's own are in the visitor's). */
  function renderTicket(ticket, serviceName) {
    V.show($("cur-none"), !ticket);
    V.show($("cur-ticket"), !!ticket);
    if (!ticket) return;
    $("cur-number").textContent = ticket.number;
    var status = $("cur-status");
    status.textContent = V.tOf("status.", ticket.status);
    status.className = "pill pill-" + ticket.status;
    V.show($("cur-priority"), !!ticket.priority);
    showLanguage($("cur-language"), ticket.language);
    $("cur-service").textContent = serviceName(ticket.service);
    var meta = [];
    if (ticket.appointment_at) meta.push(V.t("desk.appointment_at", { time: V.formatTime(ticket.appointment_at) }));
    if (ticket.called_at) meta.push(V.t("desk.called_at", { time: V.formatTime(ticket.called_at) }));
    if (ticket.pending_services && ticket.pending_services.length) {
      meta.push(V.t("desk.then", { services: V.sequence(ticket.pending_services.map(serviceName)) }));
    }
    $("cur-meta").textContent = meta.join(" · ");
  }

  /** The language badge beside the current number ("SV"), its sentence for the title and screen readers. */
  function showLanguage(node, code) {
    V.show(node, !!code);
    if (!code) return;
    var title = visitorLanguage(code);
    node.title = title;
    node.querySelector(".lang-badge-code").textContent = code.toUpperCase();
    node.querySelector(".visually-hidden").textContent = title;
    node.classList.toggle("is-other", code !== V.getLanguage());
  }

  /* ---- the queues ------------------------------------------------------------------------------- */

  /** Per service: how many wait and the server's wait text -- "no desk open now" where that is the reason,
      never an estimate made up here. */
  function renderSummary(list, services, counts, queues, name) {
    V.clear(list);
    services.forEach(function (key) {
      var queue = queues[key] || {};
      var count = key in counts ? counts[key] : (queue.waiting || 0);
      var text = queue.wait_texts ? V.formatWait(queue.wait_texts) : "";
      var eta = (count || queue.estimate_reason) ? text : V.t("common.no_wait");
      list.appendChild(V.el("li", { class: "waiting-item", dataset: { service: key } },
        V.el("span", { class: "waiting-name", text: name(key) }),
        V.el("span", { class: "waiting-count", text: String(count) }),
        V.el("span", { class: "waiting-eta muted", text: eta })
      ));
    });
  }

  /** The waiting tickets of one desk; ``onCall(entry)`` calls one of them to the desk. */
  function QueueList(node, more, onCall) {
    var body = null;
    var receivedAt = 0;
    var enabled = false;
    var ids = {};
    var version = 0;
    var serviceName = function (key) { return key; };

    function minutes(entry) {
      return Math.max(0, Math.floor((entry.waited_s + (Date.now() - receivedAt) / 1000) / 60));
    }

    function row(entry, several) {
      var meta = [V.t("desk.waited_min", { n: minutes(entry) })];
      if (entry.errands > 1) meta.push(V.t("desk.errands", { n: entry.errands }));
      return V.el("li", { class: "queue-item", dataset: { ticket: entry.id, number: entry.number } },
        V.el("span", { class: "queue-number", text: entry.number }),
        V.el("span", { class: "queue-meta" },
          entry.priority ? V.el("span", { class: "pill pill-warn", text: V.t("desk.priority") }) : null,
          entry.appointment_at ? V.el("span", { class: "pill pill-appointment",
            text: V.t("desk.appointment_at", { time: V.formatTime(entry.appointment_at) }) }) : null,
          several ? V.el("span", { class: "queue-service", text: serviceName(entry.service) }) : null,
          V.el("span", { class: "muted", text: meta.join(" · ") })),
        V.el("button", { type: "button", class: "btn btn-secondary queue-call", disabled: !enabled,
          "aria-label": V.t("desk.call_ticket", { number: entry.number }), text: V.t("desk.do_call") }));
    }

    /* A push re-draws the list: a keyboard user's focus stays on the same ticket's button. */
    function render() {
      var holder = node.contains(document.activeElement) && document.activeElement.closest("[data-ticket]");
      var focused = holder ? holder.getAttribute("data-ticket") : null;
      V.clear(node);
      var tickets = body ? body.tickets : [];
      var several = tickets.some(function (t) { return t.service !== tickets[0].service; });
      tickets.forEach(function (entry) { node.appendChild(row(entry, several)); });
      if (body && !tickets.length) node.appendChild(V.el("li", { class: "queue-empty muted", text: V.t("desk.nobody") }));
      more.textContent = body && body.total > tickets.length
        ? V.t("desk.queue_more", { shown: tickets.length, total: body.total }) : "";
      V.show(more, !!more.textContent);
      var again = focused && node.querySelector('[data-ticket="' + focused + '"] button');
      if (again && !again.disabled) again.focus();
    }

    node.addEventListener("click", function (event) {
      var button = event.target.closest(".queue-call");
      if (!button || button.disabled || !body) return;
      var id = Number(button.closest("[data-ticket]").getAttribute("data-ticket"));
      var entry = body.tickets.filter(function (t) { return t.id === id; })[0];
      if (entry) onCall(entry);
    });
    window.setInterval(function () { if (body && body.tickets.length) render(); }, TICK_MS);

    return {
      /** The server's list (null: none yet, for another desk); ids are kept so an undo can name its ticket. */
      set: function (value) {
        body = value;
        receivedAt = Date.now();
        version += 1;
        if (!value) ids = {};
        (value ? value.tickets : []).forEach(function (t) { ids[t.number] = t.id; });
        render();
      },
      enable: function (value) {
        if (value === enabled) return;
        enabled = value;
        render();
      },
      names: function (fn) { serviceName = fn; },
      idOf: function (number) { return ids[number]; },
      version: function () { return version; },
    };
  }

  /* ---- undoing a no-show ------------------------------------------------------------------------ */

  /** "K042: no-show. Undo" for ten minutes after the mark, kept across a reload of the page. */
  function UndoBox(box, text, button, onUndo) {
    var current = null;
    var timer = null;

    function hide() {
      current = null;
      V.store.remove(UNDO_KEY);
      window.clearTimeout(timer);
      V.show(box, false);
    }

    function display(item) {
      current = item;
      text.textContent = V.t("desk.no_show_msg", { number: item.number });
      V.show(box, true);
      window.clearTimeout(timer);
      timer = window.setTimeout(hide, Math.max(0, item.until - Date.now()));
    }

    button.addEventListener("click", function () { if (current) onUndo(current); });

    return {
      /** Offer the undo of ``number`` (``id`` when the waiting list knew it) at ``desk``. */
      offer: function (desk, number, id) {
        var item = { desk: desk, number: number, id: id || null, until: Date.now() + UNDO_MS };
        V.store.set(UNDO_KEY, JSON.stringify(item));
        display(item);
      },
      /** The desk shown changed: show the undo kept for it, if its ten minutes still run. */
      restore: function (desk) {
        var item = null;
        try {
          item = JSON.parse(V.store.get(UNDO_KEY) || "null");
        } catch (e) {
          item = null;
        }
        if (item && item.desk === desk && item.until > Date.now()) return display(item);
        current = null;  // another desk's undo stays stored, for when the clerk comes back to it
        window.clearTimeout(timer);
        V.show(box, false);
      },
      enable: function (value) { button.disabled = !value; },
      hide: hide,
    };
  }

  /* ---- choosing a desk, the dialogs, the keys --------------------------------------------------- */

  /** The desks the API lists, labelled in the page's language: the template wrote each option in it (the API
      answers in the centre's default language); the desk's label is that text from then on. */
  function fillDesks(select, desks) {
    var written = {};
    Array.prototype.forEach.call(select.options, function (option) { if (option.value) written[option.value] = option; });
    desks.forEach(function (desk) {
      var option = written[desk.key];
      if (option) desk.label = option.getAttribute("data-label") || desk.label;
      else option = V.el("option", { value: desk.key, text: desk.label + (desk.location ? " · " + desk.location : "") });
      delete written[desk.key];
      select.appendChild(option);  // in the API's order
    });
    Object.keys(written).forEach(function (key) { select.removeChild(written[key]); });
    select.disabled = false;
  }

  function openTransfer(services, ticket) {
    var select = $("transfer-service");
    V.clear(select);
    Object.keys(services).forEach(function (key) {
      if (ticket && key === ticket.service) return;
      select.appendChild(V.el("option", { value: key, text: services[key].name }));
    });
    $("transfer-dialog").showModal();
    select.focus();
  }

  function openCall() {
    $("call-number").value = "";
    $("call-dialog").showModal();
    $("call-number").focus();
  }

  document.querySelectorAll("dialog [data-close]").forEach(function (button) {
    button.addEventListener("click", function () { button.closest("dialog").close(); });
  });

  var KEYS = { n: "next", r: "recall", s: "start", f: "finish", x: "no-show", t: "transfer", c: "call",
    b: "return", p: "pause" };

  /** Single keys (README), except while typing, in a dialog, or with a modifier (the browser's own keys). */
  function shortcuts(act) {
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
  }

  window.VuoroDesk = { message: message, error: error, errorText: errorText, renderTicket: renderTicket,
    renderSummary: renderSummary, QueueList: QueueList, UndoBox: UndoBox, fillDesks: fillDesks,
    openTransfer: openTransfer, openCall: openCall, shortcuts: shortcuts };
})();
