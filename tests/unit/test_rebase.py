"""Keeping pending edits over a file changed on disk: the edits (original → yours) are
carried onto the new text when they touch other lines; nothing is guessed otherwise."""

from __future__ import annotations

from pathlib import Path

from nixos_settings.core.edit.rebase import carry_over, rebase

BASE = b"""{ config, ... }:\r
{\r
  networking.hostName = "box";\r
  services.openssh.enable = true;\r
  system.stateVersion = "20.09";\r
}\r
"""


def test_edits_on_other_lines_are_carried_over_byte_exactly() -> None:
    mine = BASE.replace(b'"box"', b'"box2"')
    theirs = BASE.replace(b"  services.openssh.enable = true;\r\n",
                          b"  services.openssh.enable = true;\r\n  # by hand\r\n")
    assert rebase(BASE, mine, theirs) == theirs.replace(b'"box"', b'"box2"')


def test_an_insertion_next_to_their_unchanged_lines_is_kept() -> None:
    mine = BASE.replace(b"  system.stateVersion", b"  time.timeZone = \"UTC\";\r\n"
                        b"  system.stateVersion")
    theirs = BASE.replace(b'"box"', b'"other"')
    assert rebase(BASE, mine, theirs) == mine.replace(b'"box"', b'"other"')


def test_the_same_line_changed_on_both_sides_is_not_merged() -> None:
    mine = BASE.replace(b'"box"', b'"box2"')
    theirs = BASE.replace(b'"box"', b'"box3"')
    assert rebase(BASE, mine, theirs) is None
    # a change right beside mine is not guessed either
    theirs = BASE.replace(b"{ config, ... }:", b"{ config, pkgs, ... }:").replace(
        b"  services.openssh.enable = true;", b"  services.openssh.enable = false;")
    assert rebase(BASE, mine, theirs) is None


def test_carry_over_is_one_change_or_none() -> None:
    p, q = Path("/c/a.nix"), Path("/c/b.nix")
    mine = BASE.replace(b'"box"', b'"box2"')
    theirs = BASE + b"# end\r\n"
    change = carry_over({p: (BASE, mine)}, {p: theirs})
    assert change is not None
    assert change.files == {p: (theirs, mine + b"# end\r\n")}
    assert carry_over({p: (BASE, mine), q: (BASE, mine)},
                      {p: theirs, q: BASE.replace(b'"box"', b'"x"')}) is None
    assert carry_over({p: (BASE, mine)}, {}) is None  # the file is gone
