"""A root save the person does not authorise: pkexec's own exit codes (126: the password
dialog was dismissed, 127: not authorised), through the stand-in that behaves like it,
become plain sentences and nothing is written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nixos_settings.core.edit.privileged import write_privileged

STANDINS = Path(__file__).resolve().parents[1] / "standins"


@pytest.mark.parametrize(("code", "words"), [
    ("126", "not saved: the password prompt was cancelled"),
    ("127", "not saved: you are not allowed to save it as administrator "
            "(Error executing command as another user: Not authorized)"),
])
def test_pkexec_refusals_are_plain_and_write_nothing(tmp_path: Path, monkeypatch, code: str,
                                                      words: str) -> None:
    monkeypatch.setenv("PATH", f"{STANDINS}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("STANDIN_PKEXEC_EXIT", code)
    target = tmp_path / "configuration.nix"
    target.write_bytes(b"{ }\n")
    helper = str(STANDINS / "nixos-settings-helper")
    problem = write_privileged(target, b"{ x = 1; }\n", None, command=("pkexec", helper))
    assert problem == f"{target}: {words}"
    assert target.read_bytes() == b"{ }\n"
