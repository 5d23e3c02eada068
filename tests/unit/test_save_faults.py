"""Saves under concurrency, faults and races: real processes, real kills, real files.

* two ``nixos-settings set`` at once, and another program writing during a save: a change is
  reported written only when it is in the file, and nobody's change is silently lost;
* the compare-and-swap at the rename: a write that lands between the last check and the
  swap is put back and the save refused;
* multi-file saves are all or nothing, and say which files were written;
* the root helper gets the hash of what was read: edits made while the password prompt is
  open are never overwritten;
* ``kill -9`` aimed at the save phase: the file is always the old or the new text, backups
  are complete, and the next save removes every temporary file left behind;
* backups: the file's mode, N per file, never a partial one.
"""

from __future__ import annotations

import os
import random
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nixos_settings.core.common.errors import FileChangedError, SaveError
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.document import sha256
from nixos_settings.core.edit import backups, planning, save
from nixos_settings.core.session import Session

GUI = Path(__file__).resolve().parents[2] / "gui"
REPO = GUI.parent
BASE = b"{ config, ... }:\n{\n  networking.hostName = \"elm\";\n}\n"


def cli(*args: str, backups_dir: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(GUI), NIXOS_SETTINGS_BACKUP_DIR=str(backups_dir))
    return subprocess.Popen([sys.executable, "-m", "nixos_settings", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def finish(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err.decode("utf-8", "replace")


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*")
            if p.name.endswith((save.TMP_SUFFIX, ".partial"))]


# -- 1. concurrent saves ------------------------------------------------------------------


def test_two_cli_saves_at_once_never_lose_a_reported_change(tmp_path: Path) -> None:
    conf = tmp_path / "configuration.nix"
    lost, refusals = [], 0
    for round_ in range(12):
        conf.write_bytes(BASE)
        procs = {name: cli("set", f"{name}.x", str(round_), "--file", str(conf), "--no-check",
                           backups_dir=tmp_path / "b") for name in ("a", "b")}
        results = {name: finish(p) for name, p in procs.items()}
        final = conf.read_bytes()
        for name, (code, err) in results.items():
            if code == 0:
                assert "wrote" in err
                if f"{name}.x = {round_};".encode() not in final:
                    lost.append((round_, name, final))
            else:
                assert "changed on disk" in err, err
                assert len(err.strip().splitlines()) == 1
                refusals += 1
        assert any(code == 0 for code, _ in results.values())
        assert save.nix_parse_check(final) is None
    assert lost == []
    assert temp_files(tmp_path) == []


WRITER = r"""
import os, random, sys, time
path, content, delay = sys.argv[1], sys.argv[2].encode(), float(sys.argv[3])
time.sleep(delay)
tmp = path + ".other-editor"
with open(tmp, "wb") as f:
    f.write(content)
os.replace(tmp, path)
"""


def test_another_program_writing_during_the_save_is_never_overwritten(tmp_path: Path) -> None:
    """The other program (an editor saving with rename) replaces the file at a random
    moment of our save.  Its text must survive: either our save read it and built on it,
    or our save refused, or the other program wrote after us."""
    conf = tmp_path / "configuration.nix"
    conf.write_bytes(BASE)
    started = time.monotonic()
    assert finish(cli("set", "a.x", "0", "--file", str(conf), "--no-check",
                      backups_dir=tmp_path / "b"))[0] == 0
    duration = time.monotonic() - started  # the writer aims at the end: the save phase
    rng = random.Random(16)
    for round_ in range(1, 16):
        conf.write_bytes(BASE)
        marker = f"# edited elsewhere {round_}"
        other = BASE.decode().replace("}\n", f"}}\n{marker}\n")
        ours = cli("set", "a.x", str(round_), "--file", str(conf), "--no-check",
                   backups_dir=tmp_path / "b")
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(conf), other,
                                   str(rng.uniform(0.5, 1.0) * duration)])
        code, err = finish(ours)
        writer.wait(timeout=30)
        final = conf.read_bytes().decode()
        assert marker in final, (round_, code, err, final)
        if code == 0 and f"a.x = {round_};" not in final:
            assert final == other  # written, then the other program replaced it after us
        if code != 0:
            assert "changed on disk" in err and len(err.strip().splitlines()) == 1


