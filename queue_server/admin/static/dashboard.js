/* The admin dashboard: live desks/services/printers over Socket.IO (namespace /admin), statistics and charts
   from /api/stats.  No inline scripts or styles (strict CSP); all text goes in through textContent. */
(function () {
  "use strict";

  var body = document.body;
  var clockOffsetMs = 0;   // server time - browser time, from each payload's "at"
  var desks = [];
  var charts = {};

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function minutes(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    return Math.floor(seconds / 60) + " min";
  }

  function mmss(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0");
  }

  function fill(tbody, rows) {
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    rows.forEach(function (row) { tbody.appendChild(row); });
  }

  function renderServices(services) {
    fill(document.querySelector("#services tbody"), services.map(function (s) {
      var tr = el("tr", null, "level-" + s.level);
      var name = el("td", s.name);
      if (s.sensitive) { name.appendChild(document.createTextNode(" ")); name.appendChild(el("span", "sensitive", "tag")); }
      tr.appendChild(name);
      tr.appendChild(el("td", s.open ? "yes" : "no"));
      tr.appendChild(el("td", s.waiting, "num"));
      tr.appendChild(el("td", minutes(s.longest_wait_s), "num"));
      tr.appendChild(el("td", minutes(s.estimated_wait_s), "num"));
      tr.appendChild(el("td", minutes(s.target_wait_s), "num"));
      tr.appendChild(el("td", s.open_desks, "num"));
      return tr;
    }));
  }

  function renderDesks() {
    var now = Date.now() + clockOffsetMs;
    fill(document.querySelector("#desks tbody"), desks.map(function (d) {
      var tr = el("tr", null, "desk-" + d.status);
      tr.appendChild(el("td", d.label));
      tr.appendChild(el("td", d.status));
      tr.appendChild(el("td", d.number ? d.number + " (" + d.ticket_status + ")" : "–"));
      tr.appendChild(el("td", d.service || "–"));
      tr.appendChild(el("td", d.since ? mmss((now - Date.parse(d.since)) / 1000) : "–", "num"));
      return tr;
    }));
  }

  function renderPrinters(printers) {
    var rows = (printers || []).map(function (p) {
      var tr = el("tr", null, "printer-" + (p.state || "unknown"));
      [p.key, p.type, (p.kiosks || []).join(", "), p.state || "unknown", p.detail || ""].forEach(function (v) {
        tr.appendChild(el("td", v));
      });
      return tr;
    });
    if (!rows.length) { var tr = el("tr"); var td = el("td", "No printers configured."); td.colSpan = 5; tr.appendChild(td); rows.push(tr); }
    fill(document.querySelector("#printers tbody"), rows);
  }

  function render(payload) {
    if (!payload || !payload.services) return;
    if (payload.at) clockOffsetMs = Date.parse(payload.at) - Date.now();
    document.getElementById("visits-today").textContent = payload.visits.today;
    document.getElementById("visits-total").textContent = payload.visits.total;
    renderServices(payload.services);
    desks = payload.desks || [];
    renderDesks();
    renderPrinters(payload.printers);
  }

  function live(on) {
    var badge = document.getElementById("live");
    badge.textContent = on ? "live" : "not live";
    badge.className = "live " + (on ? "live-on" : "live-off");
  }

  function connect() {
    if (typeof window.io !== "function") return;
    var socket = window.io(body.getAttribute("data-namespace") || "/admin");
    function join() { socket.emit("join", { admin: true }, function (ack) { live(Boolean(ack && ack.ok)); }); }
    socket.on("connect", join);
    socket.on("disconnect", function () { live(false); });
    socket.on("snapshot", render);
    socket.on("dashboard", render);
    window.setInterval(function () { if (socket.connected) join(); }, 30000);  // printers' health, fresh figures
  }

  // -- statistics ------------------------------------------------------------------------------------------
  function query(form) {
    var params = new URLSearchParams();
    ["from", "to", "service"].forEach(function (name) {
      var v = form.elements[name].value;
      if (v) params.set(name, v);
    });
    return params;
  }

  function share(v) { return v === null || v === undefined ? "–" : Math.round(v * 100) + " %"; }
  function trio(d) { return [d.mean_s, d.median_s, d.p90_s].map(function (v) { return v === null ? "–" : (v / 60).toFixed(1); }).join(" / "); }

  function chart(id, config) {
    if (typeof window.Chart !== "function") return;
    if (charts[id]) charts[id].destroy();
    charts[id] = new window.Chart(document.getElementById(id), config);
  }

  function renderStats(data) {
    var ratings = {};
    (data.feedback_by_service || []).forEach(function (f) { ratings[f.service] = f.mean_rating; });
    var rows = data.services.map(function (s) {
      var tr = el("tr");
      tr.appendChild(el("td", s.name));
      [s.errands, s.served, s.no_shows, s.cancelled, trio(s.wait), trio(s.service_time), share(s.served_within_target),
        ratings[s.service] ? ratings[s.service].toFixed(1) : "–"].forEach(function (v) { tr.appendChild(el("td", v, "num")); });
      return tr;
    });
    var all = el("tr", null, "total");
    all.appendChild(el("td", "All"));
    var t = data.summary;
    [t.errands, t.served, t.no_shows, t.cancelled, trio(t.wait), trio(t.service_time), share(t.served_within_target),
      data.feedback.mean_rating ? data.feedback.mean_rating.toFixed(1) : "–"].forEach(function (v) { all.appendChild(el("td", v, "num")); });
    rows.push(all);
    fill(document.querySelector("#stats-summary tbody"), rows);

    var hours = [];
    for (var h = 0; h < 24; h++) hours.push(String(h).padStart(2, "0"));
    chart("chart-arrivals", { type: "bar", data: { labels: hours, datasets: [{ label: "Arrivals", data: t.arrivals_per_hour, backgroundColor: "#3b6ea5" }] },
      options: { animation: false, plugins: { legend: { display: false } } } });
    var withWaits = data.services.filter(function (s) { return s.wait.n > 0; });
    chart("chart-waits", { type: "bar", data: { labels: withWaits.map(function (s) { return s.name; }), datasets: [
      { label: "median", data: withWaits.map(function (s) { return s.wait.median_s / 60; }), backgroundColor: "#3b6ea5" },
      { label: "90 %", data: withWaits.map(function (s) { return s.wait.p90_s / 60; }), backgroundColor: "#e0a030" },
      { label: "target", data: withWaits.map(function (s) { return s.target_wait_s / 60; }), backgroundColor: "#c0392b" }] },
      options: { animation: false, indexAxis: "y" } });
    chart("chart-days", { type: "line", data: { labels: data.days.map(function (d) { return d.day; }), datasets: [
      { label: "visits", data: data.days.map(function (d) { return d.visits; }), borderColor: "#3b6ea5" },
      { label: "served", data: data.days.map(function (d) { return d.served; }), borderColor: "#2e8b57" }] },
      options: { animation: false } });
  }

  function loadStats(event) {
    if (event) event.preventDefault();
    var form = document.getElementById("stats-form");
    var params = query(form);
    document.getElementById("dl-csv").href = "/api/stats.csv?" + params.toString();
    var pdf = new URLSearchParams(params); pdf.delete("service");
    document.getElementById("dl-pdf").href = "/api/report.pdf?" + pdf.toString();
    var error = document.getElementById("stats-error");
    fetch("/api/stats?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (resp) { return resp.json().then(function (data) { return { ok: resp.ok, data: data }; }); })
      .then(function (res) {
        if (!res.ok) { error.textContent = res.data.error ? res.data.error.message : "error"; error.hidden = false; return; }
        error.hidden = true;
        renderStats(res.data);
      })
      .catch(function () { error.textContent = "statistics could not be loaded"; error.hidden = false; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.getElementById("stats-form").addEventListener("submit", loadStats);
    window.setInterval(renderDesks, 1000);
    connect();
    loadStats();
  });
})();
