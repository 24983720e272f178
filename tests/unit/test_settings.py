"""Settings: parsing, refusals that name the variable, and stack.env.example completeness."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from galilean_hub.example import render
from galilean_hub.settings import ConfigError, Settings, load_settings, parse_env_file
from harness.hub import REPO


def test_defaults_are_embedded_and_local() -> None:
    settings = Settings.from_environ({})
    assert settings.mode == "embedded"
    assert settings.bind_url == "http://127.0.0.1:8000"
    assert settings.admin_users == ["admin"]


def test_values_are_typed() -> None:
    settings = Settings.from_environ(
        {
            "GALILEAN_ADMIN_USERS": "ada, grace ,",
            "GALILEAN_TOTP": "yes",
            "GALILEAN_MAX_WORKSPACES": "2",
            "GALILEAN_DOCKER_CPU_LIMIT": "0.5",
        }
    )
    assert settings.admin_users == ["ada", "grace"]
    assert settings.totp is True
    assert settings.max_workspaces == 2
    assert settings.docker_cpu_limit == 0.5


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"GALILEAN_MODE": "kubernetes"}, "GALILEAN_MODE='kubernetes' is not valid: use one of"),
        ({"GALILEAN_HUB_PORT": "80a"}, "GALILEAN_HUB_PORT='80a' is not valid: use a whole number"),
        ({"GALILEAN_TOTP": "maybe"}, "GALILEAN_TOTP='maybe' is not valid: use true or false"),
        (
            {"GALILEAN_FLOWS_MEMORY_LIMIT": "2XB"},
            "GALILEAN_FLOWS_MEMORY_LIMIT='2XB' is not valid: Unknown unit for memory: 'xb'",
        ),
        (
            {"GALILEAN_MODE": "docker"},
            "GALILEAN_COOKIE_SECRET, GALILEAN_DB_URL, GALILEAN_DOCKER_NETWORK are",
        ),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(named)):
        Settings.from_environ(env)


def test_secrets_are_not_echoed_in_errors() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_environ({"GALILEAN_MODE": "docker", "GALILEAN_DB_URL": "x"})
    assert "x" not in str(caught.value).split("required")[0].replace("GALILEAN_", "")


def test_env_file_fills_what_the_environment_lacks(tmp_path: Path) -> None:
    env_file = tmp_path / "stack.env"
    env_file.write_text(
        "# comment\n\nexport GALILEAN_MAX_WORKSPACES=7\nGALILEAN_ADMIN_USERS='root'\n"
        'GALILEAN_BIND_URL="http://0.0.0.0:9000"\n'
    )
    env_file.chmod(0o644)
    settings, warnings = load_settings(
        {"GALILEAN_ENV_FILE": str(env_file), "GALILEAN_MAX_WORKSPACES": "1"}
    )
    assert settings.max_workspaces == 1  # the environment wins
    assert settings.admin_users == ["root"]
    assert settings.bind_url == "http://0.0.0.0:9000"
    assert warnings
    assert "chmod 600" in warnings[0]
    env_file.chmod(0o600)
    assert load_settings({"GALILEAN_ENV_FILE": str(env_file)})[1] == []


def test_passing_a_providers_key_to_user_servers_is_warned_of(tmp_path: Path) -> None:
    env_file = tmp_path / "stack.env"
    env_file.write_text("GALILEAN_USER_ENV_KEEP=OPENAI_API_KEY,MY_SETTING\n")
    env_file.chmod(0o600)
    _, warnings = load_settings({"GALILEAN_ENV_FILE": str(env_file)})
    assert len(warnings) == 1
    assert "passes OPENAI_API_KEY to every user server" in warnings[0]


def test_env_file_errors_name_file_and_line(tmp_path: Path) -> None:
    env_file = tmp_path / "stack.env"
    env_file.write_text("GALILEAN_MODE=embedded\nthis is not a setting\n")
    with pytest.raises(ConfigError, match=r"stack.env:2: expected KEY=VALUE"):
        parse_env_file(env_file)
    with pytest.raises(ConfigError, match="GALILEAN_ENV_FILE"):
        load_settings({"GALILEAN_ENV_FILE": str(tmp_path / "missing.env")})


def test_stack_env_example_lists_every_setting_with_its_default() -> None:
    example = parse_env_file(REPO / "stack.env.example")
    for var, trait in Settings.env_traits().items():
        assert var in example, f"{var} missing from stack.env.example"
        default = trait.default()
        if isinstance(default, list):
            default = ",".join(default)
        elif isinstance(default, bool):
            default = "true" if default else "false"
        assert example[var] == str(default), var
    assert set(example) == set(Settings.env_traits())


def test_stack_env_example_is_generated_from_the_settings() -> None:
    assert (REPO / "stack.env.example").read_text() == render(), (
        "run: python -m galilean_hub.example > stack.env.example"
    )


def test_stack_env_example_is_valid() -> None:
    settings, _ = load_settings({"GALILEAN_ENV_FILE": str(REPO / "stack.env.example")})
    assert settings.mode == "embedded"