def test_a_write_between_the_last_check_and_the_swap_is_put_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worst moment: another program replaces the file after the last comparison,
    just before the swap.  The exchange shows the displaced file is not the one read."""
    conf = tmp_path / "configuration.nix"
    conf.write_bytes(BASE)
    real = save._exchange
    other = BASE + b"# theirs\n"

    def racing(a: Path, b: Path) -> bool:
        (tmp_path / "theirs").write_bytes(other)
        os.replace(tmp_path / "theirs", b)
        return real(a, b)

    monkeypatch.setattr(save, "_exchange", racing)
    with pytest.raises(FileChangedError, match="changed on disk during the save"):
        save.atomic_write(conf, BASE.replace(b"elm", b"oak"), sha256(BASE))
    assert conf.read_bytes() == other
    assert temp_files(tmp_path) == []


def test_without_exchange_the_last_check_still_refuses(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the file system cannot exchange, the content is compared once more right
    before the rename."""
    conf = tmp_path / "configuration.nix"
    conf.write_bytes(BASE)
    monkeypatch.setattr(save, "_exchange", lambda a, b: False)
    real_prepare = save._prepare

    def prepare_then_other_write(w: save.Write) -> None:
        real_prepare(w)
        conf.write_bytes(BASE + b"# theirs\n")  # in place, after our first check

    monkeypatch.setattr(save, "_prepare", prepare_then_other_write)
    with pytest.raises(FileChangedError):
        save.atomic_write(conf, BASE.replace(b"elm", b"oak"), sha256(BASE))
    assert conf.read_bytes() == BASE + b"# theirs\n"
    assert temp_files(tmp_path) == []


def test_a_save_waits_for_another_save_in_the_same_folder(tmp_path: Path) -> None:
    """The advisory lock is the folder's ``flock``: a save waits while another holds it."""
    import fcntl

    conf = tmp_path / "configuration.nix"
    conf.write_bytes(BASE)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(tmp_path)!r}, os.O_RDONLY)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('locked', flush=True)\n"
        "time.sleep(1.0)\n")], stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
    started = time.monotonic()
    save.atomic_write(conf, BASE.replace(b"elm", b"oak"), sha256(BASE))
    assert time.monotonic() - started > 0.5
    holder.wait(timeout=10)
    assert b"oak" in conf.read_bytes()
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released after the save
    finally:
        os.close(fd)


# -- 4. multi-file transactions ----------------------------------------------------------


def two_file_config(tmp_path: Path) -> tuple[Path, Path]:
    t = tmp_path / "t.nix"
    o = tmp_path / "o.nix"
    t.write_bytes(b"{ ... }:\n{\n  imports = [ ./o.nix ];\n  a.x = 1;\n}\n")
    o.write_bytes(b"{ ... }:\n{\n  a.x = 2;\n}\n")
    return t, o


def test_unset_across_two_files_with_one_read_only_changes_neither(tmp_path: Path) -> None:
    t, o = two_file_config(tmp_path)
    before = t.read_bytes(), o.read_bytes()
    o.chmod(0o444)
    code, err = finish(cli("unset", "a.x", "--file", str(t), backups_dir=tmp_path / "b"))
    assert code == 1
    assert err.strip().splitlines() == [
        f"nixos-settings: error: {o}: the file is read-only (mode 444); nothing was "
        f"written: make it writable (chmod u+w {o}), then try again"]
    assert (t.read_bytes(), o.read_bytes()) == before


