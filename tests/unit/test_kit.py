"""The service kit's web-free parts: body field checks, scopes and the caller, settings
groups read in a service's process, and the one rule for the user's folder."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from galilean_services import folders
from galilean_services.flows_service.settings import FlowsSettings
from galilean_services.kit import body
from galilean_services.kit.auth import Caller, Scopes
from galilean_services.kit.errors import Forbidden, GalileanError
from galilean_services.kit.settings import CommonSettings, ConfigError, ContainerSettings

THINGS = Scopes("things", {"read": "See things.", "write": "Change things."})


def field_of(check: Any, *args: Any) -> tuple[int, str, str]:
    with pytest.raises(GalileanError) as info:
        check(*args)
    return info.value.status, info.value.errors[0]["field"], info.value.message


def test_body_fields_are_checked_naming_them() -> None:
    assert body.text({"name": "x"}, "name") == "x"
    assert body.text({}, "note", "") == ""
    assert field_of(body.text, {"name": " "}, "name") == (
        400,
        "name",
        "name: a non-empty text is required",
    )
    assert field_of(body.text, {"name": "xx"}, "name", None, 1)[2] == "name: at most 1 characters"
    assert body.names({}, "groups", "group names") is None
    assert field_of(body.names, {"groups": ["a", ""]}, "groups", "group names") == (
        400,
        "groups",
        "groups: a list of group names is required",
    )
    assert body.mapping({"params": None}, "params", "values") == {}
    assert field_of(body.mapping, {"params": [1]}, "params", "values")[1] == "params"
    assert body.flag({}, "public", False) is False
    assert field_of(body.flag, {"public": "no"}, "public", False)[2] == "public: true or false"
    assert body.optional_number({"version": 3}, "version") == 3
    assert field_of(body.optional_number, {"version": True}, "version")[:2] == (400, "version")
    assert field_of(body.optional_number, {"version": 2**31}, "version")[:2] == (404, "version")


def test_scopes_and_the_caller() -> None:
    assert THINGS.names() == ["custom:things:read", "custom:things:write"]
    assert THINGS.letting_in("things") == {
        "access:services!service=things",
        "custom:things:read",
        "custom:things:write",
    }
    assert THINGS.custom_scopes()["custom:things:read"] == {"description": "See things."}
    model = {"name": "ann", "groups": ["team"], "scopes": ["custom:things:read"]}
    caller = Caller.from_hub_model(model, lambda wanted, m: wanted & set(m["scopes"]), THINGS)
    assert caller.verbs == {"read"}
    caller.need("read")
    with pytest.raises(Forbidden) as refused:
        caller.need("write")
    assert refused.value.errors == [{"field": "scope", "scope": "custom:things:write"}]
    assert caller.sees({"owner": "bo", "groups": ["team"]})
    assert not caller.owns({"owner": "bo", "groups": ["team"]})
    assert not caller.sees({"owner": "bo", "groups": []})


def test_a_service_reads_its_group_and_names_a_bad_variable() -> None:
    flows = FlowsSettings.from_environ({"GALILEAN_FLOWS_ENDPOINT_WORKERS": "3"})
    assert flows.flows_endpoint_workers == 3
    assert flows.flows_run_timeout == 3600  # the trait's default: written once
    for variable, value, reason in (
        ("GALILEAN_FLOWS_RUN_TIMEOUT", "1h", "use a whole number"),
        ("GALILEAN_FLOWS_ENGINE", "spark", "use one of auto, polars, duckdb"),
    ):
        with pytest.raises(ConfigError, match=re.escape(f"{variable}={value!r} is not valid")):
            FlowsSettings.from_environ({variable: value})
        with pytest.raises(ConfigError, match=reason):
            FlowsSettings.from_environ({variable: value})
    # A group without the mode requires nothing; environ() is what from_environ reads back.
    box = ContainerSettings.from_environ({})
    assert ContainerSettings.from_environ(box.environ()).environ() == box.environ()


def test_the_users_folder(tmp_path: Path) -> None:
    data = tmp_path / "var"
    assert folders.expand(folders.user_template("embedded", data, "/srv/s/"), "ann") == (
        data / "users" / "ann" / "home"
    )
    assert folders.expand(folders.user_template("docker", data, "/srv/s/"), "ann") == Path(
        "/srv/s/ann"
    )
    root = folders.users_root(data)
    assert folders.workspace_folder(root, "ann", "") == root / "ann" / "home"
    assert folders.workspace_folder(root, "ann", "lab2") == root / "ann" / "workspaces" / "lab2"
    for user, server in (("..", ""), ("ann", ".."), ("a/b", ""), ("ann", ".hidden")):
        with pytest.raises(folders.FolderError):
            folders.workspace_folder(root, user, server)
    with pytest.raises(folders.FolderError):
        folders.expand(folders.embedded_template(data), "../bob")
    assert folders.user_home({folders.HOME_ENV: "/x/home"}) == Path("/x/home")
    assert folders.user_home({}) == Path.home()
    assert CommonSettings.from_environ({"GALILEAN_DATA_DIR": str(data)}).data_path == data
