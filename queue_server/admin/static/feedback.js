/* The phone page's optional feedback (issue 6): once the ticket is done (phone.js sets body[data-status]),
   ask for a 1-5 rating and an optional category and POST it to /api/tickets/<token>/feedback, once. */
(function () {
  "use strict";
  var match = window.location.pathname.match(/^\/t\/([A-Za-z0-9_-]+)/);
  var box = document.getElementById("feedback");
  if (!match || !box) return;
  var token = match[1];
  var key = "vuoro-feedback-" + token.slice(0, 12);
  var form = document.getElementById("feedback-form");

  function done() {
    form.hidden = true;
    document.getElementById("feedback-thanks").hidden = false;
  }

  function update() {
    var finished = document.body.getAttribute("data-status") === "done";
    box.hidden = !finished;
    if (finished && window.sessionStorage && window.sessionStorage.getItem(key)) done();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var rating = form.querySelector("input[name=rating]:checked");
    if (!rating) return;
    var category = form.querySelector("input[name=category]:checked");
    fetch("/api/tickets/" + encodeURIComponent(token) + "/feedback", {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ rating: Number(rating.value), category: category ? category.value : null })
    }).then(function (resp) {
      if (resp.status === 201 || resp.status === 409) {
        try { window.sessionStorage.setItem(key, "1"); } catch (e) { /* private mode */ }
        done();
      }
    });
  });

  new MutationObserver(update).observe(document.body, { attributes: true, attributeFilter: ["data-status"] });
  update();
})();
