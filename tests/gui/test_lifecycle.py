"""Saving safely, problems in the UI, attribute-set entries, models, background loading."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QInputDialog, QMessageBox
from tests.gui.conftest import CONFIG, USERS

from nixos_settings.core.options import model as core_options
from nixos_settings.ui import optiontree as ot
from nixos_settings.ui import reviewdialog
from nixos_settings.ui.mainwindow import MainWindow

pytestmark = pytest.mark.gui


def test_file_changed_on_disk_is_not_overwritten(qtbot, window, config_dir, monkeypatch) -> None:
    root = config_dir / "configuration.nix"
    c = window.controller
    assert c.set_nix(("services", "openssh", "enable"), "true")
    theirs = CONFIG.replace(b'"lab"', b'"their-name"')
    root.write_bytes(theirs)  # someone else edits the file meanwhile
    seen: dict[str, object] = {}

    def fake_exec(dlg) -> int:
        seen["diff"] = dlg.diff.toPlainText()
        dlg.choice = "cancel"
        return 0

    monkeypatch.setattr(reviewdialog.ChangedOnDiskDialog, "exec", fake_exec)
    assert not window.save()
    assert root.read_bytes() == theirs  # never silently overwritten
    assert '-  networking.hostName = "their-name"' in str(seen["diff"])
    assert "+  services.openssh.enable = true;" in str(seen["diff"])
    name = c.display_name(root)  # labelled like git diff: the disk's a/, the edited b/
    assert str(seen["diff"]).startswith(f"--- a/{name}\n+++ b/{name}\n@@ ")
    assert c.dirty_paths() == [root]  # still pending

    def choose_reload(dlg) -> int:
        dlg.choice = "reload"
        return 1

    monkeypatch.setattr(reviewdialog.ChangedOnDiskDialog, "exec", choose_reload)
    assert not window.save()
    assert c.dirty_paths() == [] and c.undo_stack.count() == 0
    assert [d.value_text for d in c.definitions(("networking", "hostName"))] == ['"their-name"']
    assert root.read_bytes() == theirs


def test_overwrite_after_compare_is_explicit(qtbot, window, config_dir, monkeypatch) -> None:
    root = config_dir / "configuration.nix"
    c = window.controller
    assert c.set_nix(("services", "openssh", "enable"), "true")
    root.write_bytes(CONFIG + b"# touched\n")
    monkeypatch.setattr(reviewdialog.ChangedOnDiskDialog, "exec",
                        lambda dlg: setattr(dlg, "choice", "overwrite") or 1)
    assert window.save()
    assert root.read_bytes() == c.cfg.documents[root].source
    assert b"services.openssh.enable = true;" in root.read_bytes()


def test_syntax_error_in_imported_file(qtbot, config_dir, options_file) -> None:
    broken = b"{\n  users.users.alice = {\n    isNormalUser = true\n  };\n}\n"  # missing ;
    (config_dir / "users.nix").write_bytes(broken)
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    win.show()
    assert win.open_configuration(config_dir / "configuration.nix")
    win.controller.set_options(core_options.load_file(options_file))
    texts = [win.problems.item(i).text() for i in range(win.problems.count())]
    # the place nix-instantiate reports: where it met the "}" it did not expect
    assert "error: users.nix:4:3: syntax error, unexpected '}', expecting ';'" in texts, texts
    assert win.problems_dock.isVisibleTo(win)
    assert "1 error" in win.status.problems.text()
    # the rest stays browsable and editable
    idx = win.model.index_for(("networking", "hostName"))
    assert idx.isValid() and win.model.data(idx.siblingAtColumn(1)) == '"lab"'
    assert win.controller.set_nix(("services", "openssh", "enable"), "true")
    # activating the problem opens the file at the place
    win.problems_dock.activate(win.problems.item(0))
    assert win.source.current_path() == config_dir / "users.nix"
    assert "line 4" in win.source._where.text()


def test_unknown_option_with_suggestion(qtbot, window, config_dir) -> None:
    root = config_dir / "configuration.nix"
    c = window.controller
    # refused like the command line refuses it, with its words …
    with qtbot.waitSignal(c.edit_refused) as refused:
        assert not c.set_nix(("services", "printing", "enabel"), "true")
    assert refused.args[0] == ("unknown option services.printing.enabel "
                               "(did you mean services.printing.enable?)")
    # … and set anyway without the check (the command line's --no-check)
    assert c.set_nix(("services", "printing", "enabel"), "true", check=False)
    texts = [window.problems.item(i).text() for i in range(window.problems.count())]
    assert any("unknown option services.printing.enabel" in t
               and "did you mean services.printing.enable" in t for t in texts), texts
    idx = window.model.index_for(("services", "printing", "enabel"))
    assert window.model.data(idx, ot.OptionTreeModel.KindRole) == ot.UNKNOWN
    c.open_option(("services", "printing", "enabel"))
    assert window.page.kind == ot.UNKNOWN
    # once the files set it, its value can be changed (no new unknown name appears)
    assert c.set_nix(("services", "printing", "enabel"), "false")
    assert root.read_bytes() == CONFIG


def test_add_and_rename_user_through_the_page(qtbot, window, config_dir, monkeypatch) -> None:
    users = config_dir / "users.nix"
    c = window.controller
    c.open_option(("users", "users"))
    page = window.page
    assert [page.entries.list.item(i).text() for i in range(page.entries.list.count())] == ["alice"]
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("bob", True)))
    page.entries.add()
    assert c.current == ("users", "users", "bob")
    idx = window.model.index_for(("users", "users", "bob"))
    assert idx.isValid() and window.model.data(idx, ot.OptionTreeModel.KindRole) == ot.ENTRY
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("carol", True)))
    window.page._rename_entry()
    assert c.current == ("users", "users", "carol")
    assert not window.model.index_for(("users", "users", "bob")).isValid()
    assert window.save()
    assert users.read_bytes() == b"""{ pkgs, ... }:
{
  users.users.alice = {
    isNormalUser = true;
    description = "Alice";
  };
  users.users.carol = { };
}
"""
    # rename alice too, then undo both renames and the add: original bytes again
    c.open_option(("users", "users", "alice"))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("dave", True)))
    window.page._rename_entry()
    assert b"users.users.dave = {" in c.cfg.documents[users].source
    for _ in range(3):
        c.undo_stack.undo()
    assert c.cfg.documents[users].source == USERS


def test_multiple_definitions_edit_the_chosen_one(qtbot, window, config_dir) -> None:
    desktop = config_dir / "desktop.nix"
    root = config_dir / "configuration.nix"
    c = window.controller
    desktop.write_bytes(desktop.read_bytes().replace(
        b"  sound.enable", b'  time.timeZone = "CET";\n  sound.enable'))
    c.reload()
    c.open_option(("time", "timeZone"))
    assert "Defined in 2 places" in window.page.where.label.text()
    assert window.page.where.choice is not None and window.page.where.choice.count() == 2
    window.page.where.choice.setCurrentIndex(1)
    assert window.source.current_path() == desktop
    assert window.source.marked_text() == 'time.timeZone = "CET";'
    ed = window.page.editor
    ed.null.setChecked(False)
    ed.inner.edit.setText("Asia/Tokyo")
    ed.inner.edit.textEdited.emit("Asia/Tokyo")
    assert b'time.timeZone = "Asia/Tokyo";' in c.cfg.documents[desktop].source
    assert c.cfg.documents[root].source == CONFIG


def test_privileged_save_through_helper(qtbot, window, config_dir, tmp_path, monkeypatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "pkexec.log"
    gui = Path(__file__).resolve().parents[2] / "gui"
    (bin_dir / "pkexec").write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec "$@"\n')
    (bin_dir / "nixos-settings-helper").write_text(
        f"#!/bin/sh\nPYTHONPATH={gui} exec {sys.executable} -m nixos_settings.helper \"$@\"\n")
    for f in bin_dir.iterdir():
        f.chmod(f.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("NIXOS_SETTINGS_HELPER_ROOT", str(config_dir))
    (tmp_path / "state").mkdir()
    monkeypatch.setenv("NIXOS_SETTINGS_HELPER_STATE", str(tmp_path / "state"))
    for var in ("PKEXEC_UID", "SUDO_UID", "DOAS_USER"):
        monkeypatch.delenv(var, raising=False)
    c = window.controller
    c.session.can_write = lambda p: False  # as for a root-owned /etc/nixos seen by a normal user
    root = config_dir / "configuration.nix"
    assert c.set_nix(("services", "openssh", "enable"), "true")
    out = c.save()
    assert out.errors == [] and out.privileged == [root]
    assert f"nixos-settings-helper write {root}" in log.read_text()
    assert b"services.openssh.enable = true;" in root.read_bytes()
    assert c.dirty_paths() == []


def test_privileged_save_without_pkexec_says_so(window, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    c = window.controller
    c.session.can_write = lambda p: False
    assert c.set_nix(("services", "openssh", "enable"), "true")
    out = c.save()
    assert out.errors and "pkexec" in out.errors[0] and "not installed" in out.errors[0]
    assert c.dirty_paths()


def test_quit_with_unsaved_changes_asks(qtbot, window, monkeypatch) -> None:
    window._confirm_quit = True
    assert window.controller.set_nix(("services", "openssh", "enable"), "true")
    asked: list[str] = []

    def answer(box) -> int:
        asked.append(box.text())
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "exec", answer)
    assert not window.close()
    assert asked and "unsaved changes" in asked[0]
    assert window.isVisible()
    monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.StandardButton.Discard)
    assert window.close()


def test_models_pass_qtmodeltester(qtmodeltester, window) -> None:
    model = window.model
    for loc in (("users", "users", "alice"), ("services", "openssh")):
        idx = model.index_for(loc)
        window.tree.setExpanded(idx, True)
    qtmodeltester.check(model)
    window.search.field.setText("port")
    assert window.search.model.rowCount() > 0
    qtmodeltester.check(window.search.model)
    window.search.only_set.setChecked(True)
    qtmodeltester.check(model)


def test_tree_counts_and_only_set(qtbot, window) -> None:
    model = window.model
    services = model.index_for(("services",))
    assert model.data(services.siblingAtColumn(1)) == "1 set below"
    users = model.index_for(("users", "users"))
    names = [model.data(model.index(r, 0, users)) for r in range(model.rowCount(users))]
    assert names == ["<name>", "alice"]
    alice = model.index(1, 0, users)
    kids = [model.data(model.index(r, 0, alice)) for r in range(model.rowCount(alice))]
    assert kids == ["description", "extraGroups", "isNormalUser"]
    window.tree.setExpanded(services, True)
    assert model.data(services.siblingAtColumn(1)) == ""  # expanded: children speak
    window.search.only_set.setChecked(True)
    top = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert top == ["environment", "hardware", "networking", "services", "sound", "time", "users"]
    window.search.only_set.setChecked(False)
    assert model.rowCount() > len(top)


def test_options_load_in_background(qtbot, config_dir, options_file) -> None:
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    win.show()
    assert win.open_configuration(config_dir / "configuration.nix")
    assert "loading" in win.status.meta.text().lower()
    with qtbot.waitSignal(win.controller.options_loaded, timeout=10000):
        win.load_options(str(options_file))
    import json

    count = len(json.loads(options_file.read_text(encoding="utf-8")))
    assert len(win.controller.options) == count
    assert f"{count} options" in win.status.meta.text()
    assert win.controller.index is not None


def test_missing_metadata_shows_banner(qtbot, config_dir, tmp_path) -> None:
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    win.show()
    assert win.open_configuration(config_dir / "configuration.nix")
    with qtbot.waitSignal(win.controller.options_failed, timeout=10000):
        win.load_options(str(tmp_path / "nope.json"))
    assert win.banner.isVisibleTo(win)
    assert "could not be loaded" in win.banner.label.text()
    idx = win.model.index_for(("networking", "hostName"))
    assert idx.isValid()  # the configuration is still shown


def test_source_view_highlights_current_definition(qtbot, window, config_dir) -> None:
    window.controller.open_option(("networking", "hostName"))
    sv = window.source
    assert sv.current_path() == config_dir / "configuration.nix"
    assert sv.marked_text() == 'networking.hostName = "lab";'
    table = sv._highlighter._table
    cats = {cat for spans in table.values() for (_s, _l, cat) in spans}
    assert {"comment", "string", "attribute", "keyword", "path"} <= cats


def test_description_option_link_opens_option(qtbot, window) -> None:
    c = window.controller
    c.open_option(("networking", "firewall", "allowedTCPPorts"))
    window.page._on_link("option:services.openssh.enable")
    assert c.current == ("services", "openssh", "enable")
    assert window.tree.currentIndex() == window.model.index_for(("services", "openssh", "enable"))
    assert window.tree.currentIndex() != QModelIndex()


def test_change_on_disk_is_announced_while_open(qtbot, window, config_dir, monkeypatch) -> None:
    users = config_dir / "users.nix"
    c = window.controller
    assert c.set_nix(("services", "openssh", "enable"), "true")  # our own pending change
    assert window.save()  # our own write must not count as "changed on disk"
    qtbot.wait(300)
    assert not window.disk_banner.isVisibleTo(window)
    users.write_bytes(USERS.replace(b'"Alice"', b'"Alice B."'))
    qtbot.waitUntil(lambda: window.disk_banner.isVisibleTo(window), timeout=5000)
    assert "users.nix changed on disk" in window.disk_banner.label.text()
    monkeypatch.setattr(reviewdialog.ChangedOnDiskDialog, "exec",
                        lambda dlg: setattr(dlg, "choice", "reload") or 1)
    window.saving.compare_changed_on_disk()
    assert not window.disk_banner.isVisibleTo(window)
    assert [d.value_text for d in c.definitions(("users", "users", "alice", "description"))] == [
        '"Alice B."']
