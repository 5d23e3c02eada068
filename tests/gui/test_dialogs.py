"""The real dialogs, answered by clicking their real buttons: a miswired button (Reload that
overwrites, Discard that saves) fails here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QWidget
from tests.gui.conftest import CONFIG

pytestmark = pytest.mark.gui


def when_dialog(act: Callable[[QWidget], None], seen: list[QWidget]) -> None:
    """Run ``act`` on the next modal dialog once it is shown."""

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if box is None or not box.isVisible():
            QTimer.singleShot(10, poll)
            return
        seen.append(box)
        act(box)

    QTimer.singleShot(10, poll)


def click(text: str) -> Callable[[QWidget], None]:
    """Click the dialog's button whose text (without the & of its mnemonic) is ``text``."""

    def act(box: QWidget) -> None:
        buttons = [b for b in box.findChildren(QAbstractButton) if b.isVisible()]
        button = next((b for b in buttons if b.text().replace("&", "") == text), None)
        assert button is not None, [b.text() for b in buttons]
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    return act


def type_then(text: str, then: str) -> Callable[[QWidget], None]:
    def act(box: QWidget) -> None:
        field = box.findChild(QLineEdit)
        field.selectAll()
        QTest.keyClicks(field, text)
        click(then)(box)

    return act


def change_hostname(window, name: bytes = b"box") -> None:
    assert window.controller.set_nix(("networking", "hostName"), f'"{name.decode()}"')


def _theirs_then(window, path: Path, answer: str) -> bytes:  # type: ignore[no-untyped-def]
    """My edit pending, someone else's line appended on disk, then Save answered with
    ``answer`` in the changed-on-disk dialog (which writes nothing); their bytes."""
    change_hostname(window)
    theirs = CONFIG + b"# theirs\n"
    path.write_bytes(theirs)
    seen: list[QWidget] = []
    when_dialog(click(answer), seen)
    assert not window.save()
    assert len(seen) == 1
    return theirs


def test_changed_on_disk_reload_drops_mine(window, config_dir: Path) -> None:
    path = config_dir / "configuration.nix"
    change_hostname(window)
    theirs = CONFIG.replace(b"time.timeZone", b"# theirs\n  time.timeZone")
    path.write_bytes(theirs)
    seen: list[QWidget] = []
    when_dialog(click("Reload from disk"), seen)
    assert not window.save()
    assert len(seen) == 1 and seen[0].windowTitle() == "File changed on disk"
    assert path.read_bytes() == theirs
    assert window.controller.cfg.documents[path].source == theirs
    assert window.controller.dirty_paths() == []


def test_changed_on_disk_overwrite_writes_mine(window, config_dir: Path) -> None:
    path = config_dir / "configuration.nix"
    change_hostname(window)
    mine = window.controller.cfg.documents[path].source
    path.write_bytes(CONFIG + b"# theirs\n")
    seen: list[QWidget] = []
    when_dialog(click("Overwrite with my version"), seen)
    assert window.save()
    assert len(seen) == 1
    assert path.read_bytes() == mine


def test_changed_on_disk_cancel_touches_nothing(window, config_dir: Path) -> None:
    path = config_dir / "configuration.nix"
    theirs = _theirs_then(window, path, "Cancel")
    assert path.read_bytes() == theirs
    assert window.controller.dirty_paths() == [path]


@pytest.mark.parametrize(("answer", "dirty_after", "on_disk_has_box"),
                         [("Discard", False, False), ("Cancel", True, False),
                          ("Save", False, True)])
def test_reload_with_pending_changes_asks(window, config_dir: Path, answer: str,
                                          dirty_after: bool, on_disk_has_box: bool) -> None:
    path = config_dir / "configuration.nix"
    change_hostname(window)
    seen: list[QWidget] = []
    when_dialog(click(answer), seen)
    window.menu_actions.reload.trigger()
    assert len(seen) == 1 and "unsaved changes" in seen[0].text()
    assert bool(window.controller.dirty_paths()) is dirty_after
    assert (b'"box"' in path.read_bytes()) is on_disk_has_box


def test_review_dialog_save_button_saves(window, config_dir: Path) -> None:
    path = config_dir / "configuration.nix"
    change_hostname(window)
    seen: list[QWidget] = []
    when_dialog(click("Save"), seen)
    window.menu_actions.review.trigger()
    assert len(seen) == 1 and seen[0].windowTitle() == "Review changes"
    assert b'networking.hostName = "box";' in path.read_bytes()


def test_review_dialog_close_button_saves_nothing(window, config_dir: Path) -> None:
    path = config_dir / "configuration.nix"
    change_hostname(window)
    seen: list[QWidget] = []
    when_dialog(click("Close"), seen)
    window.menu_actions.review.trigger()
    assert len(seen) == 1
    assert path.read_bytes() == CONFIG


