"""The test folders themselves: each test file's name is unique across the layers (pytest
imports them by base name, with no packages), and each lives in a layer's folder."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from conftest import LAYERS

TESTS = Path(__file__).parents[1]


def test_file_names_are_unique_across_layers() -> None:
    names = Counter(path.name for path in TESTS.glob("*/test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []


def test_every_test_file_is_in_a_layer() -> None:
    assert sorted(p.name for p in TESTS.glob("test_*.py")) == []
    assert {p.parent.name for p in TESTS.glob("*/test_*.py")} <= set(LAYERS)