def test_a_failure_during_the_swaps_rolls_back_the_files_already_swapped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    t, o = two_file_config(tmp_path)
    before = t.read_bytes(), o.read_bytes()
    cfg = Configuration.load(t)
    cfg.apply(planning.plan_unset(cfg, ("a", "x")))
    assert sorted(cfg.dirty_paths()) == sorted([t, o])
    real_swap = save._swap
    swapped: list[Path] = []

    def swap_then_fail(w: save.Write) -> None:
        if swapped:
            raise OSError(28, "No space left on device")
        real_swap(w)
        swapped.append(w.target)

    monkeypatch.setattr(save, "_swap", swap_then_fail)
    with pytest.raises(SaveError, match=r"no file was written \(the whole change was undone\)"):
        save.save_configuration(cfg)
    assert len(swapped) == 1
    assert (t.read_bytes(), o.read_bytes()) == before
    assert sorted(cfg.dirty_paths()) == sorted([t, o])  # still pending, nothing lost
    assert temp_files(tmp_path) == []
    monkeypatch.setattr(save, "_swap", real_swap)
    assert sorted(save.save_configuration(cfg)) == sorted([t, o])
    assert b"a.x" not in t.read_bytes() and b"a.x" not in o.read_bytes()


def test_one_changed_file_stops_the_whole_save(tmp_path: Path) -> None:
    t, o = two_file_config(tmp_path)
    session = Session.open(t)
    session.apply(session.plan_unset(("a", "x")))
    o.write_bytes(o.read_bytes() + b"# elsewhere\n")
    out = session.save()
    assert out.changed_on_disk == [o] and out.written == []
    assert b"a.x = 1;" in t.read_bytes()


# -- 2. the root helper gets the hash of what was read ----------------------------------


def helper_env(tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "helper-state"
    state.mkdir()
    monkeypatch.setenv("NIXOS_SETTINGS_HELPER_ROOT", str(root))
    monkeypatch.setenv("NIXOS_SETTINGS_HELPER_STATE", str(state))
    for var in ("PKEXEC_UID", "SUDO_UID", "DOAS_USER"):
        monkeypatch.delenv(var, raising=False)


def test_an_edit_made_while_the_password_prompt_is_open_is_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "etc-nixos"
    root.mkdir()
    conf = root / "configuration.nix"
    conf.write_bytes(BASE)
    helper_env(tmp_path, root, monkeypatch)
    # The "prompt": another program edits the file, then the real helper runs.
    prompt = tmp_path / "prompt.sh"
    prompt.write_text(
        f'printf "# edited during the prompt\\n" >> "$2"\n'
        f'PYTHONPATH={GUI} exec {sys.executable} -m nixos_settings.helper "$@"\n')
    session = Session.open(conf)
    session.can_write = lambda p: False
    session.helper_command = ("sh", str(prompt), "write")
    session.apply(session.plan_set(("networking", "hostName"), '"oak"'))
    out = session.save()
    assert out.changed_on_disk == [conf] and out.privileged == [] and out.errors == []
    assert conf.read_bytes() == BASE + b"# edited during the prompt\n"
    assert session.dirty_paths() == [conf]  # the change is still pending, not lost
    # Told, the user overwrites: the helper now expects what is on disk.
    session.helper_command = ("sh", "-c", f'PYTHONPATH={GUI} exec {sys.executable} '
                              '-m nixos_settings.helper "$@"', "helper", "write")
    out = session.save(overwrite=[conf])
    assert out.privileged == [conf], out
    assert b'"oak"' in conf.read_bytes()


# -- kill -9 during saves -----------------------------------------------------------------


def test_kill_9_during_saves_leaves_old_or_new_and_no_debris(tmp_path: Path) -> None:
    conf = tmp_path / "configuration.nix"
    bdir = tmp_path / "b"
    conf.write_bytes(BASE)
    started = time.monotonic()
    code, _ = finish(cli("set", "a.x", "0", "--file", str(conf), "--no-check",
                         backups_dir=bdir))
    duration = time.monotonic() - started
    assert code == 0
    versions = {conf.read_bytes(), BASE}
    rng = random.Random(9)
    kills = 0
    for i in range(1, 26):
        old = conf.read_bytes()
        proc = cli("set", "a.x", str(i), "--file", str(conf), "--no-check", backups_dir=bdir)
        # aim at the end of the run, where the save happens
        time.sleep(rng.uniform(0.55, 1.05) * duration)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=60)
        now = conf.read_bytes()
        new = re.sub(rb"a\.x = \d+;", f"a.x = {i};".encode(), old)
        assert now in (old, new), (i, now)
        versions.add(now)
        for b in bdir.rglob("*.nix"):
            assert b.read_bytes() in versions, b  # a backup is a whole earlier version
    assert kills > 0
    code, _ = finish(cli("set", "a.x", "99", "--file", str(conf), "--no-check",
                         backups_dir=bdir))
    assert code == 0
    assert temp_files(tmp_path) == []


