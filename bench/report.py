"""The scale benchmark's Markdown: issue 10's targets first (each as measured in this run), then the details."""

from __future__ import annotations

from typing import Any


def _f(value: Any, digits: int = 1, suffix: str = "") -> str:
    if value is None or value != value:  # None or NaN
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}{suffix}"
    return f"{value}{suffix}"


def _ratio(a: Any, b: Any) -> float | None:
    return a / b if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None


def _met(value: float | None, limit: float, higher_is_better: bool = False) -> str:
    if value is None:
        return "not measured"
    return "**yes**" if (value >= limit if higher_is_better else value <= limit) else "**no**"


def _mb(kb: int | float) -> float:
    return kb / 1024


def targets(r: dict[str, Any]) -> list[str]:
    """The table of issue 10's targets: one part of the run decides each row (a part not run has none)."""
    cost = r.get("cost") or {}
    levels = {lv["level"]: lv["cells"] for lv in cost.get("levels", [])}
    fan = r.get("fanout") or {}
    fan_levels = [lv for lv in fan.get("levels", []) if "error" not in lv]
    return [
        "| target (issue 10) | measured in this run | met |",
        "| --- | --- | --- |",
        *_cpu_targets(levels),
        *_share_of_healthz_target(r.get("throughput") or {}),
        *_pair_target(levels),
        *_two_processes_target(r.get("scale") or {}),
        *_fanout_targets(fan_levels),
        *_idle_target(r),
        *_per_client_target(fan_levels),
        *_simulate_target(r.get("simulate") or {}),
    ]


def _cpu_targets(levels: dict[int, dict[str, Any]]) -> list[str]:
    """CPU per operation at the longest queue against an empty one: the cost must not grow with the queue."""
    rows = []
    top = max(levels) if levels else None
    for op, label in (("issue", "issue"), ("call_finish", "call-next + finish"), ("snapshot", "board snapshot")):
        ratio = levels[top][op].get("ratio") if top else None
        text = (
            f"{_f(ratio, 2)}× ({_f(levels[0][op]['cpu_ms'], 2)} → {_f(levels[top][op]['cpu_ms'], 2)} ms)"
            if top is not None and 0 in levels
            else "-"
        )
        rows.append(f"| CPU per {label} at {top or 5000} waiting ≤ 1.5× at 0 | {text} | {_met(ratio, 1.5)} |")
    return rows


def _share_of_healthz_target(one: dict[str, Any]) -> list[str]:
    """Issuing a ticket against the cheapest request the server answers: how much Vuoro adds to the stack."""
    if not one.get("issue"):
        return []
    frac = _ratio(one["issue"]["per_s"], one["healthz"]["per_s"])
    return [
        f"| issue ≥ 35% of `/healthz`, 1 process, SQLite, {one['clients']} clients | "
        f"{_f(frac and frac * 100, 0, '%')} ({_f(one['issue']['per_s'], 0)}/s vs "
        f"{_f(one['healthz']['per_s'], 0)}/s) | {_met(frac, 0.35, True)} |"
    ]


def _pair_target(levels: dict[int, dict[str, Any]]) -> list[str]:
    """A clerk's call-next + finish against a visitor's issue, on an empty queue."""
    if not levels.get(0):
        return []
    pair = _ratio(levels[0]["call_finish"]["cpu_ms"], levels[0]["issue"]["cpu_ms"])
    return [f"| call-next + finish CPU ≤ 2× one issue's (0 waiting) | {_f(pair, 2)}× | {_met(pair, 2)} |"]


def _two_processes_target(two: dict[str, Any]) -> list[str]:
    """Whether a second process adds issues: the scale-out is worth its PostgreSQL and Redis."""
    if not two.get("runs"):
        return []
    return [
        f"| 2 processes (PostgreSQL + Redis) ≥ 1.3× the issues of 1, {two['clients']} clients | "
        f"{_f(two.get('ratio'), 2)}× | {_met(two.get('ratio'), 1.3, True)} |"
    ]


def _fanout_targets(fan_levels: list[dict[str, Any]]) -> list[str]:
    """The boards' and the phones' rows, for each worker measured at the most clients."""
    top_clients = max((lv["clients"] for lv in fan_levels), default=None)
    rows = []
    for lv in (lv for lv in fan_levels if lv["clients"] == top_clients):
        rows += [_board_target(lv, top_clients), _phone_target(lv)]
    return rows


