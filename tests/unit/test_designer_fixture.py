"""The designer's serializer is tested (jest) against files the engine's `dump_flow` wrote:
labextension/test/flows_dumped.json. This keeps that fixture the engine's own output, so
the two cannot drift apart; likewise the node catalogue the designer's specs read
(labextension/test/flows_kinds.json) is the server's catalogue of today."""

from __future__ import annotations

import json
from pathlib import Path

from galilean_services.flows.model import dump_flow, parse_flow
from galilean_services.flows.registry import default_registry

FIXTURE = Path(__file__).parents[2] / "labextension/test/flows_dumped.json"


def test_every_fixture_is_what_dump_flow_writes_today() -> None:
    cases = json.loads(FIXTURE.read_text())
    assert cases, "the fixture has cases"
    for name, case in cases.items():
        assert dump_flow(parse_flow(case["source"])) == case["dumped"], name


KINDS = Path(__file__).parents[2] / "labextension/test/flows_kinds.json"


def test_the_kinds_fixture_is_the_catalogue_of_today() -> None:
    assert json.loads(KINDS.read_text()) == {"kinds": default_registry().catalogue()}
