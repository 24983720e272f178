"""The dashboard's HTML (rendered here, escaped; no script: its actions are forms), with
small SVG charts of the last day."""

from __future__ import annotations

import datetime
from html import escape
from typing import Any

from ..sizes import readable_size
from .service import DAY

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; color: #1d2433; background: #f6f7fb; }
header { background: #fff; border-bottom: 1px solid #e3e6ef; padding: .8rem 1.5rem; }
header a { margin-right: 1rem; color: #3b4fb8; text-decoration: none; }
main { padding: 1rem 1.5rem; max-width: 1400px; }
h1 { color: #1e2a78; margin: .2rem 0 .6rem; }
section { background: #fff; border: 1px solid #e3e6ef; border-radius: 8px;
  padding: .8rem 1rem; margin-bottom: 1rem; }
h2 { font-size: 1.1rem; margin: 0 0 .6rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #eef0f5;
  vertical-align: middle; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #177245; } .bad { color: #b42318; } .muted { color: #6b7280; }
.storage-warn { color: #b54708; font-weight: 600; }
.storage-full { color: #b42318; font-weight: 600; }
form { display: inline; } button { font-size: .8rem; padding: .15rem .5rem; }
svg.chart { background: #fafbff; border: 1px solid #eef0f5; }
"""


def size(value: Any) -> str:
    return "—" if value is None else readable_size(value)


def when(value: Any) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, int | float):
        stamp = datetime.datetime.fromtimestamp(value, datetime.UTC)
        return stamp.strftime("%Y-%m-%d %H:%M:%S UTC")
    return escape(str(value).replace("T", " ")[:19] + " UTC")


def chart(points: list[tuple[float, float]], top: float, colour: str, now: float) -> str:
    """A 24 h line of (time, value) scaled to `top` (the limit, else the highest)."""
    width, height = 160, 32
    if not points:
        return f'<svg class="chart" width="{width}" height="{height}"></svg>'
    top = max(top, max(v for _, v in points), 1e-9)
    if len(points) == 1:  # one measurement so far: a dot
        at, value = points[0]
        x = (at - (now - DAY)) / DAY * width
        y = height - value / top * (height - 2) - 1
        return (
            f'<svg class="chart" width="{width}" height="{height}" role="img">'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{colour}"/></svg>'
        )
    coords = " ".join(
        f"{(at - (now - DAY)) / DAY * width:.1f},{height - value / top * (height - 2) - 1:.1f}"
        for at, value in points
    )
    return (
        f'<svg class="chart" width="{width}" height="{height}" role="img">'
        f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{coords}"/></svg>'
    )


def action(xsrf: str, user: str, server: str, verb: str, label: str, confirm: bool = False) -> str:
    warn = " onsubmit=\"return confirm('Stop this workspace?')\"" if confirm else ""
    return (
        f'<form method="post" action="actions"{warn}>{xsrf}'
        f'<input type="hidden" name="user" value="{escape(user)}">'
        f'<input type="hidden" name="server" value="{escape(server)}">'
        f'<input type="hidden" name="action" value="{verb}">'
        f'<button type="submit" class="{verb}">{label}</button></form>'
    )


def workspace_row(w: dict[str, Any], xsrf: str, now: float) -> str:
    series = w["series"]
    cpu_top = (w["cpu_limit"] or 0) * 100
    cpu_chart = chart([(s[0], s[1]) for s in series], cpu_top, "#3b4fb8", now)
    memory_chart = chart([(s[0], s[2]) for s in series], w["memory_limit"] or 0, "#177245", now)
    cpu = "—" if w["cpu"] is None else f"{w['cpu']:.0f} %"
    if w["cpu_limit"]:
        cpu += f" <span class='muted'>of {w['cpu_limit']:g} CPU</span>"
    memory = size(w["memory"])
    if w["memory_limit"]:
        memory += f" <span class='muted'>of {size(w['memory_limit'])}</span>"
    pin = (
        action(xsrf, w["user"], w["server"], "unpin", "Unpin")
        if w["pinned"]
        else action(xsrf, w["user"], w["server"], "pin", "Pin")
    )
    stop = action(xsrf, w["user"], w["server"], "stop", "Stop", confirm=True)
    name = escape(w["server"]) or "<span class='muted'>home</span>"
    flag = " <span class='pinned'>(pinned)</span>" if w["pinned"] else ""
    return (
        f'<tr data-user="{escape(w["user"])}" data-server="{escape(w["server"])}">'
        f"<td>{escape(w['user'])}</td><td>{name}{flag}</td>"
        f"<td>{escape(str(w['profile'] or '—'))}</td>"
        f'<td class="num cpu">{cpu}</td><td>{cpu_chart}</td>'
        f'<td class="num memory">{memory}</td><td>{memory_chart}</td>'
        f'<td class="num disk">{size(w["disk"])}</td>'
        f"<td>{when(w['started'])}</td><td>{when(w['last_activity'])}</td>"
        f"<td>{pin} {stop}</td></tr>"
    )


def storage_cell(person: dict[str, Any], xsrf: str) -> str:
    """Used of quota (warned from 80%, refused at 100%) and a form to set this person's."""
    name = escape(person["name"])
    use = person.get("storage")
    if use is None:
        shown = "—"
    elif use["quota"] is None:
        shown = f"{size(use['used'])} <span class='muted'>(no quota)</span>"
    else:
        shown = (
            f"<span class='storage-{escape(use['level'])}'>{size(use['used'])} of "
            f"{size(use['quota'])} ({use['percent']:.0f}%)</span>"
        )
    return (
        f"<td>{shown}</td><td>"
        f'<form method="post" action="actions">{xsrf}'
        f'<input type="hidden" name="user" value="{name}">'
        '<input type="hidden" name="action" value="quota">'
        f'<input name="quota" size="6" value="{escape(person.get("quota_set") or "")}" '
        f'placeholder="default" aria-label="storage quota of {name}"> '
        '<button type="submit" class="quota">Set</button></form></td>'
    )


def signups_html(signups: list[dict[str, str]], hub: str) -> str:
    """The sign-ups waiting for approval, by name (with the e-mail given), and where to
    approve them."""
    if not signups:
        return "no sign-ups waiting"
    names = ", ".join(
        f'<span class="signup">{escape(s["name"])}'
        + (f' <span class="muted">({escape(s["email"])})</span>' if s.get("email") else "")
        + "</span>"
        for s in signups
    )
    count = len(signups)
    return (
        f'<span id="signups">{count} sign-up{"" if count == 1 else "s"} waiting: {names} · '
        f'<a href="{hub}/hub/authorize">Authorize users</a></span>'
    )


def people_html(summary: dict[str, Any], xsrf: str) -> str:
    """Each user with their workspaces running, their storage and quota (a form to set
    it: a size, `none`, or empty for their groups' or the hub's) and, where the hub offers
    profiles, the profile an admin set for them (a form to change it)."""
    profiles = summary["profiles"]
    rows = []
    for person in summary["people"]:
        name = escape(person["name"])
        cell = ""
        if profiles:
            options = "".join(
                f'<option value="{escape(p)}"{" selected" if p == person["profile"] else ""}>'
                f"{escape(p)}</option>"
                for p in profiles
            )
            chosen = "" if person["profile"] else " selected"
            cell = (
                f'<form method="post" action="actions">{xsrf}'
                f'<input type="hidden" name="user" value="{name}">'
                '<input type="hidden" name="action" value="profile">'
                f'<select name="profile" aria-label="profile of {name}">'
                f'<option value=""{chosen}>the hub\'s default</option>{options}</select> '
                '<button type="submit" class="profile">Set</button></form>'
            )
        admin = " <span class='muted'>(admin)</span>" if person["admin"] else ""
        rows.append(
            f'<tr data-person="{name}"><td>{name}{admin}</td>'
            f'<td class="num">{person["running"]}</td>{storage_cell(person, xsrf)}'
            f"<td>{cell}</td></tr>"
        )
    head = "<th>Profile</th>" if profiles else "<th></th>"
    problem = summary.get("storage_problem") or ""
    note = f"<p class='muted'>Storage unknown: {escape(problem)}</p>" if problem else ""
    return (
        f"{note}<table><thead><tr><th>User</th><th>Running</th><th>Storage</th>"
        f"<th>Quota</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def ai_html(ai: dict[str, Any]) -> str:
    """Rows of everyone's AI use over the last 7 days."""
    if not ai["enabled"]:
        return '<tr><td colspan="4" class="muted">No AI gateway on this hub.</td></tr>'
    if not ai["ok"]:
        return f'<tr><td colspan="4" class="bad">{escape(ai["problem"])}</td></tr>'
    rows = [
        f"<tr><td>{escape(u['user'])}</td><td class='num'>{u['requests']}</td>"
        f"<td class='num'>{u['tokens']:,}</td><td class='num'>{u['own_key_requests']}</td>"
        "</tr>"
        for u in ai["data"]
    ]
    return "".join(rows) or '<tr><td colspan="4" class="muted">Nobody used the models.</td></tr>'


def flows_html(flows: dict[str, Any]) -> str:
    """Flow runs of the last 7 days (failures first) and schedules."""
    if not flows["ok"]:
        return (
            '<section id="flows"><h2>Flow runs and schedules</h2>'
            f'<p class="bad">{escape(flows["problem"])}</p></section>'
        )
    data = flows["data"] or {"totals": {}, "runs": [], "schedules": []}
    totals = ", ".join(f"{n} {escape(s)}" for s, n in sorted(data["totals"].items())) or "none"
    runs = (
        "".join(
            f'<tr class="run-{escape(r["status"])}"><td>{when(r["created"])}</td>'
            f"<td>{escape(r['flow'])}</td><td>{escape(r['owner'])}</td>"
            f"<td>{escape(r['trigger'])}</td>"
            f"<td class='{'bad' if r['status'] == 'failed' else ''}'>{escape(r['status'])}</td>"
            f"<td>{escape(r['error'] or '')}</td></tr>"
            for r in data["runs"]
        )
        or '<tr><td colspan="6" class="muted">No runs in the last 7 days.</td></tr>'
    )
    planned = (
        "".join(
            f"<tr><td>{escape(s['flow'])}</td><td>{escape(s['owner'])}</td>"
            f"<td><code>{escape(s['cron'])}</code></td>"
            f"<td>{'on' if s['enabled'] else 'off'}</td><td>{when(s['next_run'])}</td>"
            f"<td class='{'bad' if s['last_status'] == 'failed' else ''}'>"
            f"{escape(s['last_status'] or '—')}</td></tr>"
            for s in data["schedules"]
        )
        or '<tr><td colspan="6" class="muted">No schedules.</td></tr>'
    )
    return f"""<section id="flows"><h2>Flow runs, last 7 days</h2><p>{totals}</p>
<table><thead><tr><th>When</th><th>Flow</th><th>Owner</th><th>Trigger</th><th>Status</th>
<th>Error</th></tr></thead><tbody>{runs}</tbody></table>
<h2 style="margin-top:1rem">Schedules</h2>
<table><thead><tr><th>Flow</th><th>Owner</th><th>Cron</th><th>Enabled</th><th>Next run</th>
<th>Last scheduled run</th></tr></thead><tbody>{planned}</tbody></table></section>"""


def dashboard(summary: dict[str, Any], xsrf: str, hub_base: str, now: float) -> str:
    rows = "".join(workspace_row(w, xsrf, now) for w in summary["workspaces"])
    if not rows:
        rows = '<tr><td colspan="11" class="muted">No workspace is running.</td></tr>'
    services = "".join(
        f"<tr><td>{escape(s['name'])}</td>"
        + (
            f'<td class="ok">healthy</td><td class="num">{s["ms"]} ms</td>'
            if s["ok"]
            else f'<td class="bad">{escape(s["problem"])}</td><td></td>'
        )
        + "</tr>"
        for s in summary["services"]
    )
    events = (
        "".join(
            f"<tr><td>{when(e['at'])}</td><td>{escape(e['kind'])}</td>"
            f"<td>{escape(e['user'])}/{escape(e['server']) or 'home'}</td>"
            f"<td>{escape(e['detail'])}</td></tr>"
            for e in summary["events"]
        )
        or '<tr><td colspan="4" class="muted">Nothing culled or stopped yet.</td></tr>'
    )
    ai_rows = ai_html(summary["ai"])
    flows_section = flows_html(summary["flows"])
    hub = escape(hub_base.rstrip("/"))
    running = len(summary["workspaces"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Usage · Galilean</title>
<style>{STYLE}</style></head>
<body><header><a href="{hub}/hub/home"><strong>Galilean</strong></a>
<a href="{hub}/hub/home">Workspaces</a><a href="{hub}/hub/admin">Admin panel</a>
<a href="{hub}/hub/authorize">Authorize users</a></header>
<main><h1>Usage</h1>
<section id="people"><h2>People</h2>{summary["users"]} users ({summary["admins"]} admins) ·
{running} workspace{"" if running == 1 else "s"} running ·
{signups_html(summary.get("signups") or [], hub)}
{people_html(summary, xsrf)}</section>
<section id="workspaces"><h2>Running workspaces</h2>
<p class="muted">CPU in % of one core; memory held by the workspace's processes; disk of its
home. Charts: the last 24 hours, scaled to the workspace's limit. A pinned workspace is never
stopped by the idle culler.</p>
<table><thead><tr><th>User</th><th>Workspace</th><th>Size</th><th>CPU</th><th>24 h</th>
<th>Memory</th><th>24 h</th><th>Disk</th><th>Started</th><th>Last activity</th><th></th>
</tr></thead><tbody>{rows}</tbody></table></section>
<section id="ai"><h2>AI usage, last 7 days</h2>
<table><thead><tr><th>User</th><th>Requests</th><th>Tokens</th><th>With their own key</th>
</tr></thead><tbody>{ai_rows}</tbody></table></section>
{flows_section}
<section id="services"><h2>Services</h2><table><tbody>{services}</tbody></table></section>
<section id="events"><h2>Culling and stops</h2>
<table><thead><tr><th>When</th><th>What</th><th>Workspace</th><th>Detail</th></tr></thead>
<tbody>{events}</tbody></table></section>
</main></body></html>"""