def _board_target(lv: dict[str, Any], top_clients: int | None) -> str:
    """A call reaching every observing board fast, none lost, with every client connected."""
    ok = (
        lv.get("p99_ms") is not None
        and lv["p99_ms"] <= 100
        and lv.get("lost") == 0
        and lv.get("connected") == lv["clients"]
        and lv.get("calls")
    )
    expected = lv.get("deliveries", 0) + lv.get("lost", 0)
    return (
        f"| call → board p99 ≤ 100 ms, 0 lost, {top_clients} clients, 2 processes ({lv['worker']}) | "
        f"p99 {_f(lv.get('p99_ms'))} ms, {lv.get('lost')} lost of {expected}, "
        f"{lv['connected']} of {lv['clients']} connected | {'**yes**' if ok else '**no**'} |"
    )


def _phone_target(lv: dict[str, Any]) -> str:
    """A phone told of its own ticket's changes, a message or two each, of nobody else's, and told when called;
    met only when every phone connected (fewer phones would make it easy)."""
    ps = lv.get("phone_stats") or {}
    ok = (
        ps.get("phones_over_2_per_change") == 0
        and ps.get("foreign_messages") == 0
        and ps.get("phones_called") == ps.get("phones_called_told")
    )
    met = (
        ("**yes**" if ok else "**no**")
        if ps.get("phones") == lv["phones"]
        else f"**no**: only {ps.get('phones', 0)} of {lv['phones']} phones connected"
    )
    return (
        f"| a phone: ≤ 2 messages per change of its ticket, none for others ({lv['worker']}) | "
        f"{ps.get('phones_over_2_per_change')} phones over, max {_f(ps.get('max_messages_per_change'), 2)} "
        f"per change; {ps.get('foreign_messages')} for other tickets; "
        f"{ps.get('phones_called_told')} of {ps.get('phones_called')} called phones told | {met} |"
    )


def _idle_target(r: dict[str, Any]) -> list[str]:
    """The worst idle process of the run (master and worker together)."""
    idle = _idle_rows(r)
    if not idle:
        return []
    worst = max(total for _, total, _ in idle)
    return [
        f"| idle RSS ≤ 120 MB per process (master + worker) | at most {_f(_mb(worst))} MB | {_met(_mb(worst), 120)} |"
    ]


def _per_client_target(fan_levels: list[dict[str, Any]]) -> list[str]:
    """Memory per connected client, from the levels with enough clients for it to outweigh the rest."""
    per_client = [lv["kb_per_client"] for lv in fan_levels if lv["clients"] >= 1000 and lv.get("kb_per_client")]
    if not per_client:
        return []
    worst_kb = max(per_client)
    return [f"| ≤ 60 kB per connected client (1,000 and more) | at most {_f(worst_kb)} kB | {_met(worst_kb, 60)} |"]


def _simulate_target(sim: dict[str, Any]) -> list[str]:
    """A whole simulated day at full speed: done in its time, without an error."""
    if not sim:
        return []
    ok = not sim.get("cut") and sim.get("errors") == 0
    took = f"not done in {_f(sim['timeout_s'], 0)} s" if sim.get("cut") else f"{_f(sim.get('wall_s'), 0)} s"
    return [
        f"| `{sim['command']}` against 1 process: 0 errors | {took}, {_f(sim.get('errors'))} errors | "
        f"{'**yes**' if ok else '**no**'} |"
    ]


def _idle_rows(r: dict[str, Any]) -> list[tuple[str, int, dict[str, int]]]:
    out = []
    one = r.get("throughput") or {}
    if one.get("idle_memory_kb"):
        m = one["idle_memory_kb"]
        out.append(("SQLite, 1 process, empty day", m["worker_rss"] + m["master_rss"], m))
    fan = r.get("fanout") or {}
    seen: set[str] = set()
    for lv in fan.get("levels", []):
        if "idle_memory_kb" in lv and lv["worker"] not in seen:
            seen.add(lv["worker"])
            for i, m in enumerate(lv["idle_memory_kb"]):
                out.append(
                    (
                        f"PostgreSQL + Redis, process {i + 1} ({lv['worker']}), {lv['waiting']} waiting",
                        m["worker_rss"] + m["master_rss"],
                        m,
                    )
                )
    return out


def details(r: dict[str, Any]) -> list[str]:
    """The tables behind the targets, one per part of the run, in the order the parts run."""
    return [
        *_cost_details(r.get("cost") or {}),
        *_floor_details(r.get("throughput") or {}),
        *_scale_details(r.get("scale") or {}),
        *_fanout(r.get("fanout") or {}),
        *_idle_details(r),
        *_simulate_details(r.get("simulate") or {}),
    ]


