"""A new option stays before a set's stateVersion trailer and follows the neighbours' spacing.

The golden cases pin exact bytes for hand-picked files; these tests check the invariants on
many small shapes: the trailer stays last, no doubled blank line, no blank line made after
``{`` or before ``}``, a blank line before the new binding exactly when the neighbours are
set apart by one.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.edit import planning
from nixos_settings.core.edit.layout import blank_line_between
from nixos_settings.core.nix import optpath


def test_blank_line_between_reads_the_gap_only() -> None:
    src = b"a = 1; # note\n\n  # about b\n  b = 2;\n  c = 3;\n"
    a_end = src.index(b";") + 1
    b_start = src.index(b"b =")
    b_end = src.index(b";", b_start) + 1
    assert blank_line_between(src, a_end, b_start)
    assert not blank_line_between(src, b_end, src.index(b"c ="))


def test_blank_line_between_crlf_and_same_line() -> None:
    src = b"{\r\n  a = 1;\r\n\r\n  b = 2; c = 3;\r\n}\r\n"
    a_end = src.index(b"1;") + 2
    assert blank_line_between(src, a_end, src.index(b"b ="))
    assert not blank_line_between(src, src.index(b"2;") + 2, src.index(b"c ="))


TRAILER = (
    "  # This value determines the NixOS release from which the default\n"
    "  # settings for stateful data were taken.\n"
    '  system.stateVersion = "24.05"; # Did you read the comment?\n'
)
BODIES = [
    ['networking.hostName = "a";'],
    ['networking.hostName = "a";', 'time.timeZone = "UTC";'],
    ['networking.hostName = "a";', "services.x = {\n    enable = true;\n  };"],
]


def _file(body: list[str], spaced: bool, trailer_gap: bool) -> str:
    sep = "\n\n" if spaced else "\n"
    text = sep.join("  " + b for b in body) + "\n"
    return "{ config, pkgs, ... }:\n{\n" + text + ("\n" if trailer_gap else "") + TRAILER + "}\n"


SHAPES = list(itertools.product(range(len(BODIES)), [False, True], [False, True]))


@pytest.mark.parametrize(("body", "spaced", "trailer_gap"), SHAPES)
@pytest.mark.parametrize("value", ["true", "{\n  enable = true;\n}"])
def test_new_option_before_trailer_in_rhythm(tmp_path: Path, body: int, spaced: bool,
                                             trailer_gap: bool, value: str) -> None:
    before = _file(BODIES[body], spaced, trailer_gap)
    path = tmp_path / "configuration.nix"
    path.write_text(before)
    cfg = Configuration.load(path)
    cfg.apply(planning.plan_set(cfg, optpath.parse("programs.fish.enable"), value))
    after = cfg.documents[path].source.decode()
    assert after.endswith(TRAILER + "}\n"), after  # the trailer block is untouched and last
    assert "\n\n\n" not in after
    assert "{\n\n" not in after and "\n\n}" not in after
    head, _, _ = after.partition("  programs.fish.enable")
    # a blank line before the new binding exactly when the last one before it had one
    # (the first binding: when the trailer was set apart from it)
    # (none between two packed bindings)
    evidence = trailer_gap and (spaced or len(BODIES[body]) == 1)
    assert head.endswith("\n\n") == evidence, after


def test_trailer_not_last_is_an_ordinary_binding(tmp_path: Path) -> None:
    before = "{ ... }:\n{\n" + TRAILER + '  time.timeZone = "UTC";\n}\n'
    path = tmp_path / "configuration.nix"
    path.write_text(before)
    cfg = Configuration.load(path)
    cfg.apply(planning.plan_set(cfg, optpath.parse("programs.fish.enable"), "true"))
    assert cfg.documents[path].source.decode() == (
        "{ ... }:\n{\n" + TRAILER + '  time.timeZone = "UTC";\n  programs.fish.enable = true;\n}\n')


def test_unset_of_the_new_option_gives_the_file_back(tmp_path: Path) -> None:
    for n, (body, spaced, gap) in enumerate(SHAPES):
        before = _file(BODIES[body], spaced, gap)
        path = tmp_path / f"c{n}.nix"
        path.write_text(before)
        cfg = Configuration.load(path)
        loc = optpath.parse("programs.fish.enable")
        cfg.apply(planning.plan_set(cfg, loc, "true"))
        cfg.apply(planning.plan_unset(cfg, loc))
        assert cfg.documents[path].source.decode() == before


@pytest.mark.parametrize(("body", "spaced"), list(itertools.product(range(len(BODIES)),
                                                                    [False, True])))
def test_add_then_unset_without_trailer_gives_the_file_back(tmp_path: Path, body: int,
                                                            spaced: bool) -> None:
    sep = "\n\n" if spaced else "\n"
    before = "{ ... }:\n{\n" + sep.join("  " + b for b in BODIES[body]) + "\n}\n"
    path = tmp_path / "configuration.nix"
    path.write_text(before)
    cfg = Configuration.load(path)
    loc = optpath.parse("programs.fish.enable")
    cfg.apply(planning.plan_set(cfg, loc, "{\n  enable = true;\n}"))
    added = cfg.documents[path].source.decode()
    assert ("\n\n  programs.fish" in added) == (spaced and len(BODIES[body]) > 1), added
    cfg.apply(planning.plan_unset(cfg, loc))
    assert cfg.documents[path].source.decode() == before
