"""Sampling a tables dataset's snapshot into a derived dataset: the built-in strategies'
exactness (stratified proportions, seeds, thresholds), each against a plain full-ranking
query; the derived dataset's origin and lineage; a third party's strategy from an entry
point; and the service's route with its errors."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from datasets_app import Service

from galilean_services.datasets import sampling, sampling_builtin
from galilean_services.datasets.lineage import lineage
from galilean_services.datasets.model import Conflict, Invalid, NotFound
from galilean_services.datasets.sampling_derive import draw, parse_request, sample_into
from galilean_services.datasets.tables import TablesDataset

STRATA = {"a": 703, "b": 191, "c": 97, None: 9}  # 1000 rows


def rows(order_seed: int | None = None) -> pa.Table:
    cats = [cat for cat, size in STRATA.items() for _ in range(size)]
    ids = list(range(len(cats)))
    if order_seed is not None:  # the same rows in another order
        random.Random(order_seed).shuffle(ids)
    cat_of = dict(enumerate(cats))
    return pa.table(
        {
            "id": ids,
            "cat": [cat_of[i] for i in ids],
            "side": [i % 3 for i in ids],
            "score": [(i * 37 % 1000) / 1000 for i in ids],
        }
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def lake(home: Path) -> Iterator[TablesDataset]:
    with TablesDataset(home / ".galilean/datasets/source", allowed_root=home) as dataset:
        dataset.write("items", rows(), author="alice", message="load")
        yield dataset


def sample(lake: TablesDataset, strategy: str, params: dict[str, Any], **more: Any) -> pa.Table:
    body = {"table": "items", "strategy": strategy, "params": params, "into": "x", **more}
    return draw(lake, parse_request(body))[1]


def ids(table: pa.Table) -> list[int]:
    return sorted(table.column("id").to_pylist())


def full_ranking(lake: TablesDataset, by: str, seed: int, quotas: dict[Any, int]) -> list[int]:
    """Each stratum's lowest hash(seed, row) rows, ranking every row: the plain method."""
    ranked: dict[Any, list[int]] = {}
    order = lake.connection.execute(
        f"SELECT id, {by} FROM {lake.scan_sql('items')} "  # noqa: S608
        f"ORDER BY hash({seed}, id, cat, side, score), id"
    ).fetchall()
    for row_id, stratum in order:
        ranked.setdefault(stratum, []).append(row_id)
    return sorted(i for stratum, quota in quotas.items() for i in ranked[stratum][:quota])


def test_stratified_gives_every_stratum_its_exact_share(lake: TablesDataset) -> None:
    drawn = sample(lake, "stratified", {"by": "cat", "fraction": 0.1, "seed": 5})
    # 70.3, 19.1, 9.7, 0.9: floors 70+19+9+0 = 98, the two largest remainders get one more
    assert Counter(drawn.column("cat").to_pylist()) == {"a": 70, "b": 19, "c": 10, None: 1}
    quotas = {"a": 70, "b": 19, "c": 10, None: 1}
    assert ids(drawn) == full_ranking(lake, "cat", 5, quotas)
    exact = sample(lake, "stratified", {"by": ["cat"], "fraction": 0.29})
    assert exact.num_rows == 290  # 0.29 x 1000 is 290, not 289.99...
    both = sample(lake, "stratified", {"by": ["cat", "side"], "fraction": 0.5})
    counts = Counter(
        zip(both.column("cat").to_pylist(), both.column("side").to_pylist(), strict=True)
    )
    whole = Counter(
        zip(rows().column("cat").to_pylist(), rows().column("side").to_pylist(), strict=True)
    )
    assert both.num_rows == 500
    assert all(abs(counts[s] - whole[s] * 0.5) < 1 for s in whole)


def test_a_stratum_short_of_its_cutoff_still_gets_its_lowest_rows(
    lake: TablesDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sampling_builtin, "SLACK_SD", 0)
    monkeypatch.setattr(sampling_builtin, "SLACK_ROWS", 0)
    for seed in (1, 2, 3):
        drawn = sample(lake, "stratified", {"by": "cat", "fraction": 0.1, "seed": seed})
        quotas = dict(Counter(drawn.column("cat").to_pylist()))
        assert sum(quotas.values()) == 100
        assert ids(drawn) == full_ranking(lake, "cat", seed, quotas)


def test_the_same_seed_draws_the_same_rows_whatever_their_order(
    lake: TablesDataset, home: Path
) -> None:
    first = ids(sample(lake, "random", {"n": 50, "seed": 7}))
    with TablesDataset(home / ".galilean/datasets/shuffled", allowed_root=home) as other:
        other.write("items", rows(order_seed=99), author="alice")
        assert ids(sample(other, "random", {"n": 50, "seed": 7})) == first
        params = {"by": "cat", "fraction": 0.2, "seed": 7}
        assert ids(sample(other, "stratified", params)) == ids(sample(lake, "stratified", params))
    assert ids(sample(lake, "random", {"n": 50, "seed": 8})) != first
    assert len(first) == 50
    assert sample(lake, "random", {"fraction": 0.013}).num_rows == 13
    assert sample(lake, "random", {"n": 5000}).num_rows == 1000
    assert sample(lake, "random", {"n": 0}).num_rows == 0
    by_key = ids(sample(lake, "random", {"n": 20, "key": ["id"], "seed": 1}))
    lake.write("items", rows().set_column(3, "score", pa.array([0.5] * 1000)), author="alice")
    assert ids(sample(lake, "random", {"n": 20, "key": ["id"], "seed": 1})) == by_key