def _cost_details(cost: dict[str, Any]) -> list[str]:
    """CPU per operation at each queue length, and the ratio to the empty queue."""
    if not cost.get("levels"):
        return []
    lvls = cost["levels"]
    out = [
        "",
        "**CPU per operation by queue length** (one process, SQLite, one client; worker utime + stime "
        "from /proc per operation; waiting at the start of each level in brackets)",
        "",
        "| operation | "
        + " | ".join(f"{lv['level']} waiting ({lv['waiting_at_start']}) ms" for lv in lvls)
        + " | "
        + " | ".join(f"× at {lv['level']}" for lv in lvls[1:])
        + " | operations |",
        "| --- |" + " ---: |" * (2 * len(lvls) - 1) + " --- |",
    ]
    for op in ("issue", "call_finish", "snapshot", "services"):
        cells = [lv["cells"].get(op, {}) for lv in lvls]
        out.append(
            f"| {op.replace('_', ' + ')} | "
            + " | ".join(_f(c.get("cpu_ms"), 2) for c in cells)
            + " | "
            + " | ".join(_f(c.get("ratio"), 2) for c in cells[1:])
            + " | "
            + " / ".join(str(c.get("ops", "-")) for c in cells)
            + " |"
        )
    errors = {lv["level"]: lv["errors"] for lv in lvls if lv.get("errors")}
    if errors:
        out += ["", f"Errors: {errors}"]
    return out


def _floor_details(one: dict[str, Any]) -> list[str]:
    """One process against the stack's floor: how much of what gunicorn and SQLite allow Vuoro uses."""
    if not one.get("floor"):
        return []
    floor = one["floor"]["per_s"]
    out = [
        "",
        f"**One process against its floor** ({one['clients']} keep-alive clients; the floor: "
        "`bench/floor_app.py`, one SQLite row per POST under the same gunicorn worker)",
        "",
        "| what | requests/s | CPU ms per request | p50 ms | p99 ms | errors | share of the floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, key in (
        ("Vuoro `GET /healthz`", "healthz"),
        ("Vuoro `POST /api/tickets`", "issue"),
        ("floor `POST /rows`", "floor"),
    ):
        c = one[key]
        share = _ratio(c["per_s"], floor)
        out.append(
            f"| {name} | {_f(c['per_s'], 0)} | {_f(c['cpu_ms_per_request'], 2)} | {_f(c['p50_ms'])} | "
            f"{_f(c['p99_ms'])} | {sum(c['errors'].values())} | {_f(share and share * 100, 0, '%')} |"
        )
    return out


