/* The QR poster (/admin/kiosks/<key>/poster): its "Print" button; the page itself needs no script. */
(function () {
  "use strict";

  var button = document.getElementById("poster-print");
  if (button) button.addEventListener("click", function () { window.print(); });
})();
