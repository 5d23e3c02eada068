"""After saving, a configuration kept in git can be committed with a message naming the
changed options."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

CONFIG = b"""{ config, pkgs, ... }:
{
  networking.hostName = "box";
}
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    d = tmp_path / "nixos"
    d.mkdir()
    (d / "configuration.nix").write_bytes(CONFIG)
    git(d, "init", "-q")
    git(d, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", ".")
    git(d, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "init")
    return d


def _window(qtbot, repo: Path):  # type: ignore[no-untyped-def]
    from nixos_settings.ui.mainwindow import MainWindow

    w = MainWindow()
    w._confirm_quit = False
    qtbot.addWidget(w)
    assert w.open_configuration(repo / "configuration.nix")
    return w


def test_save_offers_a_commit_naming_the_options(qtbot, repo: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GIT_AUTHOR_NAME", "t")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "t@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "t")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "t@example.invalid")
    w = _window(qtbot, repo)
    asked: list[list[str]] = []
    w.ask_commit = lambda repo_path, options: asked.append(options) or True
    assert w.controller.set_nix(("services", "openssh", "enable"), "true")
    assert w.controller.set_nix(("time", "timeZone"), '"UTC"')
    assert w.save()
    assert asked == [["services.openssh.enable", "time.timeZone"]]
    log = git(repo, "log", "-1", "--format=%B")
    assert "services.openssh.enable" in log and "time.timeZone" in log
    assert git(repo, "status", "--porcelain") == ""  # everything saved is committed
    assert b"services.openssh.enable = true;" in (repo / "configuration.nix").read_bytes()


def test_declining_leaves_the_saved_file_uncommitted(qtbot, repo: Path) -> None:  # type: ignore[no-untyped-def]
    w = _window(qtbot, repo)
    w.ask_commit = lambda repo_path, options: False
    assert w.controller.set_nix(("services", "openssh", "enable"), "true")
    assert w.save()
    assert git(repo, "status", "--porcelain").strip() == "M configuration.nix"
    assert git(repo, "log", "--format=%s") .strip() == "init"


@pytest.mark.parametrize(("answer", "committed"), [("Yes", True), ("No", False)])
def test_the_real_commit_question(qtbot, repo: Path, monkeypatch, answer: str,  # type: ignore[no-untyped-def]
                                  committed: bool) -> None:
    """The commit question as shown: Yes commits the saved file, No leaves it uncommitted."""
    from tests.gui.test_dialogs import click, when_dialog

    for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(var, "t")
    for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(var, "t@example.invalid")
    w = _window(qtbot, repo)
    assert w.controller.set_nix(("services", "openssh", "enable"), "true")
    seen: list[object] = []
    texts: list[str] = []
    when_dialog(lambda box: (texts.append(box.text()), click(answer)(box)), seen)
    assert w.save()
    assert len(seen) == 1 and "services.openssh.enable" in texts[0]
    status = git(repo, "status", "--porcelain").strip()
    assert (status == "") is committed
    assert ("services.openssh.enable" in git(repo, "log", "-1", "--format=%B")) is committed