def _scale_details(two: dict[str, Any]) -> list[str]:
    """One process or two, and whether the numbering stayed without duplicates or gaps across them."""
    if not two.get("runs"):
        return []
    out = [
        "",
        f"**One process or two** (PostgreSQL; {two['clients']} keep-alive clients alternating between the processes)",
        "",
        "| setup | tickets/s | CPU ms per ticket (all processes) | p50 ms | p99 ms | errors | duplicates / gaps |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for run in two["runs"]:
        n = run["numbering"]
        out.append(
            f"| {run['setup']} | {_f(run['per_s'], 0)} | {_f(run['cpu_ms_per_request'], 2)} | "
            f"{_f(run['p50_ms'])} | {_f(run['p99_ms'])} | {sum(run['errors'].values())} | "
            f"{n.get('duplicates', '-')} + {run['duplicate_numbers_in_answers']} / {n.get('gaps', '-')} |"
        )
    return out


def _idle_details(r: dict[str, Any]) -> list[str]:
    """Each idle process's memory, RSS and the PSS that counts shared pages once."""
    idle = _idle_rows(r)
    if not idle:
        return []
    out = [
        "",
        "**Idle memory** (after a warm-up; VmRSS from /proc; PSS counts the pages master and worker share once)",
        "",
        "| process | worker RSS MB | master RSS MB | together MB | PSS MB |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, total, m in idle:
        out.append(
            f"| {name} | {_f(_mb(m['worker_rss']))} | {_f(_mb(m['master_rss']))} | {_f(_mb(total))} | "
            f"{_f(_mb(m['pss']))} |"
        )
    return out


def _simulate_details(sim: dict[str, Any]) -> list[str]:
    """What the simulated day did: its visits, calls, errors and the board latency under it."""
    if not sim:
        return []
    out = [
        "",
        f"**A simulated day at full speed** (`{sim['command']}`, one process, SQLite, at most "
        f"{_f(sim['timeout_s'], 0)} s)",
        "",
        "| wall s | issued | called | served | no-shows | not finished | errors | call → board p99 ms | server CPU s |",
        "|" + " ---: |" * 9,
        f"| {_f(sim.get('wall_s'), 0) if not sim.get('cut') else 'stopped at ' + _f(sim['timeout_s'], 0)} | "
        f"{_f(sim.get('issued', (sim.get('database') or {}).get('tickets')))} | {_f(sim.get('called'))} | "
        f"{_f(sim.get('served'))} | {_f(sim.get('no_shows'))} | {_f(sim.get('not_finished'))} | "
        f"{_f(sim.get('errors'))} | {_f(sim.get('board_p99_ms'))} | {_f(sim.get('server_cpu_s'))} |",
    ]
    if sim.get("error_kinds") not in (None, "none"):
        out += ["", f"Errors: {sim['error_kinds']}."]
    return out


def _fanout(fan: dict[str, Any]) -> list[str]:
    if not fan.get("levels"):
        return []
    limits = sorted({n for lv in fan["levels"] for n in lv.get("open_files_limit") or [] if n})
    out = [
        "",
        f"**Call to board, two processes** (PostgreSQL + Redis; gthread: {fan['threads']} threads each; "
        f"open-files limit of the workers {', '.join(map(str, limits)) or '-'}; "
        f"{fan['prefill']['tickets']} waiting tickets filled in beforehand; a tenth of the clients boards, the "
        "rest phones each following its own waiting ticket; latency per Kela board per call)",
        "",
        "| worker | clients | connected (s) | observing boards | calls | deliveries | p50 ms | p99 ms | max ms | "
        "lost | failed calls | kB per client |",
        "| --- | ---: | --- |" + " ---: |" * 9,
    ]
    for lv in fan["levels"]:
        if "error" in lv:
            out.append(f"| {lv.get('worker', '-')} | {lv['clients']} | failed: {lv['error']} |" + " |" * 9)
            continue
        out.append(
            f"| {lv['worker']} | {lv['clients']} | {lv['connected']} ({lv['connect_s']}) | "
            f"{lv['observing_boards']} | {lv['calls']} | {lv['deliveries']} | {_f(lv['p50_ms'])} | "
            f"{_f(lv['p99_ms'])} | {_f(lv['max_ms'])} | {lv['lost']} | "
            f"{lv['failed_calls'] + lv['calls_cut_by_budget']} | {_f(lv['kb_per_client'])} |"
        )
    out += [
        "",
        "**What the phones received** during those calls (`ticket` messages; a change: status, position, "
        "estimate or desk differs from what the phone showed before)",
        "",
        "| worker | clients | phones | own messages | changes | phones over 2 per change | max per change | "
        "for other tickets | most in 1 s | called, and told | messages to phones per call (all events) |",
        "| --- |" + " ---: |" * 10,
    ]
    for lv in fan["levels"]:
        p = lv.get("phone_stats")
        if p:
            out.append(
                f"| {lv['worker']} | {lv['clients']} | {p['phones']} | {p['own_messages']} | "
                f"{p['changes_seen']} | {p['phones_over_2_per_change']} | "
                f"{_f(p['max_messages_per_change'], 2)} | {p['foreign_messages']} | "
                f"{p['max_messages_in_one_second']} | {p['phones_called']}, {p['phones_called_told']} | "
                f"{_f(p['messages_to_phones_per_call'])} |"
            )
    out += ["", f"Double calls in the event log after the run: {fan.get('double_calls', '-')} (must be 0)."]
    return out


def table(r: dict[str, Any]) -> str:
    meta = r["meta"]
    lines = [
        f"Measured {meta['date']} on {meta['machine']}, commit {meta['commit']}: `{meta['command']}`, "
        f"{meta['minutes']:.1f} minutes. Load average (1, 5, 15 min) at the start {meta['load_start']}, at the end "
        f"{meta['load_end']}. Raw numbers: " + (f"`{meta['raw']}`." if meta.get("raw") else "not kept.")
    ]
    if r.get("skipped"):
        lines += ["", "Skipped: " + "; ".join(r["skipped"]) + "."]
    for part, error in (r.get("failed") or {}).items():
        lines += ["", f"Part `{part}` failed: {error}"]
    lines += [""] + targets(r) + details(r)
    return "\n".join(lines)
