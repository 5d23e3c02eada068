"""core.vcs: the commit message (pure) and committing in a real temporary git repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from nixos_settings.core.edit.vcs import VcsError, commit, commit_message, repo_root

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.invalid",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one commit; identity and config isolated from the machine's."""
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    d = tmp_path / "nixos"
    d.mkdir()
    git(d, "init", "--quiet", "-b", "main")
    (d / "configuration.nix").write_text("{ }\n")
    (d / "notes.txt").write_text("mine\n")
    git(d, "add", ".")
    git(d, "commit", "--quiet", "-m", "initial")
    return d


def test_message_lists_options_and_files(tmp_path: Path) -> None:
    msg = commit_message(
        [
            "services.openssh.enable = true",
            'time.timeZone = "UTC"',
            "services.openssh.enable = true",
        ],
        [tmp_path / "configuration.nix", tmp_path / "hosts" / "a.nix"],
        repo=tmp_path,
    )
    assert msg == (
        "nixos-settings: set services.openssh.enable, time.timeZone\n"
        "\n"
        "Changed options:\n"
        "- services.openssh.enable = true\n"
        '- time.timeZone = "UTC"\n'
        "\n"
        "Files:\n"
        "- configuration.nix\n"
        "- hosts/a.nix\n"
    )


def test_long_subject_is_shortened_with_a_count() -> None:
    names = [f"services.s{i}.enable" for i in range(8)]
    subject = commit_message(names).splitlines()[0]
    assert subject == ("nixos-settings: set services.s0.enable, services.s1.enable and 6 more")
    assert len(subject) <= 72
    few = commit_message(names[:2]).splitlines()[0]
    assert few == "nixos-settings: set services.s0.enable, services.s1.enable"


def test_single_very_long_name_still_named() -> None:
    name = "services." + "x" * 80 + ".enable"
    assert commit_message([name]).splitlines()[0] == f"nixos-settings: set {name}"


def test_empty_message_and_summary() -> None:
    assert commit_message([]) == "nixos-settings: update the configuration\n"
    assert commit_message(["a.b"], summary="enable ssh").startswith(
        "nixos-settings: enable ssh\n\n"
    )


@needs_git
def test_repo_root(repo: Path, tmp_path: Path) -> None:
    (repo / "hosts").mkdir()
    assert repo_root(repo / "hosts") == repo.resolve()
    assert repo_root(repo / "configuration.nix") == repo.resolve()
    outside = tmp_path / "plain"
    outside.mkdir()
    assert repo_root(outside) is None
    assert repo_root(tmp_path / "missing" / "x.nix") is None


@needs_git
def test_commit_only_the_given_files(repo: Path) -> None:
    (repo / "configuration.nix").write_text("{ services.openssh.enable = true; }\n")
    (repo / "hosts").mkdir()
    (repo / "hosts" / "laptop.nix").write_text("{ }\n")  # new file: must be added
    (repo / "notes.txt").write_text("staged by the user, not ours\n")
    git(repo, "add", "notes.txt")
    files = [repo / "configuration.nix", repo / "hosts" / "laptop.nix"]
    msg = commit_message(["services.openssh.enable = true"], files, repo)
    rev = commit(repo, files, msg)
    assert rev == git(repo, "rev-parse", "HEAD").strip()
    assert git(repo, "log", "-1", "--format=%B") == msg + "\n"
    changed = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert changed == ["configuration.nix", "hosts/laptop.nix"]
    # The user's own staged change is still staged, not committed.
    assert git(repo, "diff", "--cached", "--name-only").split() == ["notes.txt"]


@needs_git
def test_nothing_to_commit_and_outside_files(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(VcsError, match="nothing to commit"):
        commit(repo, [repo / "configuration.nix"], "x\n")
    stray = tmp_path / "stray.nix"
    stray.write_text("{ }\n")
    with pytest.raises(VcsError, match="not inside the repository"):
        commit(repo, [stray], "x\n")
    with pytest.raises(VcsError, match="no files"):
        commit(repo, [], "x\n")


@needs_git
def test_git_failure_is_reported(repo: Path) -> None:
    (repo / "configuration.nix").write_text("{ a = 1; }\n")
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    staged_before = subprocess.run(["git", "diff", "--cached", "--name-only"], cwd=repo,
                                   capture_output=True, text=True, check=True).stdout
    with pytest.raises(VcsError, match="git commit failed: policy: no commits today"):
        commit(repo, [repo / "configuration.nix"], "x\n")
    # the commit did not happen: nothing is left staged that was not staged before
    staged_after = subprocess.run(["git", "diff", "--cached", "--name-only"], cwd=repo,
                                  capture_output=True, text=True, check=True).stdout
    assert staged_after == staged_before == ""
    assert (repo / "configuration.nix").read_text() == "{ a = 1; }\n"  # the work stays


@needs_git
def test_track_new_files_for_flakes(repo: Path, tmp_path: Path) -> None:
    from nixos_settings.core.edit.vcs import track_new_files

    new = repo / "hosts" / "desk.nix"
    new.parent.mkdir()
    new.write_text("{ }\n")
    (repo / ".gitignore").write_text("ignored.nix\n")
    (repo / "ignored.nix").write_text("{ }\n")
    outside = tmp_path / "o.nix"
    outside.write_text("{ }\n")
    files = [new, repo / "configuration.nix", repo / "ignored.nix", outside]
    assert track_new_files(repo, files) == [new]
    # Known to git (so a flake sees it) but nothing staged for commit yet.
    assert git(repo, "ls-files", "hosts/desk.nix").strip() == "hosts/desk.nix"
    assert git(repo, "diff", "--cached", "--name-only").strip() == ""
    assert track_new_files(repo, files) == []  # idempotent
