/* The waiting-room board: the newest call large, the previous ones below, queues, clock, chime and speech.
 *
 * Everything comes from the Socket.IO snapshot (sent on every join, so on every reconnection too, and to every
 * screen after a configuration change) and the "called" and "queue" events.  The zone's message line, if it
 * has one, shows under the calls in the board's language.  Chime and speech are per-zone settings from the snapshot, off by default.
 * Browsers block sound until a user gesture: run the board in kiosk-mode Chromium with
 * --autoplay-policy=no-user-gesture-required (see docs/screens.md).
 *
 * A zone may have several languages (the snapshot's "languages", e.g. fi and sv): the board then takes turns
 * in them every few seconds (data-rotate, default 8 s) with a calm cross-fade, or a plain swap under
 * prefers-reduced-motion, and speaks each call once in every language in turn, after one chime.
 */
(function () {
  "use strict";

  var V = window.Vuoro;
  var $ = function (id) { return document.getElementById(id); };
  var zone = V.data.zone;
  var lang = V.getLanguage();
  var HISTORY = 6;
  var KEEP = 20;
  var FADE_MS = 400;
  var ROTATE_MS = Math.max(1, Number(V.data.rotate) || 8) * 1000;
  var flashTimer = null;
  var strings = parse(V.data.strings);
  var centreNames = parse(V.data.centreNames);
  var calm = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : { matches: false };
  var rotation = { languages: [lang], index: 0, timer: null };

  var state = {
    calls: [],
    services: [],
    queue: {},
    settings: { chime: false, speech: false, volume: 0.5 },
    audioBlocked: false,
    name: null,
    message: null,
  };

  function parse(json) {
    try {
      return JSON.parse(json || "{}");
    } catch (e) {
      return {};
    }
  }

  /** A page text in ``code`` whatever language the board shows now: each language speaks its own call. */
  function textIn(code, key, values) {
    var text = (strings[code] || {})[key];
    if (text === undefined) return V.t(key, values);
    return text.replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  V.startClock($("clock"));

  function unique(calls) {
    var seen = {};
    return calls.filter(function (call) {
      if (seen[call.number]) return false;
      seen[call.number] = true;
      return true;
    });
  }

  function deskLabel(call, code) {
    return V.pick(call.desk_labels, code || lang) || call.desk_label || call.desk;
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

  /** The call in each of the zone's languages in turn (the browser queues the utterances), each in its voice. */
  function speakCall(call, volume) {
    rotation.languages.forEach(function (code) {
      V.speak(textIn(code, "board.speech", { number: spoken(call.number), desk: deskLabel(call, code) }), code, volume);
    });
  }

  function announce(call) {
    $("board-announce").textContent = V.t("board.call_text", { number: call.number, desk: deskLabel(call) });
    var settings = state.settings;
    var say = function () {
      if (settings.speech) speakCall(call, settings.volume);
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

  function renderNames() {
    if (state.name) $("zone-name").textContent = V.pick(state.name, lang);
    if (centreNames[lang]) $("centre-name").textContent = centreNames[lang];
  }

  /** Everything that has words, in the board's language now (the numbers stay as they are). */
  function renderTexts() {
    renderNames();
    renderMessage(state.message);
    render(false);
    renderQueues();
  }

  function showLanguage(code) {
    lang = code;
    V.setLanguage(code);  /* <html lang>, the data-i18n labels, waits and the clock's format */
    renderTexts();
  }

  /** The next language: faded out, swapped, faded in; a plain swap where motion is unwelcome. */
  function turn() {
    rotation.index = (rotation.index + 1) % rotation.languages.length;
    var code = rotation.languages[rotation.index];
    var board = $("board");
    if (calm.matches) {
      showLanguage(code);
      return;
    }
    board.classList.add("is-fading");
    window.setTimeout(function () {
      showLanguage(code);
      void board.offsetWidth; /* the rebuilt rows start faded too, so they fade in with the rest */
      board.classList.remove("is-fading");
    }, FADE_MS);
  }

  /** The zone's languages from the snapshot, those this page has texts for (the page was made for them). */
  function setLanguages(wanted) {
    if (!wanted) return;
    var usable = wanted.filter(function (code) { return strings[code]; });
    if (!usable.length) usable = [rotation.languages[0]];
    if (usable.join(" ") === rotation.languages.join(" ")) return;
    window.clearInterval(rotation.timer);
    rotation = { languages: usable, index: 0, timer: null };
    if (lang !== usable[0]) showLanguage(usable[0]);
    if (usable.length > 1) rotation.timer = window.setInterval(turn, ROTATE_MS);
  }

  setLanguages((V.data.languages || lang).split(" "));

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
    state.name = snapshot.name || null;
    state.message = snapshot.message;
    setLanguages(snapshot.languages);
    renderNames();
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
