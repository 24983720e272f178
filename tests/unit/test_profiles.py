"""Resource profiles: what stack.env may say, who may pick which, what a start gets, and
the control groups that enforce them in embedded mode (on a fake cgroup tree here; the
real one in tests/integration/test_workspaces.py)."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from tornado import web

from galilean_hub.cgroups import Cgroups, group_name, hub_key
from galilean_hub.limits import ServerSizer
from galilean_hub.profiles import ALL_GPUS, Profile, Profiles
from galilean_services.kit.settings import ConfigError

GIB = 1024**3
SPEC = (
    "small: 1 cpu, 2G; large: 4 cpus, 16G; gpu: 4 CPU, 16G, 1 gpu; everything: 8 cpu, 64G, all gpus"
)


def user(name: str = "ann", admin: bool = False, *groups: dict[str, Any]) -> Any:
    return SimpleNamespace(
        name=name,
        admin=admin,
        groups=[SimpleNamespace(name=f"g{i}", properties=p) for i, p in enumerate(groups)],
    )


def spawner(owner: Any, options: dict[str, Any] | None = None, **traits: Any) -> Any:
    return SimpleNamespace(
        user=owner,
        user_options=options or {},
        _log_name=f"{owner.name}/ws",
        log=logging.getLogger("test-profiles"),
        mem_limit=traits.get("mem_limit"),
        cpu_limit=traits.get("cpu_limit"),
        **{k: v for k, v in traits.items() if k not in ("mem_limit", "cpu_limit")},
    )


def test_profiles_are_read_from_stack_env() -> None:
    profiles = Profiles.from_settings(SPEC, "")
    assert [p.name for p in profiles.all] == ["small", "large", "gpu", "everything"]
    assert profiles.default is profiles.by_name["small"]
    assert profiles.by_name["large"] == Profile("large", 4.0, 16 * GIB, 0)
    assert profiles.by_name["gpu"].gpus == 1
    assert profiles.by_name["everything"].gpus == ALL_GPUS
    assert profiles.by_name["gpu"].label == "4 CPU · 16 GB · 1 GPU"
    assert Profile("tiny", 0.5, 512 * 1024**2).label == "0.5 CPU · 512 MB"
    assert Profiles.from_settings(SPEC, "large").default is not None
    assert not Profiles.from_settings("  ", "")


@pytest.mark.parametrize(
    ("text", "default", "words"),
    [
        ("small 1 cpu, 2G", "", "does not start with a profile name"),
        ("Small: 1 cpu, 2G", "", "does not start with a profile name"),
        ("small: 1 cpu, 2 gigs", "", "'2 gigs' is not 'N cpu', a size or 'N gpu'"),
        ("small: 2G", "", "needs a CPU count above 0"),
        ("small: 1 cpu, 1M", "", "64M or more"),
        ("small: 0 cpu, 2G", "", "needs a CPU count above 0"),
        ("a: 1 cpu, 1G; a: 2 cpu, 2G", "", "names 'a' twice"),
        ("a: 1 cpu, 1G", "b", "GALILEAN_DEFAULT_PROFILE='b' is not one of"),
        ("", "b", "none set"),
    ],
)
def test_bad_profiles_name_the_variable(text: str, default: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Profiles.from_settings(text, default)
    assert words in str(caught.value)
    assert "GALILEAN_" in str(caught.value)


def test_who_may_pick_which() -> None:
    profiles = Profiles.from_settings(SPEC, "small")

    def names(who: Any) -> list[str]:
        return [p.name for p in profiles.allowed(who)]

    assert names(user()) == ["small"]
    assert names(user("bo", False, {"galilean.profiles": ["large"]})) == ["small", "large"]
    assert names(user("cy", False, {"galilean.profiles": "gpu, nope"})) == ["small", "gpu"]
    assert names(user("di", False, {"galilean.profiles": 7}, {})) == ["small"]
    assert names(user("root", True)) == ["small", "large", "gpu", "everything"]
    assert Profiles([]).allowed(user("root", True)) == []


def test_a_choice_is_checked_against_the_user() -> None:
    profiles = Profiles.from_settings(SPEC, "small")
    member = user("bo", False, {"galilean.profiles": ["large"]})
    assert profiles.check_choice(member, "large").name == "large"
    with pytest.raises(web.HTTPError) as caught:
        profiles.check_choice(member, "gpu")
    assert caught.value.status_code == 403
    assert "profile 'gpu' is not offered to you (yours: small, large)" in str(
        caught.value.log_message
    )
    for bad in ("huge", 3, None):
        with pytest.raises(web.HTTPError) as caught:
            profiles.check_choice(member, bad)
        assert caught.value.status_code == 400
        assert "profile must be one of: small, large, gpu, everything" in str(
            caught.value.log_message
        )
    # Where the user is not known (JupyterHub's query path) only the name is checked:
    # the start gives nothing the user may not have.
    assert profiles.check_choice(None, "gpu").name == "gpu"


def test_a_start_gets_its_profile_while_offered(caplog: pytest.LogCaptureFixture) -> None:
    profiles = Profiles.from_settings(SPEC, "small")
    member = user("bo", False, {"galilean.profiles": ["large"]})
    chosen = profiles.for_start(spawner(member, {"profile": "large"}))
    assert chosen is not None
    assert chosen.name == "large"
    outsider = user("ed")
    with caplog.at_level(logging.WARNING, "test-profiles"):
        fallback = profiles.for_start(spawner(outsider, {"profile": "large"}))
    assert fallback is not None
    assert fallback.name == "small"
    assert "profile 'large' of ed/ws is not offered to ed: starting with 'small'" in caplog.text
    assert Profiles([]).for_start(spawner(outsider)) is None


def test_the_spawn_form_offers_a_choice_only_when_there_is_one() -> None:
    profiles = Profiles.from_settings(SPEC, "small")
    assert profiles.options_form(spawner(user())) == ""
    member = user("bo", False, {"galilean.profiles": ["large"]})
    form = profiles.options_form(spawner(member, {"profile": "large"}))
    assert 'name="profile" id="profile-small" value="small">' in form
    assert 'name="profile" id="profile-large" value="large" checked>' in form
    assert "4 CPU · 16 GB" in form
    assert "gpu" not in form


def test_the_sizer_applies_the_profile_and_gpus() -> None:
    sizer = ServerSizer(Profiles.from_settings(SPEC, "small"))
    root = user("root", True)
    docker = spawner(
        root, {"profile": "gpu"}, mem_limit=GIB, cpu_limit=1.0, extra_host_config={"x": 1}
    )
    sizer(docker)
    assert (docker.mem_limit, docker.cpu_limit) == (16 * GIB, 4.0)
    assert docker.extra_host_config == {
        "x": 1,
        "device_requests": [{"count": 1, "capabilities": [["gpu"]]}],
    }
    docker.user_options = {"profile": "large"}  # the same spawner, started again
    sizer(docker)
    assert docker.extra_host_config == {"x": 1}
    assert (docker.mem_limit, docker.cpu_limit) == (16 * GIB, 4.0)


def test_without_profiles_groups_replace_the_defaults_each_start() -> None:
    sizer = ServerSizer(Profiles([]))
    member = user("bo", False, {"galilean.mem_limit": "3G", "galilean.cpu_limit": 0.5})
    started = spawner(member, mem_limit=GIB, cpu_limit=1.0)
    sizer(started)
    assert (started.mem_limit, started.cpu_limit) == (3 * GIB, 0.5)
    member.groups = []  # left the group: the next start is back to the defaults
    sizer(started)
    assert (started.mem_limit, started.cpu_limit) == (GIB, 1.0)


def fake_v1(root: Path, hub_memory: str) -> Path:
    for controller in ("memory", "cpu"):
        (root / controller / hub_memory.strip("/")).mkdir(parents=True)
    own = root / "self-cgroup"
    own.write_text(f"9:name=systemd:/\n4:memory:{hub_memory}\n1:cpu:/\n0::/\n")
    return own


def test_v1_groups_are_made_under_the_hubs_own(tmp_path: Path) -> None:
    own = fake_v1(tmp_path, "/process_api/abc")
    cgroups, why = Cgroups.probe(tmp_path, own)
    assert why == ""
    assert cgroups is not None
    assert cgroups.bases == (
        tmp_path / "memory/process_api/abc/galilean",
        tmp_path / "cpu/galilean",
    )
    memory, cpu = cgroups.make(group_name("h1", "ann.x", ""), 512 * 1024**2, 1.5)
    assert memory.name == "h1--ann.x--home"
    assert (memory / "memory.limit_in_bytes").read_text() == str(512 * 1024**2)
    assert (cpu / "cpu.cfs_quota_us").read_text() == "150000"
    assert (cpu / "cpu.cfs_period_us").read_text() == "100000"
    cgroups.make(group_name("h1", "ann.x", ""), None, None)  # made again: limits reset
    assert (memory / "memory.limit_in_bytes").read_text() == "-1"
    assert (cpu / "cpu.cfs_quota_us").read_text() == "-1"
    assert group_name("h1", "a/../b", "ws") == "h1--a_.._b--ws"
    # Two hubs' users of one name: two groups; one hub's: the same after a restart.
    assert hub_key("/srv/a/users") != hub_key("/srv/b/users")
    assert hub_key("/srv/a/users") == hub_key("/srv/a/users/")


def test_v2_needs_the_controllers(tmp_path: Path) -> None:
    own = tmp_path / "self-cgroup"
    own.write_text("0::/\n")
    (tmp_path / "cgroup.controllers").write_text("cpuset io pids\n")
    assert Cgroups.probe(tmp_path, own) == (
        None,
        f"cgroup v2 at {tmp_path} does not offer the memory and cpu controllers",
    )
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    cgroups, why = Cgroups.probe(tmp_path, own)
    assert cgroups is not None, why
    assert (tmp_path / "cgroup.subtree_control").read_text() == "+memory +cpu"
    (group,) = cgroups.make("ann--ws", GIB, 2)
    assert (group / "memory.max").read_text() == str(GIB)
    assert (group / "cpu.max").read_text() == "200000 100000"


def test_no_cgroups_says_why(tmp_path: Path) -> None:
    own = tmp_path / "self-cgroup"
    own.write_text("0::/\n")
    assert Cgroups.probe(tmp_path, own)[1].startswith("no cgroup v2")
    assert "cannot read" in Cgroups.probe(tmp_path, tmp_path / "missing")[1]
    (tmp_path / "memory").mkdir()
    (tmp_path / "cpu").mkdir()
    own.write_text("4:memory:/gone\n1:cpu:/\n")  # the hub's group is not there to hold ours
    cgroups, why = Cgroups.probe(tmp_path, own)
    assert cgroups is None
    assert why.startswith(f"cannot make control groups under {tmp_path / 'memory/gone'}")
    assert "limits need the hub to run as root" in why


def test_docker_takes_the_gpu_request() -> None:
    """What the sizer puts in extra_host_config is what docker-py sends to the engine."""
    from docker.types import HostConfig

    sizer = ServerSizer(Profiles.from_settings(SPEC, "small"))
    started = spawner(user("root", True), {"profile": "everything"}, extra_host_config={})
    sizer(started)
    host = HostConfig(version="1.44", **started.extra_host_config)
    assert host["DeviceRequests"] == [
        {"Driver": "", "Count": -1, "DeviceIDs": [], "Capabilities": [["gpu"]], "Options": {}}
    ]


def test_a_group_can_set_a_users_default() -> None:
    """The usage dashboard's assignment: a group with galilean.default_profile replaces the
    hub's default for its members (what they may use and what they start with)."""
    profiles = Profiles.from_settings(SPEC, "small")
    assigned = user("bo", False, {"galilean.default_profile": "large"})
    assert [p.name for p in profiles.allowed(assigned)] == ["large"]
    assert profiles.default_for(assigned) is profiles.by_name["large"]
    # A workspace that last started as the old default starts as the assigned one.
    started = profiles.for_start(spawner(assigned, {"profile": "small"}))
    assert started is not None
    assert started.name == "large"
    both = user("cy", False, {"galilean.default_profile": "gpu"}, {"galilean.profiles": "small"})
    assert [p.name for p in profiles.allowed(both)] == ["small", "gpu"]
    assert profiles.default_for(user("di", False, {"galilean.default_profile": "nope"})) is (
        profiles.default
    )
