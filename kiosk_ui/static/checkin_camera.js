/* The kiosk's camera reads a booking's QR code: held to it, the code fills in and is checked in.
 *
 * Only where the browser reads QR codes itself (the Shape Detection API's BarcodeDetector) and the kiosk has a
 * camera: nothing is downloaded, and a kiosk without either shows no camera and loses nothing, since typing the
 * code always works.  The camera runs only while the check-in screen is shown (the body's data-screen, set by
 * kiosk.js) and its frames never leave the browser: only a code of the booking alphabet is read from them.
 */
(function () {
  "use strict";

  var V = window.Vuoro;
  var $ = function (id) { return document.getElementById(id); };
  var CODE = /^[34679ACDEFGHJKMNPQRTUVWXY]{6}$/;
  var SCAN_MS = 250;
  var video = $("checkin-camera");
  var stream = null;
  var timer = null;
  var detector = null;
  var starting = false;

  function supported() {
    if (!window.BarcodeDetector || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.resolve(false);
    }
    return Promise.all([
      window.BarcodeDetector.getSupportedFormats(),
      navigator.mediaDevices.enumerateDevices(),
    ]).then(function (found) {
      var qr = found[0].indexOf("qr_code") >= 0;
      var camera = found[1].some(function (d) { return d.kind === "videoinput"; });
      return qr && camera;
    }, function () { return false; });
  }

  function stop() {
    window.clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    V.show($("checkin-camera-box"), false);
  }

  function read(text) {
    var code = (text || "").toUpperCase().replace(/[\s-]/g, "");
    if (!CODE.test(code)) return false;
    var input = $("checkin-code");
    input.value = code;
    input.dispatchEvent(new Event("input"));
    $("checkin-form").requestSubmit();
    return true;
  }

  function scan() {
    timer = null;
    if (!stream) return;
    var next = function () { if (stream) timer = window.setTimeout(scan, SCAN_MS); };
    if (video.readyState < 2) { next(); return; }
    detector.detect(video).then(function (codes) {
      if (!codes.some(function (c) { return read(c.rawValue); })) next();
      else stop();
    }, next);
  }

  function start() {
    if (stream || starting) return;
    starting = true;
    supported().then(function (ok) {
      if (!ok || document.body.getAttribute("data-screen") !== "checkin") return null;
      detector = detector || new window.BarcodeDetector({ formats: ["qr_code"] });
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false });
    }).then(function (media) {
      starting = false;
      if (!media) return;
      if (document.body.getAttribute("data-screen") !== "checkin") {  // left meanwhile
        media.getTracks().forEach(function (track) { track.stop(); });
        return;
      }
      stream = media;
      video.srcObject = media;
      V.show($("checkin-camera-box"), true);
      video.play().catch(function () {});
      scan();
    }, function () { starting = false; stop(); });  // refused or busy: typing still works
  }

  function follow() {
    if (document.body.getAttribute("data-screen") === "checkin") start();
    else stop();
  }

  new MutationObserver(follow).observe(document.body, { attributes: true, attributeFilter: ["data-screen"] });
  follow();
})();
