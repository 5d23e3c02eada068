"""Tests of core.rebuild: argv building, the output classifier, error locations, Outcome."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nixos_settings.core.system.rebuild import (
    ACTIONS,
    ErrorLocation,
    Kind,
    Outcome,
    OutputClassifier,
    RebuildRequest,
    RequestError,
    best_location,
    classify_all,
    error_locations,
    find_helper,
    format_duration,
    split_flake_ref,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rebuild"
STANDINS = Path(__file__).resolve().parents[1] / "standins"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# ----------------------------------------------------------------------------- argv


def test_channel_default_config_has_no_include() -> None:
    req = RebuildRequest("switch")
    assert req.rebuild_argv() == ["nixos-rebuild", "switch"]
    explicit = RebuildRequest("boot", config_file=Path("/etc/nixos/configuration.nix"))
    assert explicit.rebuild_argv() == ["nixos-rebuild", "boot"]


def test_channel_other_config_uses_include() -> None:
    req = RebuildRequest("dry-build", config_file=Path("/etc/nixos/hosts/laptop.nix"))
    assert req.rebuild_argv() == [
        "nixos-rebuild",
        "dry-build",
        "-I",
        "nixos-config=/etc/nixos/hosts/laptop.nix",
    ]


def test_relative_config_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    req = RebuildRequest("build", config_file=Path("configuration.nix"))
    assert req.rebuild_argv()[-1] == f"nixos-config={tmp_path}/configuration.nix"


def test_flake_argv() -> None:
    req = RebuildRequest("test", flake="/etc/nixos#laptop")
    assert req.rebuild_argv() == ["nixos-rebuild", "test", "--flake", "/etc/nixos#laptop"]


def test_helper_argv_channel_and_flake() -> None:
    req = RebuildRequest("switch", config_file=Path("/etc/nixos/other.nix"), use_helper=True)
    assert req.helper_argv("/nix/store/x/bin/nixos-settings-helper") == [
        "pkexec",
        "/nix/store/x/bin/nixos-settings-helper",
        "rebuild",
        "switch",
        "--config",
        "/etc/nixos/other.nix",
    ]
    flake = RebuildRequest("boot", flake="/etc/nixos#desk", use_helper=True)
    assert flake.argv({"NIXOS_SETTINGS_HELPER": "/h", "PATH": str(STANDINS)}) == [
        "pkexec",
        "/h",
        "rebuild",
        "boot",
        "--flake",
        "/etc/nixos#desk",
    ]
    assert RebuildRequest("build", use_helper=False).argv({"PATH": str(STANDINS)}) == [
        "nixos-rebuild", "build"]


def test_a_missing_nixos_rebuild_is_said_plainly(tmp_path: Path) -> None:
    """Without NixOS there is no nixos-rebuild: say that, not "execve: No such file"."""
    from nixos_settings.core.system.rebuild import missing_program

    empty = {"PATH": str(tmp_path)}
    not_nixos = tmp_path / "no-such-marker"
    text = missing_program("nixos-rebuild", empty, marker=not_nixos)
    assert text is not None and "this computer does not run NixOS" in text
    marker = tmp_path / "NIXOS"
    marker.touch()
    text = missing_program("nixos-rebuild", empty, marker=marker)
    assert text is not None and "/run/current-system/sw/bin" in text
    assert missing_program("nixos-rebuild", {"PATH": str(STANDINS)}) is None
    with pytest.raises(RequestError, match="nixos-rebuild is not"):
        RebuildRequest("build").argv(empty)
    only_rebuild = tmp_path / "bin"
    only_rebuild.mkdir()
    (only_rebuild / "nixos-rebuild").symlink_to(STANDINS / "nixos-rebuild")
    with pytest.raises(RequestError, match="pkexec is not installed"):
        RebuildRequest("switch", use_helper=True).argv({"PATH": str(only_rebuild)})


def test_needs_root() -> None:
    assert {a for a in ACTIONS if RebuildRequest(a).needs_root} == {
        "switch",
        "boot",
        "test",
        "dry-activate",
    }


@pytest.mark.parametrize(
    "ref",
    [
        "/etc/nixos#host --option",
        "/etc/nixos#-host",
        "-/etc/nixos#host",
        "--impure#host",
        "/etc/nixos",
        "/etc/nixos#",
        "#host",
        "/etc/nixos#a#b",
        "/etc/ni xos#host",
        "/etc/nixos;rm -rf /#host",
        "/etc/nixos#host$(id)",
        "/etc/nixos#ho`st`",
        "/etc/nixos#host\n",
        "$(id)#host",
    ],
)
def test_bad_flake_refs_are_refused(ref: str) -> None:
    with pytest.raises(RequestError):
        split_flake_ref(ref)
    with pytest.raises(RequestError):
        RebuildRequest("switch", flake=ref)


def test_good_flake_refs() -> None:
    assert split_flake_ref("/etc/nixos#laptop") == ("/etc/nixos", "laptop")
    assert split_flake_ref(".#my_host-2") == (".", "my_host-2")
    assert split_flake_ref("github:alice/dots#desk") == ("github:alice/dots", "desk")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"action": "install"},
        {"action": "--rollback"},
        {"action": "switch", "config_file": Path("-I")},
        {"action": "switch", "config_file": Path("/etc/nixos/a b.nix")},
        {"action": "switch", "flake": "/etc/nixos#h", "config_file": Path("/etc/nixos/c.nix")},
    ],
)
def test_bad_requests(kwargs: dict[str, object]) -> None:
    with pytest.raises(RequestError):
        RebuildRequest(**kwargs)  # type: ignore[arg-type]


def test_find_helper_resolves_symlinks(tmp_path: Path) -> None:
    real = tmp_path / "store" / "nixos-settings-helper"
    real.parent.mkdir()
    real.write_text("#!/bin/sh\n")
    real.chmod(0o755)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "nixos-settings-helper").symlink_to(real)
    assert find_helper({"PATH": str(bindir)}) == str(real)
    assert find_helper({"PATH": str(bindir), "NIXOS_SETTINGS_HELPER": "/x"}) == "/x"
    with pytest.raises(RequestError):
        find_helper({"PATH": str(tmp_path / "nowhere")})


# ----------------------------------------------------------------------------- classifier


def kinds(lines: list) -> list[Kind]:  # type: ignore[type-arg]
    return [line.kind for line in lines]


def test_channel_switch_progress_reaches_total() -> None:
    lines, c = classify_all([fixture("channel-switch-ok.log")])
    p = c.progress
    assert (p.builds_total, p.fetches_total) == (4, 3)
    assert (p.builds_done, p.fetches_done) == (4, 3)
    assert p.fraction == 1.0
    assert p.phase == "starting the following units: sshd.service"
    assert kinds(lines).count(Kind.PLAN) == 7
    assert kinds(lines).count(Kind.BUILDING) == 4
    assert kinds(lines).count(Kind.FETCHING) == 3
    assert not c.errors
    assert lines[-1].text == "starting the following units: sshd.service"


def test_progress_midway() -> None:
    data = fixture("channel-switch-ok.log").decode()
    cut = data.index("building '/nix/store/jlcd")
    c = OutputClassifier()
    c.feed(data[:cut])
    assert c.progress.done == 4  # 3 fetched + 1 build started
    assert c.progress.total == 7
    assert c.progress.fraction == pytest.approx(4 / 7)
    assert c.progress.current == "system-path"


def test_nix23_countless_plan_counts_listed_paths() -> None:
    _, c = classify_all([fixture("channel-build-nix23.log")])
    assert (c.progress.builds_total, c.progress.fetches_total) == (3, 1)
    assert c.progress.done == 4


def test_dry_build_announces_but_does_nothing() -> None:
    _, c = classify_all([fixture("dry-build.log")])
    assert c.progress.total == 3  # 2 derivations + "this path will be fetched"
    assert c.progress.done == 0
    assert c.progress.fraction == 0.0


def test_no_plan_means_unknown_fraction() -> None:
    c = OutputClassifier()
    c.feed(b"building the system configuration...\n")
    assert c.progress.fraction is None


def test_old_nix_error_location() -> None:
    lines, c = classify_all([fixture("channel-eval-error-nix23.log")])
    assert kinds(lines) == [Kind.INFO, Kind.INFO, Kind.ERROR, Kind.ERROR]
    assert lines[2].location == ErrorLocation("/etc/nixos/configuration.nix", 42, 27)
    assert c.locations == [ErrorLocation("/etc/nixos/configuration.nix", 42, 27)]


def test_flake_syntax_error_block(tmp_path: Path) -> None:
    lines, c = classify_all([fixture("flake-syntax-error.log")])
    assert kinds(lines)[:3] == [Kind.WARNING, Kind.INFO, Kind.WARNING]
    assert all(k is Kind.ERROR for k in kinds(lines)[3:])
    store = "/nix/store/zjyqqahkzhs1lkzj9y17wgj28r0yigy2-source/configuration.nix"
    assert c.locations == [ErrorLocation(store, 12, 5)]
    # Mapped back to the flake directory only when the file exists there.
    assert best_location(c.locations, tmp_path) == ErrorLocation(store, 12, 5)
    (tmp_path / "configuration.nix").write_text("{ }\n")
    assert best_location(c.locations, tmp_path) == ErrorLocation(
        str(tmp_path / "configuration.nix"), 12, 5
    )


def test_option_error_prefers_user_file(tmp_path: Path) -> None:
    _, c = classify_all([fixture("flake-option-error.log")])
    assert [loc.line for loc in c.locations] == [322, 261, 0]
    (tmp_path / "configuration.nix").write_text("{ }\n")
    best = best_location(c.locations, tmp_path)
    assert best == ErrorLocation(str(tmp_path / "configuration.nix"), 0, 0)
    assert str(best) == str(tmp_path / "configuration.nix")
    # Without a flake directory nothing maps, so the innermost (last) one wins.
    assert best_location(c.locations) == c.locations[-1]
    assert best_location([]) is None


def test_build_failure_errors_and_log_lines() -> None:
    lines, c = classify_all([fixture("build-failure.log")])
    first_error = next(i for i, line in enumerate(lines) if line.kind is Kind.ERROR)
    assert lines[first_error].text.startswith("error: builder for")
    assert lines[first_error - 1].kind is Kind.INFO  # the make output before it
    assert c.errors[-1].text.startswith("error: 1 dependencies of derivation")
    assert len(c.errors) == 8
    assert c.progress.builds_done == 1


def test_warnings_and_singular_plan() -> None:
    lines, c = classify_all([fixture("eval-warning-boot.log")])
    assert kinds(lines).count(Kind.WARNING) == 2
    assert c.progress.builds_total == 1
    assert c.progress.phase == "updating GRUB 2 menu"


def test_progress_bar_carriage_returns() -> None:
    lines, c = classify_all([fixture("progress-bar.log")])
    transient = [line for line in lines if line.transient]
    assert len(transient) == 5
    assert all(line.kind is Kind.PROGRESS for line in transient)
    assert all("\x1b" not in line.text for line in lines)
    assert transient[-1].text.endswith("building nixos-system-nixos")
    assert (c.progress.builds_done, c.progress.builds_total) == (1, 2)
    assert (c.progress.fetches_done, c.progress.fetches_total) == (3, 3)
    # "\r\n" ends ordinary lines, it is not a progress redraw.
    assert [line.text for line in lines if not line.transient] == [
        "building the system configuration...",
        "activating the configuration...",
        "setting up /etc...",
    ]


def test_crlf_split_across_chunks() -> None:
    c = OutputClassifier()
    assert c.feed(b"setting up /etc...\r") == []  # cannot know yet whether "\n" follows
    out = c.feed(b"\nnext")
    assert [(line.text, line.transient) for line in out] == [("setting up /etc...", False)]
    assert [line.text for line in c.finish()] == ["next"]


def test_bare_cr_at_end_of_stream_is_transient() -> None:
    c = OutputClassifier()
    c.feed(b"[1/2 built] x\r")
    out = c.finish()
    assert [(line.text, line.transient) for line in out] == [("[1/2 built] x", True)]


def test_utf8_split_across_chunks() -> None:
    data = "       … while evaluating\n".encode()
    c = OutputClassifier()
    c.feed(b"error:\n")
    out = c.feed(data[:8]) + c.feed(data[8:])
    assert [line.text for line in out] == ["       … while evaluating"]
    assert out[0].kind is Kind.ERROR


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    lines, _ = classify_all([b"caf\xe9 ok\n"])
    assert lines[0].text == "caf\ufffd ok"


ALL_FIXTURES = sorted(p.name for p in FIXTURES.glob("*.log"))


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(ALL_FIXTURES), cuts=st.lists(st.integers(0, 2000), max_size=30))
def test_any_chunking_gives_the_same_result(name: str, cuts: list[int]) -> None:
    data = fixture(name)
    whole, ref = classify_all([data])
    points = sorted({min(c, len(data)) for c in cuts})
    chunks = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    pieces, got = classify_all(chunks)
    assert pieces == whole
    assert got.progress == ref.progress
    assert got.locations == ref.locations


def test_byte_by_byte_feeding() -> None:
    data = fixture("flake-syntax-error.log")
    whole, _ = classify_all([data])
    one, _ = classify_all([data[i : i + 1] for i in range(len(data))])
    assert one == whole


# ----------------------------------------------------------------------------- locations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "error: undefined variable 'x' at /etc/nixos/configuration.nix:12:5",
            [("/etc/nixos/configuration.nix", 12, 5)],
        ),
        (
            "error: syntax error, unexpected '}', at /etc/nixos/hw.nix:3:1\n",
            [("/etc/nixos/hw.nix", 3, 1)],
        ),
        ("       at /etc/nixos/configuration.nix:12:5:", [("/etc/nixos/configuration.nix", 12, 5)]),
        (
            "anonymous function at /etc/nixos/a.nix:1:1 called without required argument"
            " 'lib', at /etc/nixos/b.nix:7:3",
            [("/etc/nixos/a.nix", 1, 1), ("/etc/nixos/b.nix", 7, 3)],
        ),
        (
            "       - In `/etc/nixos/configuration.nix': true",
            [("/etc/nixos/configuration.nix", 0, 0)],
        ),
        ("error: at «string»:1:2:", []),
        ("at relative/path.nix:1:2:", []),
        ("at /etc/nixos/x.nix:12", []),
        ("at /a.nix:1:1:\nat /a.nix:1:1:", [("/a.nix", 1, 1)]),
    ],
)
def test_error_locations(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert error_locations(text) == [ErrorLocation(*e) for e in expected]


# ----------------------------------------------------------------------------- outcome


def test_outcome_strings() -> None:
    assert str(Outcome("switch", 0, duration=83.2)) == "switch succeeded in 1 min 23 s"
    assert Outcome("switch", 0).ok
    failed = Outcome("dry-build", 1, duration=4.25, first_error="error: undefined variable 'x'")
    assert not failed.ok
    assert str(failed) == (
        "dry-build failed (exit status 1) after 4.2 s: error: undefined variable 'x'"
    )
    cancelled = Outcome("boot", None, cancelled=True, duration=12.4)
    assert not cancelled.ok and str(cancelled) == "boot cancelled after 12 s"
    assert str(Outcome("test", None, duration=1)) == "test failed (crashed) after 1.0 s"
    nostart = Outcome("switch", None, error="pkexec not found")
    assert not nostart.ok and str(nostart) == "switch could not start: pkexec not found"


def test_format_duration() -> None:
    assert format_duration(0.42) == "0.4 s"
    assert format_duration(59.4) == "59 s"
    assert format_duration(3600 + 125) == "1 h 02 min"
