/* The waiting-room board: the newest call large, the previous ones below, queues, clock, chime and speech.
 *
 * Everything comes from the Socket.IO snapshot (sent on every join, so on every reconnection too, and to every
 * screen after a configuration change) and the "called" and "queue" events.  The zone's message line, if it
 * has one, shows under the calls in the board's language.  Chime and speech are per-zone settings from the snapshot, off by default.
 * Browsers block sound until a user gesture: run the board in kiosk-mode Chromium with
 * --autoplay-policy=no-user-gesture-required (see docs/screens.md).
 */
(function () {
  "use strict";

  var V = window.Vuoro;
  var $ = function (id) { return document.getElementById(id); };
  var zone = V.data.zone;
  var lang = V.getLanguage();
  var HISTORY = 6;
  var KEEP = 20;
  var flashTimer = null;

  var state = {
    calls: [],
    services: [],
    queue: {},
    settings: { chime: false, speech: false, volume: 0.5 },
    audioBlocked: false,
  };

  V.startClock($("clock"));

  function unique(calls) {
    var seen = {};
    return calls.filter(function (call) {
      if (seen[call.number]) return false;
      seen[call.number] = true;
      return true;
    });
  }

  function deskLabel(call) {
    return V.pick(call.desk_labels, lang) || call.desk_label || call.desk;
  }

  function render(flash) {
    var calls = unique(state.calls);
    var current = calls[0];
    V.show($("now-call"), !!current);
    V.show($("now-empty"), !current);
    if (current) {
      $("now-number").textContent = current.number;
      $("now-desk").textContent = deskLabel(current);
      $("now-location").textContent = V.pick(current.location, lang);
      V.show($("now-location"), !!$("now-location").textContent);
      $("now-call").setAttribute("data-number", current.number);
    }
    if (flash) {
      var now = $("now");
      now.classList.remove("flash");
      void now.offsetWidth; /* restart the animation */
      now.classList.add("flash");
      window.clearTimeout(flashTimer);
      flashTimer = window.setTimeout(function () { now.classList.remove("flash"); }, 4000);
    }
    var list = $("history");
    V.clear(list);
    calls.slice(1, 1 + HISTORY).forEach(function (call) {
      list.appendChild(V.el("li", { class: "history-item" },
        V.el("span", { class: "history-number", text: call.number }),
        V.el("span", { class: "history-arrow", "aria-hidden": "true", text: "→" }),
        V.el("span", { class: "history-desk", text: deskLabel(call) })
      ));
    });
  }

  function renderQueues() {
    var list = $("queues");
    V.clear(list);
    state.services.forEach(function (key) {
      var service = state.queue[key];
      if (!service) return;
      var meta = !service.open ? V.t("board.closed") : service.waiting ? V.formatWait(service.wait_texts) : "";
      list.appendChild(V.el("li", { class: "queue-item" + (service.open ? "" : " is-closed"), dataset: { service: key } },
        V.el("span", { class: "queue-name", text: V.pick(service.names, lang) }),
        V.el("span", { class: "queue-count" },
          V.el("span", { class: "queue-number", text: String(service.waiting) }),
          V.el("span", { class: "queue-label", text: " " + V.t("status.waiting").toLowerCase() })),
        meta ? V.el("span", { class: "queue-eta", text: meta }) : null
      ));
    });
  }

  /** The board's language, else the first text; hidden when there is none.  Text only, never markup. */
  function renderMessage(message) {
    var texts = message || {};
    var code = texts[lang] ? lang : Object.keys(texts).filter(function (c) { return texts[c]; })[0];
    var text = code ? texts[code] : "";
    var node = $("board-message");
    if (node.textContent !== text) node.textContent = text;
    node.setAttribute("lang", code || lang);  /* read out in its own language when it is the fallback */
    V.show(node, !!text);
  }

  function applyQueue(payload) {
    if (!payload || !payload.services) return;
    payload.services.forEach(function (service) { state.queue[service.key] = service; });
    renderQueues();
  }

  /** "K042" -> "K 42": read out as a letter and a number, not as one word. */
  function spoken(number) {
    var parts = /^([A-Za-z]+)0*(\d+)$/.exec(number);
    return parts ? parts[1].split("").join(" ") + " " + parts[2] : number;
  }

  function setAudioBlocked(blocked) {
    state.audioBlocked = blocked;
    V.show($("audio-blocked"), blocked);
  }

  function announce(call) {
    var desk = deskLabel(call);
    $("board-announce").textContent = V.t("board.call_text", { number: call.number, desk: desk });
    var settings = state.settings;
    var say = function () {
      if (settings.speech) V.speak(V.t("board.speech", { number: spoken(call.number), desk: desk }), lang, settings.volume);
    };
    if (settings.chime && V.data.chime) {
      V.playSound(V.data.chime, settings.volume).then(function (played) {
        setAudioBlocked(!played);
        window.setTimeout(say, played ? 1300 : 0);
      });
    } else {
      say();
    }
  }

  document.addEventListener("click", function () {
    if (state.audioBlocked && V.data.chime) {
      V.playSound(V.data.chime, state.settings.volume).then(function (played) { setAudioBlocked(!played); });
    }
  });

  var socket = V.connect({
    onConnect: function () { V.join(socket, { board: zone }); },
  });

  socket.on("snapshot", function (snapshot) {
    if (snapshot.board !== zone) return;
    state.settings = Object.assign({ chime: false, speech: false, volume: 0.5 }, snapshot.settings || {});
    state.calls = (snapshot.calls || []).slice(0, KEEP);
    state.services = snapshot.services || [];
    state.queue = {};
    renderMessage(snapshot.message);
    render(false);
    applyQueue(snapshot.queue);
  });

  socket.on("called", function (call) {
    if (call.zone && call.zone !== zone) return;
    state.calls.unshift(call);
    state.calls = state.calls.slice(0, KEEP);
    render(true);
    announce(call);
  });

  socket.on("queue", applyQueue);
})();
