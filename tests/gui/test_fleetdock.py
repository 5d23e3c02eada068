"""The hosts of a flake in the app: the table, the reach of pending edits, switching host,
and deploying several hosts with a live table (stand-in colmena/deploy-rs on PATH)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QTableWidgetSelectionRange
from tests.unit.test_fleet import FLAKE, STANDINS

pytestmark = pytest.mark.gui


@pytest.fixture
def win(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from nixos_settings.ui.mainwindow import MainWindow

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("PATH", f"{STANDINS}{os.pathsep}{os.environ['PATH']}")
    d = tmp_path / "fleet"
    (d / "hosts").mkdir(parents=True)
    (d / "flake.nix").write_text(FLAKE)
    (d / "common.nix").write_text('{ ... }:\n{\n  time.timeZone = "UTC";\n}\n')
    for h in ("laptop", "server", "pi"):
        host_file = d / "hosts" / f"{h}.nix"
        host_file.write_text(f'{{ ... }}:\n{{\n  networking.hostName = "{h}";\n}}\n')
    w = MainWindow()
    w._confirm_quit = False
    qtbot.addWidget(w)
    w.show()
    assert w.open_configuration(d / "flake.nix", "server")
    return w


def test_hosts_reach_and_switching(qtbot, win, monkeypatch: pytest.MonkeyPatch) -> None:
    panel = win.fleet_dock.widget()
    assert win.fleet_dock.isVisible()
    names = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert names == ["laptop", "server  (open)", "pi"]
    assert panel.table.item(1, 2).text() == "admin@10.0.0.2"
    assert panel.reach.text() == "No pending changes."
    c = win.controller
    assert c.set_nix(("time", "timeZone"), '"Europe/Oslo"', check=False)  # in common.nix
    assert panel.reach.text() == "Pending changes reach: laptop, server, pi"
    c.undo_stack.undo()
    assert c.set_nix(("networking", "hostName"), '"srv"', check=False)  # the host's own file
    assert panel.reach.text() == "Pending changes reach: server"
    c.undo_stack.undo()
    # a pending edit in a shared file comes along to the other host, as one undo step
    assert c.set_nix(("time", "timeZone"), '"Europe/Oslo"', check=False)
    panel.switch_to(2)
    assert c.cfg.flake_host == "pi"
    assert panel.table.item(2, 0).text() == "pi  (open)"
    common = c.root.parent / "common.nix"
    assert b'"Europe/Oslo"' in c.cfg.documents[common].source
    assert c.dirty_paths() == [common] and c.undo_stack.count() == 1
    assert panel.reach.text() == "Pending changes reach: laptop, server, pi"
    c.undo_stack.undo()
    assert c.dirty_paths() == []
    # one in the host's own file does not: switching is refused, nothing is lost
    assert c.set_nix(("networking", "hostName"), '"raspberry"', check=False)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information",
                        staticmethod(lambda _p, _t, text: shown.append(text)))
    panel.switch_to(0)
    assert c.cfg.flake_host == "pi" and c.dirty_paths() == [c.root.parent / "hosts" / "pi.nix"]
    assert shown == ["laptop does not use hosts/pi.nix, which has pending changes: save or "
                     "undo them first."]


def test_deploying_two_hosts_one_fails(qtbot, win, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANDIN_FAIL_HOSTS", "pi")
    panel = win.fleet_dock.widget()
    panel.action.setCurrentText("switch")
    panel.table.setRangeSelected(QTableWidgetSelectionRange(1, 0, 2, 4), True)  # server, pi
    win.controller.set_nix(("time", "timeZone"), '"Europe/Oslo"', check=False)
    panel.deploy_selected()
    assert panel.summary.text().startswith("Deploying what is saved on disk: 1 file(s)")
    qtbot.waitUntil(lambda: "2 hosts" in panel.summary.text(), timeout=20000)
    assert panel.summary.text() == "2 hosts: 1 ok, 1 failed (pi)"
    assert panel.table.item(1, 4).text() == "ok" and panel.table.item(2, 4).text() == "failed"
    assert panel.jobs["server"].command == ["colmena", "apply", "switch", "--on", "server"]
    panel.table.setCurrentCell(2, 0)
    assert panel.log.toPlainText().startswith("$ colmena apply switch --on pi\n")
    assert "Failed to deploy to pi" in panel.log.toPlainText()


def test_review_groups_changes_by_host(qtbot, win) -> None:
    from nixos_settings.ui.reviewdialog import ReviewDialog

    c = win.controller
    assert c.set_nix(("time", "timeZone"), '"Europe/Oslo"', check=False)  # common.nix
    assert c.set_nix(("networking", "hostName"), '"srv"', check=False)  # hosts/server.nix
    dialog = ReviewDialog(c)
    qtbot.addWidget(dialog)
    files = [dialog.files.item(i).text() for i in range(dialog.files.count())]
    assert files == ["common.nix  → laptop, server, pi", "hosts/server.nix  → server"]
    hosts = [dialog.by_host.item(i).text() for i in range(dialog.by_host.count())]
    assert hosts == ["laptop: common.nix", "server: common.nix, hosts/server.nix",
                     "pi: common.nix"]


def test_a_missing_target_is_asked_once_and_one_host_can_be_cancelled(
        qtbot, win, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QInputDialog

    from nixos_settings.core.system import fleet

    record = tmp_path / "argv.txt"
    monkeypatch.setenv("STANDIN_REBUILD_RECORD", str(record))
    monkeypatch.setenv("STANDIN_DEPLOY_DELAY", "1")  # colmena on pi: slow, to cancel it
    panel = win.fleet_dock.widget()
    flake_nix = panel.flake()  # the opened flake.nix
    text = flake_nix.read_text().replace('deploy.nodes.laptop = { hostname = '
                                                     '"laptop.lan"; sshUser = "me"; };', "")
    flake_nix.write_text(text)
    panel.reload()
    asked: list[str] = []
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(
        lambda _p, _t, label: (asked.append(label), ("me@laptop.lan", True))[1]))
    panel.action.setCurrentText("switch")
    panel.table.setRangeSelected(QTableWidgetSelectionRange(0, 0, 0, 4), True)  # laptop
    panel.table.setRangeSelected(QTableWidgetSelectionRange(2, 0, 2, 4), True)  # pi
    panel.deploy_selected()
    assert len(asked) == 1 and asked[0].startswith("Where is laptop deployed?")
    assert fleet.Targets().for_flake(flake_nix) == {"laptop": "me@laptop.lan"}
    assert b"me@laptop.lan" not in flake_nix.read_bytes()
    panel.table.clearSelection()
    panel.table.setRangeSelected(QTableWidgetSelectionRange(2, 0, 2, 4), True)
    qtbot.waitUntil(lambda: panel.jobs["pi"].status == "running", timeout=10000)
    panel.cancel_selected()
    qtbot.waitUntil(lambda: "2 hosts" in panel.summary.text(), timeout=20000)
    assert panel.summary.text() == "2 hosts: 1 ok, 1 cancelled (pi)"
    assert panel.jobs["laptop"].command[-3:] == ["--target-host", "me@laptop.lan",
                                                 "--use-remote-sudo"]


@pytest.mark.parametrize(("answer", "remembered"), [("OK", {"laptop": "me@laptop.lan"}),
                                                    ("Cancel", {})])
def test_the_real_target_question(qtbot, win, answer: str, remembered: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """A host without a target is asked about in the real dialog: OK remembers what was
    typed (in the app's settings, not the flake); Cancel remembers nothing."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLineEdit
    from tests.gui.test_dialogs import click, when_dialog

    from nixos_settings.core.system import fleet

    panel = win.fleet_dock.widget()
    flake_nix = panel.flake()
    flake_nix.write_text(flake_nix.read_text().replace(
        'deploy.nodes.laptop = { hostname = "laptop.lan"; sshUser = "me"; };', ""))
    panel.reload()
    seen: list[object] = []
    labels: list[str] = []

    def type_target(box) -> None:  # type: ignore[no-untyped-def]
        labels.append(box.labelText())
        QTest.keyClicks(box.findChild(QLineEdit), "me@laptop.lan")
        click(answer)(box)

    when_dialog(type_target, seen)
    panel.action.setCurrentText("switch")
    panel.table.setRangeSelected(QTableWidgetSelectionRange(0, 0, 0, 4), True)  # laptop
    panel.deploy_selected()
    assert len(seen) == 1 and labels[0].startswith("Where is laptop deployed?")
    assert fleet.Targets().for_flake(flake_nix) == remembered
    assert b"me@laptop.lan" not in flake_nix.read_bytes()
    qtbot.waitUntil(lambda: panel._worker is None or not panel.jobs, timeout=20000)
