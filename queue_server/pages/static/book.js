/* The public booking page (/book): a service, a day, a free slot; then the code, its QR code, the calendar file
   and cancelling.  Everything through the documented API: GET /api/services (which take bookings),
   GET /api/services/<key>/slots, POST /api/bookings, GET and DELETE /api/appointments/<code>. */
(function () {
  "use strict";

  var V = window.Vuoro;
  var $ = function (id) { return document.getElementById(id); };
  var DAY_LONG = { weekday: "long", day: "numeric", month: "long" };
  var LOOK_AHEAD_DAYS = 31; /* "next day with free times" looks this far, then says there is none */
  var today = V.data.today;
  var lastDay = V.data.lastDay;
  var centreNames = parse(V.data.centreNames);
  /* the services' public names (a sensitive one's reads like its partner's): what a booking shows */
  var publicNames = parse(V.data.publicNames);

  var state = { services: [], service: null, day: today, slots: null, slot: null, appointment: null,
                fresh: false, asked: 0 };

  function parse(text) {
    try {
      return JSON.parse(text || "{}");
    } catch (e) {
      return {};
    }
  }

  /* ---- days ------------------------------------------------------------------------------------- */

  function addDays(day, n) {
    var date = new Date(day + "T12:00:00Z");
    date.setUTCDate(date.getUTCDate() + n);
    return date.toISOString().slice(0, 10);
  }

  /** "perjantai 27. marraskuuta": a local date (YYYY-MM-DD) in the page's language. */
  function dayText(day) {
    return V.formatDate(day + "T12:00:00Z", DAY_LONG);
  }

  function inRange(day) {
    return /^\d{4}-\d{2}-\d{2}$/.test(day) && day >= today && day <= lastDay;
  }

  /* ---- texts of an error ------------------------------------------------------------------------ */

  function errorText(error) {
    var code = error && error.code;
    if (code === "slot_full") return V.t("book.slot_full");
    if (code === "slot_past") return V.t("book.slot_past");
    if (code === "unknown_appointment") return V.t("book.code_unknown");
    if (code === "not_cancellable") return V.t("book.not_cancellable");
    if (code === "rate_limited") return V.t("book.rate_limited");
    if (code === "network") return V.t("book.network");
    return V.t("book.failed");
  }

  function say(node, message) {
    node.textContent = message || "";
    V.show(node, !!message);
  }

  /* ---- step 1: the service ---------------------------------------------------------------------- */

  function serviceName(key) {
    var service = state.services.filter(function (s) { return s.key === key; })[0];
    return service ? V.pick(service.names) : V.pick(publicNames[key]) || key;
  }

  function renderServices() {
    var list = $("service-list");
    V.clear(list);
    state.services.forEach(function (service) {
      var input = V.el("input", { type: "radio", name: "service", value: service.key,
                                  checked: service.key === state.service });
      input.addEventListener("change", function () { chooseService(service.key); });
      list.appendChild(V.el("label", { class: "book-service" }, input,
                            V.el("span", { class: "book-service-name", text: V.pick(service.names) })));
    });
    list.setAttribute("aria-busy", "false");
    V.show($("no-services"), state.services.length === 0);
  }

  function loadServices() {
    V.api("GET", "/api/services").then(function (result) {
      state.services = result.services.filter(function (s) { return s.appointments; });
      renderServices();
      if (state.services.length === 1) chooseService(state.services[0].key);
    }, function (error) {
      $("service-list").setAttribute("aria-busy", "false");
      say($("book-error"), errorText(error));
    });
  }

  function chooseService(key) {
    state.service = key;
    $("step-day").disabled = false;
    $("step-slot").disabled = false;
    loadSlots();
  }

  /* ---- step 2: the day -------------------------------------------------------------------------- */

  function renderDay() {
    $("day-input").value = state.day;
    $("day-name").textContent = dayText(state.day);
    $("day-prev").disabled = state.day <= today;
    $("day-next").disabled = state.day >= lastDay;
  }

  function setDay(day) {
    if (!inRange(day)) {
      renderDay();
      return;
    }
    state.day = day;
    loadSlots();
  }

  $("day-input").addEventListener("change", function () { setDay($("day-input").value); });
  $("day-prev").addEventListener("click", function () { setDay(addDays(state.day, -1)); });
  $("day-next").addEventListener("click", function () { setDay(addDays(state.day, 1)); });

  /* ---- step 3: the slot ------------------------------------------------------------------------- */

  function slotsOf(day) {
    var path = "/api/services/" + encodeURIComponent(state.service) + "/slots?day=" + encodeURIComponent(day);
    return V.api("GET", path).then(function (result) { return result.slots; });
  }

  /** Ask for the day's slots; an answer to an older question (the visitor moved on) is dropped. */
  function loadSlots(keepError) {
    renderDay();
    if (!state.service) return Promise.resolve();
    var asked = ++state.asked;
    state.slots = null;
    chooseSlot(null);
    if (!keepError) say($("book-error"), "");
    V.clear($("slot-list"));
    V.show($("slots-empty"), false);
    V.show($("slots-loading"), true);
    return slotsOf(state.day).then(function (slots) {
      if (asked !== state.asked) return;
      state.slots = slots;
      renderSlots();
    }, function (error) {
      if (asked !== state.asked) return;
      V.show($("slots-loading"), false);
      say($("book-error"), errorText(error));
    });
  }

  function slotButton(slot) {
    var past = new Date(slot.start).getTime() <= Date.now();
    var free = slot.free > 0 && !past;
    var note = free ? V.t("book.slot_free", { n: slot.free }) : past ? V.t("book.slot_past_short")
      : V.t("book.slot_taken");
    var button = V.el("button", { type: "button", class: "book-slot" + (free ? "" : " is-taken"),
                                  "data-start": slot.start, disabled: !free,
                                  "aria-pressed": slot.start === state.slot ? "true" : "false" },
                      V.el("span", { class: "book-slot-time", text: V.formatTime(slot.start) }),
                      V.el("span", { class: "book-slot-note", text: note }));
    if (free) button.addEventListener("click", function () { chooseSlot(slot.start); });
    return button;
  }

  function renderSlots() {
    if (!state.slots) return; /* still on its way: loadSlots() draws it */
    var list = $("slot-list");
    V.clear(list);
    V.show($("slots-loading"), false);
    state.slots.forEach(function (slot) { list.appendChild(slotButton(slot)); });
    var anyFree = state.slots.some(function (s) { return s.free > 0 && new Date(s.start).getTime() > Date.now(); });
    $("slots-empty-text").textContent = anyFree ? "" : state.slots.length ? V.t("book.all_taken") : V.t("book.no_times");
    V.show($("slots-empty"), !anyFree);
    $("next-free").disabled = state.day >= lastDay;
  }

  function chooseSlot(start) {
    state.slot = start;
    document.querySelectorAll("#slot-list .book-slot").forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-start") === start ? "true" : "false");
    });
    renderChoice();
    if (start) $("book-choice").scrollIntoView({ block: "nearest" });
  }

  function renderChoice() {
    V.show($("book-choice"), !!state.slot);
    $("book-summary").textContent = state.slot ? V.t("book.summary", {
      service: serviceName(state.service), day: dayText(state.day), time: V.formatTime(state.slot) }) : "";
  }

  /** Walk forward from the shown day to the first one with a free slot (at most LOOK_AHEAD_DAYS). */
  function findNextFree() {
    var button = $("next-free");
    var service = state.service;
    button.disabled = true;
    var step = function (day, left) {
      if (left === 0 || day > lastDay) {
        button.disabled = false;
        $("slots-empty-text").textContent = V.t("book.none_soon", { n: LOOK_AHEAD_DAYS });
        return null;
      }
      return slotsOf(day).then(function (slots) {
        if (service !== state.service) return null;
        var free = slots.some(function (s) { return s.free > 0; });
        return free ? setDay(day) : step(addDays(day, 1), left - 1);
      });
    };
    step(addDays(state.day, 1), LOOK_AHEAD_DAYS).then(null, function (error) {
      button.disabled = false;
      say($("book-error"), errorText(error));
    });
  }

  $("next-free").addEventListener("click", findNextFree);

  /* ---- booking ---------------------------------------------------------------------------------- */

  $("book-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (!state.service || !state.slot) return;
    var button = $("book-button");
    button.disabled = true;
    V.api("POST", "/api/bookings", { body: { service: state.service, start: state.slot } }).then(function (result) {
      button.disabled = false;
      showAppointment(result.appointment, true);
    }, function (error) {
      button.disabled = false;
      say($("book-error"), errorText(error));
      /* the time was just taken (or has passed): the day's slots again, as they are now */
      if (error.code === "slot_full" || error.code === "slot_past") {
        loadSlots(true).then(function () { $("book-error").focus(); });
      }
    });
  });

  /* ---- the booking: code, QR code, calendar, cancel --------------------------------------------- */

  function statusText(status) {
    var texts = { booked: V.t("book.status_booked"), checked_in: V.t("book.status_checked_in"),
                  called: V.t("book.status_called"), done: V.t("book.status_done"),
                  no_show: V.t("book.status_no_show"), cancelled: V.t("book.status_cancelled") };
    return texts[status] || status;
  }

  function renderAppointment() {
    var a = state.appointment;
    if (!a) return;
    var day = V.formatDate(a.start, DAY_LONG);
    $("booked-title").textContent = state.fresh ? V.t("book.booked_title") : V.t("book.found_title");
    $("booked-when").textContent = V.t("book.summary", { service: V.pick(publicNames[a.service]) || a.service,
                                                         day: day, time: V.formatTime(a.start) });
    $("booked-code").textContent = a.code.split("").join(" ");
    $("booked-status").textContent = statusText(a.status);
    $("booked-status").setAttribute("data-status", a.status);
    $("cancel-question").textContent = V.t("book.cancel_confirm", { time: day + " " + V.formatTime(a.start) });
    $("booked-ics").setAttribute("href", "/api/appointments/" + encodeURIComponent(a.code) + "/calendar.ics?language="
      + encodeURIComponent(V.getLanguage()));
    /* a booking that is over (cancelled, done, missed) has no code to keep: only what became of it */
    var open = a.status === "booked";
    ["booked-qr", "booked-hint", "booked-keep", "booked-ics"].forEach(function (id) { V.show($(id), open); });
    /* asked for once per shown booking: the QR code is a code lookup, counted like one */
    var qr = "/book/" + encodeURIComponent(a.code) + "/qr.svg";
    if (open && $("booked-qr").getAttribute("src") !== qr) $("booked-qr").setAttribute("src", qr);
    V.show($("cancel-button"), open && $("cancel-confirm").hidden);
    if (!open) V.show($("cancel-confirm"), false);
  }

  function showAppointment(appointment, fresh) {
    state.appointment = appointment;
    state.fresh = fresh;
    say($("booked-error"), "");
    say($("cancel-done"), "");
    V.show($("cancel-confirm"), false);
    renderAppointment();
    ["book-intro", "book-form", "have-code"].forEach(function (id) { V.show($(id), false); });
    V.show($("booked"), true);
    $("booked").focus();
    window.scrollTo(0, 0);
  }

  function backToBooking() {
    state.appointment = null;
    V.show($("booked"), false);
    ["book-intro", "book-form", "have-code"].forEach(function (id) { V.show($(id), true); });
    $("code-input").value = "";
    loadSlots();
    $("book-title").focus();
  }

  $("book-again").addEventListener("click", backToBooking);

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
    V.api("DELETE", "/api/appointments/" + encodeURIComponent(state.appointment.code)).then(function (result) {
      button.disabled = false;
      state.appointment = result.appointment;
      V.show($("cancel-confirm"), false);
      renderAppointment();
      say($("cancel-done"), V.t("book.cancelled"));
      $("book-again").focus();
    }, function (error) {
      button.disabled = false;
      say($("booked-error"), errorText(error));
    });
  });

  /* ---- "I have a code" -------------------------------------------------------------------------- */

  $("code-form").addEventListener("submit", function (event) {
    event.preventDefault();
    /* typing is forgiven as the server forgives it: any case, spaces and dashes */
    var code = $("code-input").value.toUpperCase().replace(/[\s-]/g, "");
    if (!code) {
      say($("code-error"), V.t("book.code_empty"));
      $("code-input").focus();
      return;
    }
    V.api("GET", "/api/appointments/" + encodeURIComponent(code)).then(function (result) {
      say($("code-error"), "");
      showAppointment(result.appointment, false);
    }, function (error) {
      say($("code-error"), errorText(error));
      $("code-input").focus();
    });
  });

  /* ---- language --------------------------------------------------------------------------------- */

  /* Every text on the page follows the switch (the names too: the listing has them in every language); the
     address keeps the choice, so that a reload stays in it. */
  V.languageSwitch(function (code) {
    var name = V.pick(centreNames, code);
    if (name) $("centre-name").textContent = name;
    document.title = V.t("book.title") + " · " + (name || "");
    renderServices();
    renderDay();
    renderSlots();
    renderChoice();
    renderAppointment();
  });

  $("book-title").setAttribute("tabindex", "-1");
  $("book-error").setAttribute("tabindex", "-1");
  renderDay();
  loadServices();
})();
