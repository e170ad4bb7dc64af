/* The admin dashboard: live desks/services/printers over Socket.IO (namespace /admin), statistics and charts
   from /api/stats.  No inline scripts or styles (strict CSP); all text goes in through textContent (V.el).
   Texts come from the page's catalogue (V.t); waits and times as the server wrote them, per language. */
(function () {
  "use strict";

  var V = window.Vuoro;
  var body = document.body;
  var serviceNames = {};
  var sensitive = {};
  var charts = {};

  /** A table cell: numbers and texts alike go in as text. */
  function cell(value, cls) {
    return V.el("td", { class: cls }, value === null || value === undefined ? "–" : String(value));
  }

  function fill(tbody, rows) {
    V.clear(tbody);
    rows.forEach(function (row) { tbody.appendChild(row); });
  }

  function renderServices(services) {
    fill(document.querySelector("#services tbody"), services.map(function (s) {
      var name = V.pick(s.names) || s.name;
      serviceNames[s.key] = name;
      sensitive[s.key] = s.sensitive;
      var first = V.el("td", null, name);
      if (s.sensitive) first.appendChild(V.el("span", { class: "tag" }, V.t("dashboard.sensitive")));
      return V.el("tr", { class: "level-" + s.level, dataset: { key: s.key } }, first,
        cell(V.t(s.open ? "manage.yes" : "manage.no")),
        cell(s.waiting, "num"),
        cell(s.waiting ? V.formatWait(s.longest_text) : null, "num"),
        cell(V.formatWait(s.wait_text) || null, "num"),
        cell(V.formatWait(s.target_text) || null, "num"),
        cell(s.open_desks, "num"));
    }));
  }

  /** Today's appointments of the services that take them (the server counted them); none: no section. */
  function renderAppointments(appointments) {
    var keys = Object.keys(appointments || {});
    document.getElementById("appointments-section").hidden = !keys.length;
    fill(document.querySelector("#appointments tbody"), keys.map(function (key) {
      var a = appointments[key];
      var first = V.el("td", null, serviceNames[key] || key);
      if (sensitive[key]) first.appendChild(V.el("span", { class: "tag" }, V.t("dashboard.sensitive")));
      return V.el("tr", { class: a.late ? "has-late" : null, dataset: { key: key } }, first,
        cell(a.booked, "num"), cell(a.checked_in, "num"), cell(a.late, "num"), cell(a.no_show, "num"));
    }));
  }

  function renderDesks(desks) {
    fill(document.querySelector("#desks tbody"), desks.map(function (d) {
      var ticket = d.number ? d.number + " (" + V.tOf("status.", d.ticket_status) + ")" : null;
      return V.el("tr", { class: "desk-" + d.status, dataset: { key: d.key } },
        cell(V.pick(d.labels) || d.label),
        cell(V.tOf("desk.status.", d.status)),
        cell(ticket),
        cell(d.service ? serviceNames[d.service] || d.service : null),
        cell(d.since_text ? V.pick(d.since_text) : null, "num"));
    }));
  }

  function renderPrinters(printers) {
    var rows = (printers || []).map(function (p) {
      var state = p.state || "unknown";
      return V.el("tr", { class: "printer-" + state }, cell(p.key), cell(p.type), cell((p.kiosks || []).join(", ")),
        cell(V.tOf("layout.state.", state)), cell(p.detail || ""));
    });
    if (!rows.length) rows.push(V.el("tr", null, V.el("td", { colspan: 5 }, V.t("dashboard.no_printers"))));
    fill(document.querySelector("#printers tbody"), rows);
  }

  function render(payload) {
    if (!payload || !payload.services) return;
    document.getElementById("visits-today").textContent = String(payload.visits.today);
    document.getElementById("visits-total").textContent = String(payload.visits.total);
    renderServices(payload.services);
    renderAppointments(payload.appointments);
    renderDesks(payload.desks || []);
    renderPrinters(payload.printers);
  }

  function live(on) {
    var badge = document.getElementById("live");
    badge.textContent = V.t(on ? "dashboard.live" : "dashboard.not_live");
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
  // /api/stats sends seconds and shares: shown as numbers in the page's language, the unit in the heading
  // (as the PDF report does), so no duration is written here.
  var lang = V.getLanguage();
  var decimal = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  var dayFormat = new Intl.DateTimeFormat(lang, { day: "numeric", month: "numeric", year: "numeric", timeZone: "UTC" });

  function query(form) {
    var params = new URLSearchParams();
    ["from", "to", "service"].forEach(function (name) {
      var v = form.elements[name].value;
      if (v) params.set(name, v);
    });
    return params;
  }

  function share(v) { return v === null || v === undefined ? "–" : percent.format(v); }
  function trio(d) {
    return [d.mean_s, d.median_s, d.p90_s].map(function (v) { return v === null ? "–" : decimal.format(v / 60); })
      .join(" / ");
  }
  function rating(v) { return v ? decimal.format(v) : "–"; }
  function day(iso) { return dayFormat.format(new Date(iso + "T12:00:00Z")); }

  /** The palette's colours (vuoro.css tokens), so the charts match the page. */
  function colour(token) {
    return window.getComputedStyle(document.documentElement).getPropertyValue(token).trim() || "#0a4f8f";
  }

  function chart(id, config) {
    if (typeof window.Chart !== "function") return;
    if (charts[id]) charts[id].destroy();
    charts[id] = new window.Chart(document.getElementById(id), config);
  }

  function statsRow(name, s, mean, cls) {
    var tr = V.el("tr", { class: cls }, cell(name));
    [s.errands, s.served, s.no_shows, s.cancelled, trio(s.wait), trio(s.service_time), share(s.served_within_target),
      rating(mean)].forEach(function (v) { tr.appendChild(cell(v, "num")); });
    return tr;
  }

  var KIND_NAMES = { walk_in: "report.walk_ins", appointment: "report.appointments" };

  /** Walk-ins and appointments apart, with how near its booked time an appointment was called; shown only
      when the period had appointments. */
  function renderKinds(data) {
    var kinds = data.kinds || [];
    var any = kinds.some(function (k) { return k.kind === "appointment"; });
    V.show(document.getElementById("stats-kinds-box"), any);
    fill(document.querySelector("#stats-kinds tbody"), kinds.map(function (k) {
      var tr = V.el("tr", { "data-kind": k.kind }, cell(V.t(KIND_NAMES[k.kind])));
      [k.errands, k.served, k.no_shows, trio(k.wait), k.kind === "appointment" ? trio(k.punctuality) : "–"]
        .forEach(function (v) { tr.appendChild(cell(v, "num")); });
      return tr;
    }));
  }

  function renderCharts(data) {
    var t = data.summary;
    var hours = [];
    for (var h = 0; h < 24; h++) hours.push(String(h).padStart(2, "0"));
    var blue = colour("--c-primary"), amber = colour("--c-on-warn-soft"), red = colour("--c-danger"),
      green = colour("--c-ok");
    chart("chart-arrivals", { type: "bar", data: { labels: hours, datasets: [
      { label: V.t("report.arrivals"), data: t.arrivals_per_hour, backgroundColor: blue }] },
      options: { animation: false, plugins: { legend: { display: false } } } });
    var withWaits = data.services.filter(function (s) { return s.wait.n > 0; });
    chart("chart-waits", { type: "bar", data: { labels: withWaits.map(function (s) { return serviceNames[s.service] || s.name; }), datasets: [
      { label: V.t("report.median"), data: withWaits.map(function (s) { return s.wait.median_s / 60; }), backgroundColor: blue },
      { label: V.t("report.p90"), data: withWaits.map(function (s) { return s.wait.p90_s / 60; }), backgroundColor: amber },
      { label: V.t("dashboard.target"), data: withWaits.map(function (s) { return s.target_wait_s / 60; }), backgroundColor: red }] },
      options: { animation: false, indexAxis: "y" } });
    chart("chart-days", { type: "line", data: { labels: data.days.map(function (d) { return day(d.day); }), datasets: [
      { label: V.t("report.visits"), data: data.days.map(function (d) { return d.visits; }), borderColor: blue },
      { label: V.t("report.served"), data: data.days.map(function (d) { return d.served; }), borderColor: green }] },
      options: { animation: false } });
  }

  function renderStats(data) {
    var ratings = {};
    (data.feedback_by_service || []).forEach(function (f) { ratings[f.service] = f.mean_rating; });
    var rows = data.services.map(function (s) {
      return statsRow(serviceNames[s.service] || s.name, s, ratings[s.service]);
    });
    rows.push(statsRow(V.t("dashboard.all"), data.summary, data.feedback.mean_rating, "total"));
    fill(document.querySelector("#stats-summary tbody"), rows);
    renderKinds(data);
    renderCharts(data);
  }

  function loadStats(event) {
    if (event) event.preventDefault();
    var form = document.getElementById("stats-form");
    var params = query(form);
    document.getElementById("dl-csv").href = "/api/stats.csv?" + params.toString();
    var link = document.getElementById("dl-pdf");
    var pdf = new URLSearchParams(params);
    pdf.delete("service");
    if (link.getAttribute("data-language")) pdf.set("language", link.getAttribute("data-language"));
    link.href = "/api/report.pdf?" + pdf.toString();
    var error = document.getElementById("stats-error");
    function failed() { error.textContent = V.t("dashboard.stats_error"); error.hidden = false; }
    fetch("/api/stats?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (resp) {
        if (!resp.ok) { failed(); return; }
        return resp.json().then(function (data) { error.hidden = true; renderStats(data); });
      })
      .catch(failed);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#services tbody tr").forEach(function (tr) {
      serviceNames[tr.getAttribute("data-key")] = tr.firstElementChild.firstChild.textContent.trim();
    });
    document.getElementById("stats-form").addEventListener("submit", loadStats);
    connect();
    loadStats();
  });
})();