def test_threshold_keeps_the_rows_past_the_value(lake: TablesDataset) -> None:
    scores = dict(
        zip(rows().column("id").to_pylist(), rows().column("score").to_pylist(), strict=True)
    )
    high = sample(lake, "threshold", {"column": "score", "value": 0.9})
    assert ids(high) == sorted(i for i, s in scores.items() if s >= 0.9)
    low = sample(lake, "threshold", {"column": "score", "op": "<", "value": 0.1})
    assert ids(low) == sorted(i for i, s in scores.items() if s < 0.1)
    best = sample(lake, "threshold", {"column": "score", "value": 0.5, "n": 5})
    assert sorted(best.column("score").to_pylist()) == [0.995, 0.996, 0.997, 0.998, 0.999]
    worst = sample(lake, "threshold", {"column": "score", "op": "<=", "value": 0.5, "n": 2})
    assert sorted(worst.column("score").to_pylist()) == [0.0, 0.001]


def test_the_sample_is_a_new_dataset_whose_origin_names_its_source(
    lake: TablesDataset, home: Path
) -> None:
    lake.write("items", rows().slice(0, 100), author="alice", message="smaller")
    body = {
        "table": "items",
        "snapshot": 1,
        "strategy": "stratified",
        "params": {"by": "cat", "fraction": 0.1},
        "into": "tenth",
    }
    made = sample_into(lake, "source", parse_request(body), "alice")
    assert made.number == 1
    assert made.stats["rows"] == 100  # drawn from snapshot 1's 1000 rows
    assert made.origin == {
        "sampled_from": "source",
        "snapshot": "1",
        "table": "items",
        "strategy": "stratified",
        "params": json.dumps({"by": "cat", "fraction": 0.1}),
    }
    with TablesDataset(home / ".galilean/datasets/tenth", allowed_root=home) as tenth:
        assert tenth.read("items").num_rows == 100
    graph = lineage({"owner": "alice", "name": "tenth"}, [made.to_json()])
    assert ("snapshot:source#1", "snapshot:alice/tenth#1", "sampled") in {
        (e["from"], e["to"], e["how"]) for e in graph["edges"]
    }
    with pytest.raises(Conflict) as taken:
        sample_into(lake, "source", parse_request(body), "alice")
    assert taken.value.field == "into"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"strategy": "magic"}, "strategy"),
        ({"params": {"by": "cat", "fraction": 2}}, "params.fraction"),
        ({"params": {"fraction": 0.1}}, "params.by"),
        ({"params": {"by": "cat", "fraction": 0.1, "size": 3}}, "params.size"),
        ({"params": [1]}, "params"),
        ({"table": "no such"}, "table"),
        ({"into": "Bad Name"}, "into"),
        ({"snapshot": 0}, "snapshot"),
        ({"size": 10}, "size"),
    ],
)
def test_a_bad_request_names_its_field(change: dict[str, Any], field: str) -> None:
    body = {"table": "items", "strategy": "stratified", "params": {"by": "cat", "fraction": 0.1}}
    with pytest.raises(Invalid) as bad:
        parse_request({**body, "into": "x", **change})
    assert bad.value.field == field


def test_columns_and_snapshots_that_do_not_exist_are_named(lake: TablesDataset) -> None:
    with pytest.raises(Invalid) as column:
        sample(lake, "stratified", {"by": "colour", "fraction": 0.1})
    assert (column.value.field, column.value.item) == ("params.by", "colour")
    with pytest.raises(Invalid) as text:
        sample(lake, "threshold", {"column": "cat", "value": 1})
    assert text.value.field == "params.column"
    with pytest.raises(Invalid) as both:
        sample(lake, "random", {"n": 1, "fraction": 0.5})
    assert both.value.field == "params.n"
    with pytest.raises(NotFound) as snapshot:
        sample(lake, "random", {"n": 1}, snapshot=9)
    assert snapshot.value.field == "snapshot"
    with pytest.raises(NotFound) as table:
        sample(lake, "random", {"n": 1}, table="other")
    assert table.value.field == "table"
    with pytest.raises(Invalid) as files:
        parse_request({"table": "items"}, driver="files")
    assert files.value.field == "table"


