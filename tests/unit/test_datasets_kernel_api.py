"""`from galilean_server.kernel.api import datasets` against the datasets service in this
process (real workers): create, snapshot, diff, restore and tag by name; a shared dataset
by owner/name; errors name the field; outside a hub's server it says what is missing."""

from __future__ import annotations

import pytest
from datasets_app import Service

from galilean_server.kernel.api import Datasets, DatasetsError


def as_user(app: Service, user: str) -> Datasets:
    return Datasets(
        {
            "GALILEAN_DATASETS_URL": app.url + "/",
            "JUPYTERHUB_API_TOKEN": f"{user}-token",
            "JUPYTERHUB_USER": user,
        }
    )


def test_a_dataset_from_a_notebook(datasets_app: Service) -> None:
    work = datasets_app.folder_of("alice") / "notebook-data"
    work.mkdir(parents=True)
    (work / "rows.csv").write_text("a\n1\n")
    mine = as_user(datasets_app, "alice")
    made = mine.create("from-notebook", "notebook-data", groups=["team"])
    assert made["owner"] == "alice"
    assert mine.snapshot("from-notebook", "first", {"notebook": "prep.ipynb"})["number"] == 1
    (work / "rows.csv").write_text("a\n1\n2\n")
    mine.snapshot("from-notebook", "second")
    changes = mine.diff("from-notebook", 1, 2)
    assert [m["path"] for m in changes["modified"]] == ["rows.csv"]
    assert mine.restore("from-notebook", 1)["number"] == 3
    assert (work / "rows.csv").read_text() == "a\n1\n"
    assert mine.tag("from-notebook", 1, "clean")["tags"] == ["clean"]
    assert "from-notebook" in repr(mine)
    # bob, in group team, reads it as owner/name; it is not his to change
    bob = as_user(datasets_app, "bob")
    assert [s["number"] for s in bob.snapshots("alice/from-notebook")] == [1, 2, 3]
    with pytest.raises(DatasetsError) as refused:
        bob.snapshot("alice/from-notebook")
    assert refused.value.status == 403
    with pytest.raises(DatasetsError) as missing:
        bob.snapshots("from-notebook")  # his own: none of that name
    assert missing.value.field == "name"


def test_errors_name_the_field(datasets_app: Service) -> None:
    mine = as_user(datasets_app, "alice")
    with pytest.raises(DatasetsError) as bad:
        mine.create("Bad Name", "x")
    assert (bad.value.field, bad.value.status) == ("name", 400)
    with pytest.raises(DatasetsError) as outside:
        Datasets({}).list()
    assert outside.value.status == 503
    assert "GALILEAN_DATASETS_URL" in str(outside.value)
