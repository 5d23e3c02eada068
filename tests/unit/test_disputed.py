"""Where the grammar and ``nix-instantiate --parse`` disagree, Nix is trusted for the file as
read: the spot becomes a note, edits elsewhere work, edits into it are refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.document import Document
from nixos_settings.core.edit import planning
from nixos_settings.core.edit.plan import Plan

NIX = shutil.which("nix-instantiate")
EMPTY_INHERIT = b'{ pkgs, ... }:\n{\n  inherit (pkgs) ;\n  networking.hostName = "a";\n}\n'


def test_empty_inherit_is_a_note_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "configuration.nix"
    path.write_bytes(EMPTY_INHERIT)
    doc = Document.read(path)
    assert not doc.has_syntax_errors
    (note,) = doc.problems
    assert note.severity == "note" and note.line == 3
    assert "kept as written" in note.message
    cfg = Configuration.load(path)
    assert [d.option for d in cfg.definitions] == ["networking.hostName"]


@pytest.mark.skipif(NIX is None, reason="nix-instantiate is not installed")
def test_a_real_syntax_error_stays_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nix"
    bad.write_bytes(b"{\n  a = ;\n}\n")
    doc = Document.read(bad)  # the real nix-instantiate rejects it too
    assert doc.nix_trusted == 0 and doc.has_syntax_errors


def test_what_nix_accepts_is_trusted_over_the_grammar(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """No spot where the real Nix 2.8 accepts what the grammar rejects is known besides the
    empty inherit (handled by name); a stand-in ``nix-instantiate`` that accepts everything
    plays such a Nix here, to show the mechanism: the grammar's errors become notes, edits
    elsewhere work, and once an edit adds a new error the file is broken again."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "nix-instantiate"
    fake.write_text("#!/bin/sh\ncat >/dev/null\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    path = tmp_path / "configuration.nix"
    src = b"{\n  a = 1;\n  b = ;\n  c = 2;\n}\n"
    path.write_bytes(src)
    doc = Document.read(path)
    assert doc.nix_trusted == 1
    assert not doc.has_syntax_errors
    assert [p.severity for p in doc.problems] == ["note"]
    cfg = Configuration.load(path)
    cfg.apply(planning.plan_set(cfg, ("a",), "3"))
    assert cfg.documents[path].source == src.replace(b"a = 1", b"a = 3")
    assert not cfg.documents[path].has_syntax_errors


def test_edit_into_the_disputed_spot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "configuration.nix"
    path.write_bytes(EMPTY_INHERIT)
    cfg = Configuration.load(path)
    spot = EMPTY_INHERIT.index(b" ;")
    plan = Plan(cfg, "into the spot", [])
    plan.add(path, spot, spot + 1, b" lib")
    with pytest.raises(EditError, match="read differently by Nix"):
        plan.build()
    change = planning.plan_set(cfg, ("networking", "hostName"), '"b"')
    cfg.apply(change)
    assert cfg.documents[path].source == EMPTY_INHERIT.replace(b'"a"', b'"b"')
    assert not cfg.documents[path].has_syntax_errors
