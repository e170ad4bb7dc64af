/* Vuoro: the helper every page shares (texts, JSON API, Socket.IO, formatting, DOM building).
 *
 * Plain JavaScript, no build step.  Page data comes from data- attributes on <body>; texts from data-strings.
 * Everything that comes from the server or the config is put into the page with textContent, never innerHTML.
 */
(function () {
  "use strict";

  var body = document.body;
  var data = body.dataset;
  var strings = {};
  try {
    strings = JSON.parse(data.strings || "{}");
  } catch (e) {
    strings = {};
  }
  var lang = data.lang || data.defaultLang || "fi";
  /* Arabic with Latin digits, as the server's formatter (Babel) writes its times and as ticket numbers are. */
  var LOCALES = { fi: "fi-FI", sv: "sv-FI", en: "en-GB", ru: "ru-RU", et: "et-EE", ar: "ar-u-nu-latn" };
  var SPEECH_LOCALES = { fi: "fi-FI", sv: "sv-SE", en: "en-GB", ru: "ru-RU", et: "et-EE", ar: "ar-SA" };
  /* The page's languages written right to left (the server's catalogue knows which: data-rtl="ar"). */
  var RTL = (data.rtl || "").split(" ").filter(Boolean);

  /* ---- texts ------------------------------------------------------------------------------------ */

  function t(key, values) {
    var table = strings[lang] || strings[data.defaultLang] || {};
    var text = table[key];
    if (text === undefined) {
      var first = strings[Object.keys(strings)[0]] || {};
      text = first[key];
    }
    if (text === undefined) return key;
    if (values) {
      text = text.replace(/\{(\w+)\}/g, function (match, name) {
        return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
      });
    }
    return text;
  }

  /** The text of a family's member ("status.", "waiting"): a key built from a value, which the catalogue
      extractor cannot see in a call (queue_server/i18n/markers.py lists them). */
  function tOf(prefix, value) {
    return t(prefix + value);
  }

  /** Whether the page's catalogue has the text ``key``. */
  function has(key) {
    var table = strings[lang] || strings[data.defaultLang] || {};
    return Object.prototype.hasOwnProperty.call(table, key);
  }

  /** A text from the config's per-language mapping ({fi, sv, en}) in the page's language. */
  function pick(names, language) {
    if (!names) return "";
    if (typeof names === "string") return names;
    var want = language || lang;
    return names[want] || names[data.defaultLang] || names[Object.keys(names)[0]] || "";
  }

  function applyTexts(root) {
    (root || document).querySelectorAll("[data-i18n]").forEach(function (node) {
      node.textContent = t(node.getAttribute("data-i18n"));
    });
    (root || document).querySelectorAll("[data-i18n-label]").forEach(function (node) {
      node.setAttribute("aria-label", t(node.getAttribute("data-i18n-label")));
    });
    (root || document).querySelectorAll("[data-i18n-alt]").forEach(function (node) {
      node.setAttribute("alt", t(node.getAttribute("data-i18n-alt")));
    });
  }

  function setLanguage(code) {
    lang = code;
    document.documentElement.lang = code;
    document.documentElement.dir = RTL.indexOf(code) >= 0 ? "rtl" : "ltr";
    body.dataset.lang = code;
    applyTexts(document);
  }

  function getLanguage() {
    return lang;
  }

  /* ---- formatting ------------------------------------------------------------------------------- */

  /** A wait as the server wrote it (its one formatter, the same as on paper): a text, or {lang: text} as
      queue payloads carry it for every centre language. */
  function formatWait(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "string") return value;
    return value[lang] || value[data.defaultLang] || "";
  }

  /** Errands in the order they are run ("Kela → Kirjasto"): in a right-to-left language the first is on the
      right and the arrow points left (U+2192 is not mirrored by the bidi algorithm). */
  function sequence(items) {
    return items.join(document.documentElement.dir === "rtl" ? " \u2190 " : " \u2192 ");
  }

  function timeFormat(options) {
    var opts = Object.assign({ timeZone: data.timezone || undefined }, options);
    try {
      return new Intl.DateTimeFormat(LOCALES[lang] || lang, opts);
    } catch (e) {
      delete opts.timeZone;
      return new Intl.DateTimeFormat(LOCALES[lang] || lang, opts);
    }
  }

  /** "09:00" in the centre's time zone, "ma 09:00" when it is not today. */
  function formatTime(value, withDayIfNotToday) {
    var date = value instanceof Date ? value : new Date(value);
    if (isNaN(date.getTime())) return "";
    var time = timeFormat({ hour: "2-digit", minute: "2-digit" }).format(date);
    if (withDayIfNotToday) {
      var day = timeFormat({ year: "numeric", month: "2-digit", day: "2-digit" });
      if (day.format(date) !== day.format(new Date())) {
        return timeFormat({ weekday: "short" }).format(date) + " " + time;
      }
    }
    return time;
  }

  /** A day or a moment in the page's language and the centre's time zone, as Intl's ``options`` say
      ({weekday: "long", day: "numeric", month: "long"}): the booking page's days. */
  function formatDate(value, options) {
    var date = value instanceof Date ? value : new Date(value);
    if (isNaN(date.getTime())) return "";
    return timeFormat(options).format(date);
  }

  function startClock(node) {
    if (!node) return;
    var tick = function () {
      var now = new Date();
      node.textContent = formatTime(now);
      node.setAttribute("datetime", now.toISOString());
      window.setTimeout(tick, 1000 * (60 - now.getSeconds()) + 50);
    };
    tick();
  }

  /* ---- DOM -------------------------------------------------------------------------------------- */

  /** el("li", {class: "x", "aria-label": "..."}, "text", childNode): builds nodes, text only as text. */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    var key;
    for (key in attrs || {}) {
      if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
      var value = attrs[key];
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function show(node, visible) {
    if (node) node.hidden = !visible;
  }

  /* ---- storage ---------------------------------------------------------------------------------- */

  var store = {
    get: function (key) {
      try {
        return window.localStorage.getItem(key);
      } catch (e) {
        return null;
      }
    },
    set: function (key, value) {
      try {
        window.localStorage.setItem(key, value);
      } catch (e) {
        /* private mode: nothing to remember */
      }
    },
    remove: function (key) {
      try {
        window.localStorage.removeItem(key);
      } catch (e) {
        /* ignore */
      }
    },
  };

  /* ---- JSON API --------------------------------------------------------------------------------- */

  /* ``details``: the error body's other fields (opens_at, come_back_at, walk_in...), which a screen may act on */
  function ApiError(status, code, message, details) {
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.message = message;
    this.details = details || {};
  }
  ApiError.prototype = Object.create(Error.prototype);
  ApiError.prototype.constructor = ApiError;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta && meta.content ? meta.content : null;
  }

  /** fetch() a JSON API path; resolves to the parsed body (null for 204), rejects with an ApiError. */
  function api(method, path, options) {
    options = options || {};
    var headers = { Accept: "application/json" };
    var csrf = csrfToken();
    if (csrf) headers["X-CSRFToken"] = csrf;
    if (options.token) headers.Authorization = "Bearer " + options.token;
    var init = { method: method, headers: headers, credentials: "same-origin", cache: "no-store" };
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    return fetch(path, init).then(
      function (response) {
        if (response.status === 204) return null;
        return response.json().then(
          function (payload) {
            if (response.ok) return payload;
            var error = (payload && payload.error) || {};
            throw new ApiError(response.status, error.code || "http_" + response.status,
              error.message || response.statusText, error);
          },
          function () {
            if (response.ok) return null;
            throw new ApiError(response.status, "http_" + response.status, response.statusText);
          }
        );
      },
      function (error) {
        throw new ApiError(0, "network", (error && error.message) || "network error");
      }
    );
  }

  /* ---- Socket.IO -------------------------------------------------------------------------------- */

  /**
   * Connect and keep connected.  onConnect runs on every (re)connection: join there and re-render from the
   * snapshot.  The "connection lost" marker (#offline) shows while disconnected.  onRejected runs when the
   * server refuses the connection outright (a wrong device token): no reconnecting then.
   *
   * Every event the server sends to a room carries {room, seq}: 1, 2, 3, ... per room.  A gap means this
   * screen missed something; the server's "resync" means it rebuilt its picture.  Either way onConnect runs
   * again, so the page joins again and re-renders from a fresh snapshot (docs/realtime.md).
   */
  function connect(options) {
    options = options || {};
    var offline = document.getElementById("offline");
    var socket = window.io({ auth: options.auth || {}, reconnectionDelayMax: 5000 });
    var seqs = {};
    var rejoining = null;
    var setOffline = function (value) {
      show(offline, value);
      body.classList.toggle("is-offline", value);
    };
    var again = false;
    /* At most one rejoin a second; one asked for within that second is made when it ends (a second
       configuration change right after the first must reach the screen too). */
    var rejoin = function () {
      if (rejoining) { again = true; return; }
      seqs = {};
      again = false;
      rejoining = window.setTimeout(function () {
        rejoining = null;
        if (again) rejoin();
      }, 1000);
      if (options.onConnect) options.onConnect(socket);
    };
    socket.on("connect", function () {
      setOffline(false);
      seqs = {};
      if (options.onConnect) options.onConnect(socket);
    });
    socket.on("snapshot", function (snapshot) {
      var given = (snapshot && snapshot.seqs) || {};
      Object.keys(given).forEach(function (room) { seqs[room] = given[room]; });
    });
    socket.onAny(function (event, payload) {
      if (!payload || typeof payload.seq !== "number" || typeof payload.room !== "string") return;
      var last = seqs[payload.room];
      if (last === undefined || payload.seq === last + 1) {
        seqs[payload.room] = payload.seq;
      } else if (payload.seq > last + 1) {
        rejoin();
      }
    });
    socket.on("resync", rejoin);
    socket.on("disconnect", function (reason) {
      setOffline(true);
      if (reason === "io server disconnect") {
        window.setTimeout(function () { socket.connect(); }, 2000);
      }
      if (options.onDisconnect) options.onDisconnect(reason);
    });
    socket.on("connect_error", function (error) {
      if (!socket.active) {
        if (options.onRejected) options.onRejected(error);
        else setOffline(true);
        return;
      }
      setOffline(true);
    });
    return socket;
  }

  /** Emit "join" and resolve with the server's answer ({ok: true} or {ok: false, error}). */
  function join(socket, what) {
    return new Promise(function (resolve) {
      socket.timeout(8000).emit("join", what, function (error, answer) {
        resolve(error ? { ok: false, error: { code: "timeout", message: "no answer" } } : answer);
      });
    });
  }

  /* ---- timers and sound ------------------------------------------------------------------------- */

  /** Calls onIdle after ms without a touch, click or key; reset() starts over, stop() ends it. */
  function idleTimer(ms, onIdle) {
    var handle = null;
    var timer = {
      ms: ms,
      reset: function (newMs) {
        if (newMs) timer.ms = newMs;
        window.clearTimeout(handle);
        handle = window.setTimeout(onIdle, timer.ms);
      },
      stop: function () {
        window.clearTimeout(handle);
        handle = null;
      },
    };
    return timer;
  }

  var sounds = {};

  /** Play a short sound; resolves false when the browser blocks it (no user gesture yet). */
  function playSound(url, volume) {
    var audio = sounds[url] || (sounds[url] = new Audio(url));
    audio.volume = Math.max(0, Math.min(1, volume === undefined ? 1 : volume));
    try {
      audio.currentTime = 0;
    } catch (e) {
      /* not loaded yet */
    }
    var played = audio.play();
    if (!played || !played.then) return Promise.resolve(true);
    return played.then(function () { return true; }, function () { return false; });
  }

  function speak(text, language, volume) {
    if (!("speechSynthesis" in window) || !window.SpeechSynthesisUtterance) return false;
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = SPEECH_LOCALES[language] || language;
    utterance.volume = volume === undefined ? 1 : volume;
    utterance.rate = 0.9;
    window.speechSynthesis.speak(utterance);
    return true;
  }

  /** A visitor page's language buttons ([data-lang-choice]): a press switches the page's texts in place,
      marks the pressed button, calls ``rerender(code)`` for what the page writes itself, and keeps the choice
      in the address, so that a reload stays in it (the booking page, the join page). */
  function languageSwitch(rerender) {
    function choose(code) {
      setLanguage(code);
      document.querySelectorAll("[data-lang-choice]").forEach(function (button) {
        button.setAttribute("aria-pressed", button.getAttribute("data-lang-choice") === code ? "true" : "false");
      });
      rerender(code);
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", window.location.pathname + "?lang=" + encodeURIComponent(code));
      }
    }
    document.querySelectorAll("[data-lang-choice]").forEach(function (button) {
      button.addEventListener("click", function () {
        var code = button.getAttribute("data-lang-choice");
        if (code !== getLanguage()) choose(code);
      });
    });
  }

  window.Vuoro = {
    t: t,
    languageSwitch: languageSwitch,
    pick: pick,
    applyTexts: applyTexts,
    setLanguage: setLanguage,
    getLanguage: getLanguage,
    formatWait: formatWait,
    sequence: sequence,
    tOf: tOf,
    has: has,
    formatTime: formatTime,
    formatDate: formatDate,
    startClock: startClock,
    el: el,
    clear: clear,
    show: show,
    store: store,
    api: api,
    ApiError: ApiError,
    csrfToken: csrfToken,
    connect: connect,
    join: join,
    idleTimer: idleTimer,
    playSound: playSound,
    speak: speak,
    data: data,
    assets: data.assets || "/assets/vuoro/",
  };
})();
