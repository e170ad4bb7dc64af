/* "I am here" on the phone page: a ticket taken from the QR poster for a service that asks remote visitors to
 * confirm (``remote_confirm``) keeps its place, but the desks pass over it until the visitor taps this, in the
 * centre (POST /api/tickets/<token>/here; services/arrival.py).  phone.js announces each render of the ticket
 * ("vuoro:ticket"); the server's next ticket event then shows the ticket as here.
 */
(function () {
  "use strict";

  var V = window.Vuoro;
  var $ = function (id) { return document.getElementById(id); };
  var path = "/api/tickets/" + encodeURIComponent(V.data.token) + "/here";
  var state = { ticket: null, busy: false, done: false };

  function render() {
    var ticket = state.ticket;
    var away = !!ticket && ticket.status === "waiting" && ticket.arrived === false && !state.done;
    V.show($("here"), away);
    $("here-button").disabled = state.busy;
  }

  document.addEventListener("vuoro:ticket", function (event) {
    state.ticket = event.detail;
    if (state.ticket && state.ticket.arrived !== false) state.done = false;
    render();
  });

  $("here-button").addEventListener("click", function () {
    state.busy = true;
    V.show($("here-error"), false);
    render();
    V.api("POST", path).then(function (answer) {
      state.busy = false;
      state.done = true;
      state.ticket = answer.ticket;
      render();
    }, function () {
      state.busy = false;
      $("here-error").textContent = V.t("phone.here_failed");
      V.show($("here-error"), true);
      render();
    });
  });
})();