# -- 11. backups ----------------------------------------------------------------------------


def test_backup_keeps_the_file_mode(tmp_path: Path) -> None:
    conf = tmp_path / "secret.nix"
    conf.write_bytes(BASE)
    conf.chmod(0o600)
    backup = save.atomic_write(conf, BASE.replace(b"elm", b"oak"), sha256(BASE))
    assert backup is not None and backup.read_bytes() == BASE
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600


def test_backups_are_kept_per_file(tmp_path: Path) -> None:
    conf = tmp_path / "configuration.nix"
    other = tmp_path / "other.nix"
    conf.write_bytes(BASE)
    other.write_bytes(BASE)
    save.atomic_write(conf, BASE + b"# 1\n", sha256(BASE))
    data = BASE
    for i in range(backups.BACKUPS_KEPT + 15):
        new = BASE + f"# {i}\n".encode()
        save.atomic_write(other, new, sha256(data))
        data = new
    (kept,) = backups.versions(conf.resolve())
    assert kept.read_bytes() == BASE
    assert len(backups.versions(other.resolve())) == backups.BACKUPS_KEPT


def test_stale_temporary_files_are_removed_by_the_next_save(tmp_path: Path) -> None:
    conf = tmp_path / "configuration.nix"
    conf.write_bytes(BASE)
    stale = tmp_path / f".configuration.nix.0123456789ab{save.TMP_SUFFIX}"
    stale.write_bytes(BASE * 100)
    folder = backups.folder_for(conf.resolve())
    folder.mkdir(parents=True)
    (folder / ".x.partial").write_bytes(b"half")
    mine = tmp_path / ".configuration.nix.swp"  # not ours: stays
    mine.write_bytes(b"vim")
    save.atomic_write(conf, BASE + b"# new\n", sha256(BASE))
    assert not stale.exists() and not (folder / ".x.partial").exists()
    assert mine.exists()


def test_backup_folder_that_cannot_be_created_is_one_line_and_writes_nothing(
        tmp_path: Path) -> None:
    conf = tmp_path / "configuration.nix"
    conf.write_bytes(BASE)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code, err = finish(cli("set", "a.x", "1", "--file", str(conf), "--no-check",
                           backups_dir=blocker / "backups"))
    assert code == 1
    (line,) = err.strip().splitlines()
    assert line.startswith(f"nixos-settings: error: {conf}: cannot create the backup folder")
    assert line.endswith("nothing was written")
    assert conf.read_bytes() == BASE


def test_disk_full_during_the_backup_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    """A real write failure: the file-size limit (``RLIMIT_FSIZE``) of the process is
    smaller than the backup."""
    conf = tmp_path / "configuration.nix"
    big = BASE.replace(b"}\n", b"  # " + b"x" * 4000 + b"\n}\n")
    conf.write_bytes(big)

    def limit() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))

    env = dict(os.environ, PYTHONPATH=str(GUI), NIXOS_SETTINGS_BACKUP_DIR=str(tmp_path / "b"))
    proc = subprocess.run([sys.executable, "-m", "nixos_settings", "set", "a.x", "1", "--file",
                           str(conf), "--no-check"], capture_output=True, env=env,
                          preexec_fn=limit, timeout=60, check=False)
    err = proc.stderr.decode()
    assert proc.returncode == 1
    (line,) = err.strip().splitlines()
    assert "cannot write the backup" in line and "nothing was written" in line
    assert conf.read_bytes() == big
    assert temp_files(tmp_path) == []