def test_add_entry_dialog(window) -> None:
    window.controller.open_option(("users", "users"))
    QApplication.processEvents()
    seen: list[QWidget] = []
    when_dialog(type_then("bob", "OK"), seen)
    window.page.entries.add()
    assert len(seen) == 1
    assert window.page.loc == ("users", "users", "bob")
    assert b"users.users.bob = { };" in window.controller.cfg.documents[
        window.controller.root.parent / "users.nix"].source


def test_rename_entry_dialog_then_the_lockout_question(window, config_dir: Path) -> None:
    """Renaming root: the name dialog, then the warning; Cancel keeps root."""
    path = config_dir / "users.nix"
    path.write_bytes(b'{ ... }:\n{\n  users.users.root.isNormalUser = false;\n}\n')
    window.reload()
    window.controller.open_option(("users", "users", "root"))
    QApplication.processEvents()
    seen: list[QWidget] = []

    def rename(box: QWidget) -> None:
        type_then("admin", "OK")(box)
        when_dialog(click("Cancel"), seen)

    when_dialog(rename, seen)
    window.page._rename_entry()
    assert len(seen) == 2
    assert "administrator account" in seen[1].informativeText()
    assert window.controller.dirty_paths() == []


@pytest.mark.parametrize(("answer", "host"), [("OK", "borealis"), ("Cancel", None)])
def test_the_real_flake_host_question(qtbot, answer: str, host: str | None) -> None:  # type: ignore[no-untyped-def]
    """Opening a flake with several systems asks which one, in the real dialog: the chosen
    host is opened with OK; Cancel opens nothing."""
    from PySide6.QtWidgets import QComboBox

    from nixos_settings.ui.mainwindow import MainWindow

    flake = Path(__file__).resolve().parents[1] / "fixtures" / "configs" / "flake" / "flake.nix"
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    seen: list[QWidget] = []
    offered: list[list[str]] = []

    def choose(box: QWidget) -> None:
        combo = box.findChild(QComboBox)
        offered.append([combo.itemText(i) for i in range(combo.count())])
        combo.setCurrentText("borealis")
        click(answer)(box)

    when_dialog(choose, seen)
    assert win.open_configuration(flake) is (host is not None)
    assert offered == [["atlas", "borealis"]]
    cfg = win.controller.cfg
    assert (cfg.flake_host if cfg is not None else None) == host


@pytest.mark.parametrize(("answer", "closed"), [("Keep the app open", False),
                                                ("Quit anyway", True)])
def test_quitting_during_a_rebuild_asks(qtbot, window, standin_env: Path, monkeypatch,  # type: ignore[no-untyped-def]
                                        answer: str, closed: bool) -> None:
    """A rebuild runs as root and goes on without the app: quitting asks first (the real
    question, answered with its real buttons)."""
    from nixos_settings.core.system.rebuild import RebuildRequest

    monkeypatch.setenv("STANDIN_REBUILD_SCENARIO", "slow")
    window._confirm_quit = True
    panel = window.rebuild_panel
    assert panel.start(RebuildRequest("build"))
    assert panel.is_running()
    seen: list[QWidget] = []
    texts: list[str] = []
    when_dialog(lambda box: (texts.append(box.text()), click(answer)(box)), seen)
    window.show()
    window.close()
    assert texts == ["The system is being rebuilt. Quit anyway?"]
    assert window.isVisible() is not closed
    panel.cancel()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=20000)


def test_changed_on_disk_keep_mine_carries_my_edits_onto_theirs(window, config_dir: Path
                                                                 ) -> None:
    """Someone edited another line meanwhile: both edits survive, nothing is lost, and the
    carried-over edits are one undo step, saved only when the user saves."""
    path = config_dir / "configuration.nix"
    theirs = _theirs_then(window, path, "Reload and keep my changes")
    # (nothing written yet: the user reviews, then saves)
    c = window.controller
    assert path.read_bytes() == theirs
    source = c.cfg.documents[path].source
    assert source.endswith(b"# theirs\n") and b'hostName = "box"' in source
    assert c.dirty_paths() == [path] and c.undo_stack.count() == 1
    assert window.save()
    assert path.read_bytes() == source


def test_changed_on_disk_same_line_offers_no_keeping(window, config_dir: Path) -> None:
    path = config_dir / "configuration.nix"
    change_hostname(window)
    old = window.controller.session.original(path)
    theirs = old.replace(b"networking.hostName", b"# theirs\n  networking.hostName")
    assert theirs != old
    path.write_bytes(theirs)
    seen: list[QWidget] = []
    texts: list[str] = []

    def look_then_cancel(box: QWidget) -> None:
        texts.extend(b.text().replace("&", "") for b in box.findChildren(QAbstractButton)
                     if b.isVisible())
        click("Cancel")(box)

    when_dialog(look_then_cancel, seen)
    assert not window.save()
    assert "Reload and keep my changes" not in texts and "Reload from disk" in texts
