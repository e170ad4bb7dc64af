/* The kiosk's appointment check-in: type the code from the booking, get the appointment's ticket.
 *
 * A touch kiosk has no keyboard: the screen offers the code's own letters and digits (the alphabet without
 * look-alikes, domain/codes.py), and a keyboard or a scanner that types works too.  The server decides the
 * window: too early says when check-in opens; too late says so plainly and offers a walk-in ticket for the
 * same service; the ticket itself is shown, printed and followed like any other (kiosk.js).
 */
(function () {
  "use strict";

  var V = window.Vuoro;
  var K = window.VuoroKiosk;
  var $ = function (id) { return document.getElementById(id); };
  var ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY";
  var LENGTH = 6;
  var input = $("checkin-code");
  var walkInService = null;
  var busy = false;

  function clean(text) {
    return (text || "").toUpperCase().replace(/[\s-]/g, "");
  }

  function error(text) {
    $("checkin-error").textContent = text || "";
    V.show($("checkin-error"), !!text);
  }

  function render() {
    $("checkin-submit").disabled = busy || clean(input.value).length < LENGTH;
    V.show($("checkin-walk-in"), walkInService !== null);
  }

  function open() {
    input.value = "";
    walkInService = null;
    error("");
    render();
    K.showScreen("checkin");
    input.focus();
  }

  function type(ch) {
    if (ch === "\b") input.value = input.value.slice(0, -1);
    else if (clean(input.value).length < LENGTH) input.value = clean(input.value) + ch;
    walkInService = null;
    error("");
    render();
  }

  function keypad() {
    var host = $("checkin-keys");
    ALPHABET.split("").concat(["\b"]).forEach(function (ch) {
      var key = document.createElement("button");
      key.type = "button";
      key.className = "btn checkin-key" + (ch === "\b" ? " checkin-key-delete" : "");
      key.textContent = ch === "\b" ? "\u232B" : ch;
      key.setAttribute("data-key", ch === "\b" ? "delete" : ch);
      if (ch === "\b") {
        key.setAttribute("aria-label", V.t("kiosk.checkin_delete"));
        key.setAttribute("data-i18n-aria-label", "kiosk.checkin_delete");
      }
      key.addEventListener("click", function () { type(ch); });
      host.appendChild(key);
    });
  }

  function refused(err) {
    var body = err.details || {};
    walkInService = null;
    if (err.status === 401 || err.status === 403) {
      K.notEnrolled();
    } else if (err.code === "too_early") {
      error(V.t("kiosk.checkin_too_early", { time: V.formatTime(body.come_back_at) }));
    } else if (err.code === "too_late") {
      walkInService = body.walk_in ? body.service || null : null;
      error(V.t(body.walk_in ? "kiosk.checkin_too_late_walk_in" : "kiosk.checkin_too_late",
        { time: V.formatTime(body.start) }));
    } else if (err.code === "unknown_appointment" || err.code === "invalid_request") {
      error(V.t("kiosk.checkin_unknown"));
    } else if (err.code === "not_checkable") {
      error(V.t("kiosk.checkin_used"));
    } else {
      error(V.t("kiosk.error"));
    }
    render();
  }

  $("checkin-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy || clean(input.value).length < LENGTH) return;
    busy = true;
    render();
    var request = { appointment: clean(input.value), language: V.getLanguage(), kiosk: K.kiosk };
    V.api("POST", "/api/tickets", { token: K.token(), body: request }).then(function (result) {
      busy = false;
      render();
      K.issued(result.ticket);
    }, function (err) {
      busy = false;
      refused(err);
    });
  });

  input.addEventListener("input", function () {
    input.value = clean(input.value).slice(0, LENGTH);
    walkInService = null;
    error("");
    render();
  });
  $("have-appointment").addEventListener("click", open);
  $("checkin-back").addEventListener("click", function () { K.reset(); });
  $("checkin-walk-in").addEventListener("click", function () { K.walkIn(walkInService); });
  keypad();
  render();
})();
