"""The designer's serializer is tested (jest) against files the engine's `dump_flow` wrote:
labextension/test/flows_dumped.json. This keeps that fixture the engine's own output, so
the two cannot drift apart."""

from __future__ import annotations

import json
from pathlib import Path

from galilean_services.flows.model import dump_flow, parse_flow

FIXTURE = Path(__file__).parents[2] / "labextension/test/flows_dumped.json"


def test_every_fixture_is_what_dump_flow_writes_today() -> None:
    cases = json.loads(FIXTURE.read_text())
    assert cases, "the fixture has cases"
    for name, case in cases.items():
        assert dump_flow(parse_flow(case["source"])) == case["dumped"], name
