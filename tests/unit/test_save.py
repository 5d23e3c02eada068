"""Saving: atomic writes, backups, symlinks, modes, refusals, and byte preservation."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from nixos_settings.core.common.errors import FileChangedError, SaveError
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.document import Document, sha256
from nixos_settings.core.edit import planning, save
from nixos_settings.core.edit.save import save_configuration

SOURCE = (
    b"{ config, pkgs, ... }:\n{\n  networking.hostName = \"elm\";\n"
    b"  services.openssh.enable = true;\n}\n"
)


@pytest.fixture(autouse=True)
def backups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "backups"
    monkeypatch.setenv("NIXOS_SETTINGS_BACKUP_DIR", str(folder))
    return folder


def write(path: Path, data: bytes, mode: int | None = None) -> Path:
    path.write_bytes(data)
    if mode is not None:
        os.chmod(path, mode)
    return path


def backup_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.nix")) if folder.exists() else []


def test_atomic_write_replaces_content_and_keeps_mode(tmp_path: Path, backups: Path) -> None:
    target = write(tmp_path / "configuration.nix", SOURCE, 0o640)
    inode_before = target.stat().st_ino
    backup = save.atomic_write(target, b"{ }\n", sha256(SOURCE))
    assert target.read_bytes() == b"{ }\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    # a rename, not an in-place rewrite: readers never see half a file
    assert target.stat().st_ino != inode_before
    assert backup is not None and backup.read_bytes() == SOURCE
    assert backup_files(backups) == [backup]
    assert (backup.parent / "ORIGIN").read_text() == f"{target}\n"
    # no temporary file left behind
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "backups") == [
        "configuration.nix"
    ]


def test_atomic_write_keeps_exec_mode(tmp_path: Path) -> None:
    target = write(tmp_path / "x.nix", SOURCE, 0o755)
    save.atomic_write(target, b"1\n", sha256(SOURCE))
    assert stat.S_IMODE(target.stat().st_mode) == 0o755


def test_write_through_symlink_to_target(tmp_path: Path, backups: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = write(real_dir / "configuration.nix", SOURCE, 0o600)
    link = tmp_path / "configuration.nix"
    link.symlink_to(real)
    backup = save.atomic_write(link, b"{ a = 1; }\n", sha256(SOURCE))
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert real.read_bytes() == b"{ a = 1; }\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert backup is not None and backup.read_bytes() == SOURCE
    # the temporary file was made beside the target, not beside the link
    assert sorted(p.name for p in real_dir.iterdir()) == ["configuration.nix"]


def test_backup_holds_each_previous_version(tmp_path: Path, backups: Path) -> None:
    target = write(tmp_path / "c.nix", b"1\n")
    save.atomic_write(target, b"2\n", sha256(b"1\n"))
    save.atomic_write(target, b"3\n", sha256(b"2\n"))
    contents = sorted(p.read_bytes() for p in backup_files(backups))
    assert contents == [b"1\n", b"2\n"]
    assert target.read_bytes() == b"3\n"


def test_refuses_when_file_changed_on_disk(tmp_path: Path, backups: Path) -> None:
    target = write(tmp_path / "c.nix", SOURCE)
    read_hash = sha256(SOURCE)
    target.write_bytes(SOURCE + b"# edited elsewhere\n")
    with pytest.raises(FileChangedError, match="changed on disk"):
        save.atomic_write(target, b"{ }\n", read_hash)
    assert target.read_bytes() == SOURCE + b"# edited elsewhere\n"
    assert backup_files(backups) == []


def test_refuses_when_file_deleted_or_created_meanwhile(tmp_path: Path) -> None:
    gone = tmp_path / "gone.nix"
    with pytest.raises(FileChangedError, match="deleted"):
        save.atomic_write(gone, b"{ }\n", sha256(b"whatever"))
    assert not gone.exists()
    existing = write(tmp_path / "new.nix", b"1\n")
    with pytest.raises(FileChangedError, match="created"):
        save.atomic_write(existing, b"2\n", None)
    assert existing.read_bytes() == b"1\n"


def test_new_file_has_no_backup(tmp_path: Path, backups: Path) -> None:
    target = tmp_path / "new.nix"
    assert save.atomic_write(target, b"{ }\n", None) is None
    assert target.read_bytes() == b"{ }\n"
    assert backup_files(backups) == []


def test_refuses_read_only_file_even_as_root(tmp_path: Path, backups: Path) -> None:
    # CI runs as root, where os.access says "writable": the mode bits must still count.
    target = write(tmp_path / "c.nix", SOURCE, 0o444)
    with pytest.raises(SaveError, match="read-only") as info:
        save.atomic_write(target, b"{ }\n", sha256(SOURCE))
    assert str(target) in str(info.value)
    assert target.read_bytes() == SOURCE
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert backup_files(backups) == []


def test_configuration_save_writes_and_updates_read_state(tmp_path: Path) -> None:
    path = write(tmp_path / "configuration.nix", SOURCE)
    cfg = Configuration.load(path)
    cfg.apply(planning.plan_set(cfg, ("networking", "hostName"), '"oak"'))
    assert save_configuration(cfg) == [path]
    assert path.read_bytes() == SOURCE.replace(b'"elm"', b'"oak"')
    doc = cfg.documents[path]
    assert not doc.modified
    assert doc.disk_sha256 == sha256(path.read_bytes())
    assert save_configuration(cfg) == []  # nothing left to write


def test_save_without_changes_writes_nothing(tmp_path: Path, backups: Path) -> None:
    path = write(tmp_path / "configuration.nix", SOURCE)
    mtime = path.stat().st_mtime_ns
    cfg = Configuration.load(path)
    assert save_configuration(cfg) == []
    assert path.stat().st_mtime_ns == mtime
    assert backup_files(backups) == []


def test_save_refuses_result_that_does_not_parse(tmp_path: Path, backups: Path) -> None:
    path = write(tmp_path / "configuration.nix", SOURCE)
    cfg = Configuration.load(path)
    doc = cfg.documents[path]
    broken = SOURCE.replace(b"true;", b"true")  # a missing ';'
    doc.replace_source(broken, None)
    with pytest.raises(SaveError, match="would not parse") as info:
        save_configuration(cfg)
    assert str(path) in str(info.value)
    assert path.read_bytes() == SOURCE
    assert backup_files(backups) == []


def test_save_refuses_when_disk_changed_after_load(tmp_path: Path) -> None:
    path = write(tmp_path / "configuration.nix", SOURCE)
    cfg = Configuration.load(path)
    cfg.apply(planning.plan_set(cfg, ("networking", "hostName"), '"oak"'))
    path.write_bytes(SOURCE + b"\n")
    with pytest.raises(FileChangedError):
        save_configuration(cfg)
    assert path.read_bytes() == SOURCE + b"\n"


@pytest.mark.nix
@pytest.mark.skipif(save.nix_instantiate() is None, reason="nix-instantiate is not installed")
def test_nix_parse_check_uses_real_nix() -> None:
    assert save.nix_parse_check(b"{ a = 1; }") is None
    err = save.nix_parse_check(b"{ a = 1 }")
    assert err is not None and "syntax error" in err
    assert "\n" not in err


@pytest.mark.nix
@pytest.mark.skipif(save.nix_instantiate() is None, reason="nix-instantiate is not installed")
def test_validate_change_refuses_what_only_nix_rejects(tmp_path: Path) -> None:
    # tree-sitter-nix accepts a duplicate attribute, nix-instantiate --parse does not
    old = b"{ a = 1; }\n"
    new = b"{ a = 1; a = 2; }\n"
    with pytest.raises(SaveError, match="nix-instantiate --parse rejects"):
        save.validate_change(old, new, tmp_path / "x.nix")
    save.validate_change(old, b"{ a = 2; }\n", tmp_path / "x.nix")  # accepted: no exception


def test_non_utf8_bytes_outside_the_edit_are_preserved(tmp_path: Path) -> None:
    latin1 = b"# Caf\xe9 \xff\xfe r\xe9sum\xe9\n"
    source = latin1 + SOURCE + b"# trailer \xe9\n"
    path = write(tmp_path / "configuration.nix", source)
    cfg = Configuration.load(path)
    assert any("not UTF-8" in n.message for n in cfg.notes)
    cfg.apply(planning.plan_set(cfg, ("services", "openssh", "enable"), "false"))
    save_configuration(cfg)
    assert path.read_bytes() == source.replace(b"enable = true;", b"enable = false;")


def test_non_utf8_inside_a_string_value_survives_editing_elsewhere(tmp_path: Path) -> None:
    source = b'{\n  users.users.alice.description = "Z\xfcrich";\n  a.b = 1;\n}\n'
    path = write(tmp_path / "configuration.nix", source)
    cfg = Configuration.load(path)
    cfg.apply(planning.plan_set(cfg, ("a", "b"), "2"))
    save_configuration(cfg)
    assert path.read_bytes() == source.replace(b"a.b = 1;", b"a.b = 2;")


def test_document_reports_missing_and_directory(tmp_path: Path) -> None:
    from nixos_settings.core.config.document import FileAccessError

    with pytest.raises(FileAccessError, match="file not found"):
        Document.read(tmp_path / "nope.nix")
    with pytest.raises(FileAccessError, match="directory"):
        Document.read(tmp_path)
