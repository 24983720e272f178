"""The Datasets panel's lineage graph is tested (jest) against replies of the service's
`lineage()`: labextension/test/datasets_lineage.json holds each case's dataset and
snapshots with the lineage made of them. This keeps the fixture the service's own output,
so the panel's specs cannot drift from what the service answers."""

from __future__ import annotations

import json
from pathlib import Path

from galilean_services.datasets.lineage import lineage

FIXTURE = Path(__file__).parents[2] / "labextension/test/datasets_lineage.json"


def test_every_lineage_in_the_fixture_is_what_the_service_answers_today() -> None:
    cases = json.loads(FIXTURE.read_text())
    assert {"history", "sample"} <= set(cases)
    for name, case in cases.items():
        assert lineage(case["dataset"], case["snapshots"]) == case["lineage"], name
