"""The Python transform: user code in a sandboxed process, failures as failed runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from flow_builders import ORDERS, flow_of, result, same

from galilean_services.flows.runner import preview, run

DOUBLE = """
def transform(df):
    df["twice"] = df["amount"] * 2
    return df[df["amount"].notna()]
"""


def python_flow(code: str, **limits: object) -> Any:
    return flow_of(
        {"id": "py", "kind": "transform.python", "params": {"code": code, **limits}},
        {"kind": "transform.sort", "params": {"keys": [{"column": "id"}]}},
    )


def failure(code: str, **limits: object) -> str:
    outcome = run(python_flow(code, **limits))
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert outcome.error["node"] == "py"
    return str(outcome.error["message"])


def test_user_code_transforms_rows_and_the_flow_continues() -> None:
    got = result(python_flow(DOUBLE))
    expected = ORDERS[ORDERS.amount.notna()].assign(twice=lambda d: d.amount * 2)
    same(got, expected)
    assert preview(python_flow(DOUBLE), "py", limit=2).num_rows == 2


def test_infinite_loop_times_out() -> None:
    message = failure("def transform(df):\n    while True:\n        pass\n", timeout_seconds=2)
    assert "timed out after 2 s" in message or "CPU time limit" in message


def test_memory_blow_up_is_stopped() -> None:
    code = "def transform(df):\n    hog = [bytearray(10**8) for _ in range(100)]\n    return df\n"
    assert "memory" in failure(code, memory_mb=512)


def test_starting_programs_is_refused() -> None:
    code = (
        "import os\ndef transform(df):\n    os.system('touch /tmp/galilean-owned')\n    return df\n"
    )
    message = failure(code)
    assert "os.system is not allowed" in message
    assert not Path("/tmp/galilean-owned").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox switches to `nobody` only as root")
def test_other_users_files_are_out_of_reach(tmp_path: Path) -> None:
    private = tmp_path / "users" / "alice"
    private.mkdir(parents=True)
    private.chmod(0o700)
    (private / "secret.txt").write_text("alice's")
    code = f"def transform(df):\n    open({str(private / 'secret.txt')!r}).read()\n    return df\n"
    assert "PermissionError" in failure(code)


def test_syntax_errors_are_found_before_running() -> None:
    from galilean_services.flows import validate

    issues = validate(python_flow("def transform(df)\n    return df"))
    assert [(i.node, i.path) for i in issues] == [("py", "code")]
    assert "line 1" in issues[0].message


def test_an_exception_names_the_line() -> None:
    message = failure("def transform(df):\n    x = 1\n    return df['nope']\n")
    assert message.startswith("KeyError (line 3)")


PRIVACY = """
import os
def transform(df):
    here = os.stat(".")
    with open("made.txt", "w") as f:
        f.write("x")
    df["mode"] = oct(here.st_mode & 0o777)
    df["owner"] = here.st_uid
    df["uid"] = os.getuid()
    modes = [f"{n}:{oct(os.stat(n).st_mode & 0o777)}" for n in sorted(os.listdir("."))]
    df["files"] = ",".join(modes)
    return df
"""


def test_the_sandbox_folder_is_private_to_the_account_the_code_runs_as() -> None:
    from galilean_services.flows.sandbox import _account, _interpreter

    account = _account()
    expected = account.pw_uid if account and _interpreter(account) else os.geteuid()
    row = result(python_flow(PRIVACY)).iloc[0]
    assert (row["mode"], row["owner"], row["uid"]) == ("0o700", expected, expected)
    assert row["files"] == "code.py:0o600,in.arrow:0o600,made.txt:0o600"


@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox switches to `nobody` only as root")
def test_the_flows_database_is_out_of_reach() -> None:
    """Even in a folder anyone may enter, the service's database (0600) cannot be read."""
    import shutil
    import tempfile

    from galilean_services.flows.sandbox import _account, _interpreter
    from galilean_services.flows_service.store import Store

    if _interpreter(_account()) is None:
        pytest.skip("`nobody` cannot run Python here: the sandbox runs as this account")
    folder = Path(tempfile.mkdtemp())
    try:
        folder.chmod(0o755)
        database = folder / "flows.sqlite"
        Store(f"sqlite:///{database}").close()
        code = f"def transform(df):\n    open({str(database)!r}, 'rb').read()\n    return df\n"
        assert "PermissionError" in failure(code)
    finally:
        shutil.rmtree(folder)
