"""The schedule editor's cron reading and next times (flows_service/schedule_preview.py)
and its route, POST api/schedule-preview (tests/flows_app.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flows_api import error_of
from flows_app import app_fixture

from galilean_services.flows_service.schedule_preview import preview, reading
from galilean_services.kit.errors import ValidationError

app = app_fixture("flows-schedule-preview")
# Monday 2025-12-01 00:00 UTC
MONDAY = dt.datetime(2025, 12, 1, tzinfo=dt.UTC).timestamp()


def test_daily_at_six_utc() -> None:
    shown = preview({"cron": "0 6 * * *"}, now=MONDAY)
    assert shown["text"] == "At 06:00 (UTC)"
    assert shown["timezone"] == "UTC"
    assert shown["next"] == [f"2025-12-0{d}T06:00:00+00:00" for d in range(1, 6)]


def test_times_are_shown_in_the_timezone_the_schedule_stays_utc() -> None:
    shown = preview({"cron": "0 6 * * 1-5", "timezone": "Europe/Paris"}, now=MONDAY)
    assert shown["text"] == "At 06:00, Monday through Friday (UTC)"
    assert shown["next"][0] == "2025-12-01T07:00:00+01:00"
    assert shown["next"][-1] == "2025-12-05T07:00:00+01:00"


def test_readings() -> None:
    assert reading("*/15 * * * *") == "Every 15 minutes"
    assert reading("30 2 1 * *") == "At 02:30, on day 1 of the month"
    # croniter's sixth field is seconds (cron-descriptor's first): read as croniter runs it
    assert reading("0 6 * * * 30") == "At 06:00:30"


def test_six_fields_next_times_have_seconds() -> None:
    shown = preview({"cron": "0 6 * * * 30"}, now=MONDAY)
    assert shown["next"][0] == "2025-12-01T06:00:30+00:00"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cron": "every day"}, "cron"),
        ({"cron": "0 0 31 2 *"}, "cron"),  # never comes
        ({"cron": "61 * * * *"}, "cron"),
        ({"cron": ""}, "cron"),
        ({"cron": 5}, "cron"),
        ({}, "cron"),
        ({"cron": "x" * 200}, "cron"),
        ({"cron": "0 6 * * *", "timezone": "Mars/Olympus"}, "timezone"),
        ({"cron": "0 6 * * *", "timezone": "../../etc/passwd"}, "timezone"),
        ({"cron": "0 6 * * *", "timezone": "America"}, "timezone"),  # a folder
        ({"cron": "0 6 * * *", "timezone": None}, "timezone"),
    ],
)
def test_refusals_name_the_field(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        preview(body, now=MONDAY)
    assert refused.value.errors == [{"field": field}]


def test_the_route(app: Any) -> None:
    shown = app.ok("POST", "/api/schedule-preview", {"cron": "0 6 * * *", "timezone": "UTC"})
    assert shown["text"] == "At 06:00 (UTC)"
    assert len(shown["next"]) == 5
    times = [dt.datetime.fromisoformat(t) for t in shown["next"]]
    assert times == sorted(times)
    assert all(t.hour == 6 and t.minute == 0 for t in times)
    assert app.ok("POST", "/api/schedule-preview", {"cron": "0 6 * * *"}, who="read-only")


def test_the_route_refuses(app: Any) -> None:
    bad = error_of(app.call("POST", "/api/schedule-preview", {"cron": "every day"}), 400)
    assert bad["errors"] == [{"field": "cron"}]
    zone = {"cron": "0 6 * * *", "timezone": "Nowhere/Town"}
    assert error_of(app.call("POST", "/api/schedule-preview", zone), 400)["errors"] == [
        {"field": "timezone"}
    ]
    error_of(app.call("POST", "/api/schedule-preview", ["0 6 * * *"]), 400)
    error_of(app.call("POST", "/api/schedule-preview", {"cron": "* * * * *"}, who=None), 401)
    error_of(app.call("POST", "/api/schedule-preview", {"cron": "* * * * *"}, who="no-flows"), 401)
    error_of(app.call("GET", "/api/schedule-preview"), 405)


def test_openapi_lists_the_new_routes(app: Any) -> None:
    import requests

    doc = requests.get(f"{app.url}/api/openapi.json", timeout=30).json()
    preview_post = doc["paths"]["/api/schedule-preview"]["post"]
    assert preview_post["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "cron"
    ]
    assert "get" in doc["paths"]["/api/flows/{flow_id}/versions/{number}/diff"]
    restore = doc["paths"]["/api/flows/{flow_id}/versions/{number}/restore"]["post"]
    assert [p["name"] for p in restore["parameters"]] == ["flow_id", "number"]
    assert "targets" in doc["paths"]["/api/flows/{flow_id}/runs"]["post"]["summary"]