PLUGIN = """
from galilean_services.datasets.sampling import Sampler

def every_nth(source, params):
    return f"SELECT * FROM {source.relation} WHERE id % {int(params['k'])} = 0"

def register(registry):
    registry.register(Sampler(
        "every_nth", "Every k-th id",
        {"type": "object", "required": ["k"],
         "properties": {"k": {"type": "integer", "minimum": 1}}},
        every_nth,
    ))
"""


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A third party's package, installed: its module and its entry point."""
    site = tmp_path / "site"
    (site / "h17_every_nth-1.0.dist-info").mkdir(parents=True)
    (site / "h17_every_nth.py").write_text(PLUGIN)
    (site / "h17_every_nth-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: h17-every-nth\nVersion: 1.0\n"
    )
    (site / "h17_every_nth-1.0.dist-info" / "entry_points.txt").write_text(
        "[galilean.samplers]\nevery_nth = h17_every_nth:register\n"
    )
    monkeypatch.syspath_prepend(str(site))
    sampling.forget_registry()
    yield
    sampling.forget_registry()


def test_a_third_partys_strategy_from_its_entry_point(
    plugin: None, lake: TablesDataset, home: Path
) -> None:
    assert {"every_nth", "random", "stratified", "threshold"} <= set(
        sampling.default_registry().names()
    )
    body = {"table": "items", "strategy": "every_nth", "params": {"k": 100}, "into": "nth"}
    made = sample_into(lake, "source", parse_request(body), "alice")
    assert made.origin["strategy"] == "every_nth"
    with TablesDataset(home / ".galilean/datasets/nth", allowed_root=home) as nth:
        assert ids(nth.read("items")) == list(range(0, 1000, 100))
    with pytest.raises(Invalid) as bad:
        parse_request({**body, "params": {"k": 0}})
    assert bad.value.field == "params.k"


# -- the service's route ----------------------------------------------------------------


@pytest.fixture(scope="module")
def app(datasets_app: Service) -> Service:
    return datasets_app


def test_the_service_samples_into_a_new_dataset(app: Service) -> None:
    source = app.ok("POST", "/api/datasets", {"name": "scores", "driver": "tables"}, status=201)
    home = app.folder_of("alice")
    with TablesDataset(home / ".galilean/datasets/scores", allowed_root=home) as lake:
        lake.write("items", rows(), author="alice")
    route = f"/api/datasets/{source['id']}/sample"
    body = {
        "table": "items",
        "strategy": "stratified",
        "params": {"by": "cat", "fraction": 0.1, "seed": 5},
        "into": "scores-tenth",
    }
    made = app.ok("POST", route, body, status=201)
    assert (made["name"], made["driver"], made["owner"]) == ("scores-tenth", "tables", "alice")
    assert made["head"]["origin"]["sampled_from"] == "scores"
    assert made["head"]["stats"]["rows"] == 100
    graph = app.ok("GET", f"/api/datasets/{made['id']}/lineage")
    assert ("snapshot:scores#1", "snapshot:alice/scores-tenth#1", "sampled") in {
        (e["from"], e["to"], e["how"]) for e in graph["edges"]
    }
    assert app.ok("GET", f"/api/datasets/{made['id']}")["head"]["number"] == 1

    def refused(change: dict[str, Any], status: int, field: str, who: str = "alice") -> None:
        reply = app.call("POST", route, {**body, **change}, who=who)
        assert reply.status_code == status, reply.text
        assert reply.json()["errors"][0]["field"] == field, reply.text

    refused({}, 409, "into")
    refused({"strategy": "magic", "into": "s1"}, 400, "strategy")
    refused({"params": {"by": "cat", "fraction": -1}, "into": "s1"}, 400, "params.fraction")
    refused({"params": {"by": "colour", "fraction": 0.1}, "into": "s1"}, 400, "params.by")
    refused({"snapshot": 7, "into": "s1"}, 404, "snapshot")
    refused({"table": "missing", "into": "s1"}, 404, "table")
    refused({"into": "s1"}, 404, "dataset_id", who="bob")
    names = {d["name"] for d in app.ok("GET", "/api/datasets")}
    assert "s1" not in names  # refused samples leave no dataset behind
    assert not (home / ".galilean/datasets/s1").exists()


def test_a_files_dataset_samples_only_labelled_images(app: Service) -> None:
    (app.folder_of("alice") / "pics").mkdir(exist_ok=True)
    (app.folder_of("alice") / "pics" / "notes.txt").write_text("not an image set")
    files = app.ok(
        "POST", "/api/datasets", {"name": "pics", "driver": "files", "folder": "pics"}, status=201
    )
    app.ok("POST", f"/api/datasets/{files['id']}/snapshots", {"message": "one"}, status=201)
    body = {"table": "items", "strategy": "random", "params": {"n": 1}, "into": "few"}
    reply = app.call("POST", f"/api/datasets/{files['id']}/sample", body)
    assert reply.status_code == 400
    assert reply.json()["errors"][0]["field"] == "table"  # images have no tables
    del body["table"]
    reply = app.call("POST", f"/api/datasets/{files['id']}/sample", body)
    assert reply.status_code == 400
    assert reply.json()["errors"][0]["field"] == "format", reply.text  # no YOLO/COCO/VOC
    assert "few" not in [d["name"] for d in app.ok("GET", "/api/datasets")]
