"""The rebuild panel with a real QProcess running the stand-in ``nixos-rebuild`` (and the
stand-in ``pkexec`` + the real helper for root actions)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

from nixos_settings.core.system.rebuild import Outcome, RebuildRequest
from nixos_settings.ui.rebuild_panel import RebuildPanel

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[2]
STANDINS = REPO / "tests" / "standins"


@pytest.fixture
def panel(qtbot) -> RebuildPanel:  # type: ignore[no-untyped-def]
    p = RebuildPanel(kill_timeout_ms=400)
    qtbot.addWidget(p)
    p.resize(900, 500)
    p.show()
    return p


def run(qtbot, panel: RebuildPanel, request: RebuildRequest, timeout: int = 20000) -> Outcome:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(panel.finished, timeout=timeout) as blocker:
        assert panel.start(request)
    outcome = blocker.args[0]
    assert isinstance(outcome, Outcome)
    return outcome


def test_build_shows_live_progress(qtbot, panel: RebuildPanel, standin_env: Path) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(panel.finished, timeout=20000) as blocker:
        panel.start(RebuildRequest("build"))
        assert panel.is_running()
        assert not panel.start(RebuildRequest("build"))  # one at a time
        assert panel.cancel_button.isEnabled() and not panel.apply_button.isEnabled()
        # Midway the bar shows the classifier's counts, not just a busy indicator.
        qtbot.waitUntil(lambda: panel.progress.maximum() == 4 and panel.progress.value() >= 2)
        assert panel.progress.value() < 4 or not panel.is_running()
        assert panel.elapsed_label.text().endswith(" s")
    outcome = blocker.args[0]
    assert float(panel.elapsed_label.text().split()[0]) > 0.2  # the stand-in takes ~0.4 s
    assert outcome.ok and outcome.action == "build"
    assert (panel.progress.value(), panel.progress.maximum()) == (4, 4)
    assert panel.progress.text() == "4 / 4"
    text = panel.log.toPlainText()
    assert "these 3 derivations will be built:" in text
    assert text.splitlines()[-1].startswith("/nix/store/")
    assert panel.status_label.text().startswith("build succeeded in")
    assert not panel.cancel_button.isEnabled()
    assert (standin_env / "record").read_text().startswith("argv: [build]\n")


def click_first_link(qtbot, panel: RebuildPanel) -> None:  # type: ignore[no-untyped-def]
    """Click the first anchor in the log with the mouse, as a user would."""
    doc = panel.log.document()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.charFormat().isAnchor():
                cursor = QTextCursor(doc)
                cursor.setPosition(frag.position() + 1)
                panel.log.setTextCursor(cursor)
                panel.log.ensureCursorVisible()
                rect = panel.log.cursorRect(cursor)
                point = QPoint(rect.x() + 2, rect.center().y())
                qtbot.mouseClick(panel.log.viewport(), Qt.MouseButton.LeftButton, pos=point)
                return
            it += 1
        block = block.next()
    raise AssertionError("no link in the log")


def test_error_location_link(qtbot, panel: RebuildPanel, standin_env: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STANDIN_REBUILD_SCENARIO", "eval-error")
    conf = standin_env / "configuration.nix"
    conf.write_text("{ }\n")
    outcome = run(qtbot, panel, RebuildRequest("dry-build", config_file=conf))
    assert outcome.exit_code == 1 and not outcome.ok
    assert outcome.first_error == f"error: undefined variable 'pkgz' at {conf}:4:27"
    assert panel.progress.format() == ""  # nothing was counted: no "0 / 1" shown
    assert '<a href="loc:' in panel.log.toHtml()
    with qtbot.waitSignal(panel.locationActivated, timeout=3000) as blocker:
        click_first_link(qtbot, panel)
    assert blocker.args == [str(conf), 4, 27]
    # The status line offers the same place.
    assert f"go to {conf}:4:27" in panel.status_label.text()
    with qtbot.waitSignal(panel.locationActivated, timeout=1000) as blocker:
        panel.status_label.linkActivated.emit("loc:0")
    assert blocker.args == [str(conf), 4, 27]


def test_cancel_terminates(qtbot, panel: RebuildPanel, standin_env: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STANDIN_REBUILD_SCENARIO", "slow")
    with qtbot.waitSignal(panel.finished, timeout=10000) as blocker:
        panel.start(RebuildRequest("build"))
        qtbot.waitUntil(lambda: "building '" in panel.log.toPlainText(), timeout=5000)
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    outcome = blocker.args[0]
    assert outcome.cancelled and not outcome.ok
    assert "interrupted by the user" in panel.log.toPlainText()
    assert str(outcome).startswith("build cancelled after")


def test_cancel_kills_after_timeout(
    qtbot, panel: RebuildPanel, standin_env: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STANDIN_REBUILD_SCENARIO", "slow")
    monkeypatch.setenv("STANDIN_REBUILD_IGNORE_INT", "1")
    with qtbot.waitSignal(panel.finished, timeout=10000) as blocker:
        panel.start(RebuildRequest("build"))
        qtbot.waitUntil(lambda: "building '" in panel.log.toPlainText(), timeout=5000)
        panel.cancel()
    outcome = blocker.args[0]
    assert outcome.cancelled and outcome.exit_code is None  # killed
    assert outcome.duration >= 0.35  # waited kill_timeout_ms before SIGKILL


def helper_env(standin_env: Path, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    root = standin_env / "etc-nixos"
    state = standin_env / "state"
    root.mkdir()
    state.mkdir()
    (root / "configuration.nix").write_text("{ }\n")
    monkeypatch.setenv("NIXOS_SETTINGS_HELPER", str(STANDINS / "nixos-settings-helper"))
    monkeypatch.setenv("STANDIN_PYTHON", sys.executable)
    monkeypatch.setenv("STANDIN_PKEXEC_RECORD", str(standin_env / "pkexec"))
    monkeypatch.setenv("NIXOS_SETTINGS_HELPER_ROOT", str(root))
    monkeypatch.setenv("NIXOS_SETTINGS_HELPER_STATE", str(state))
    monkeypatch.setenv("NIXOS_SETTINGS_HELPER_PATH", str(standin_env / "bin"))
    return root


def test_switch_through_pkexec_and_helper(
    qtbot, panel: RebuildPanel, standin_env: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    root = helper_env(standin_env, monkeypatch)
    conf = root / "configuration.nix"
    outcome = run(qtbot, panel, RebuildRequest("switch", config_file=conf, use_helper=True))
    assert outcome.ok, panel.log.toPlainText()
    assert (standin_env / "pkexec").read_text().split()[1:] == [
        "rebuild",
        "switch",
        "--config",
        str(conf),
    ]
    record = (standin_env / "record").read_text()
    assert f"argv: [switch] [-I] [nixos-config={conf}]" in record
    assert "activating the configuration..." in panel.log.toPlainText()
    assert "running nixos-rebuild switch" in (root.parent / "state" / "helper.log").read_text()


def test_cancel_through_helper(qtbot, panel: RebuildPanel, standin_env: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    helper_env(standin_env, monkeypatch)
    monkeypatch.setenv("STANDIN_REBUILD_SCENARIO", "slow")
    # As with a real root helper, our signals do not reach it: only the cancel line can.
    monkeypatch.setenv("STANDIN_PKEXEC_UNSIGNALLABLE", "1")
    panel.kill_timeout_ms = 8000
    with qtbot.waitSignal(panel.finished, timeout=10000) as blocker:
        panel.start(RebuildRequest("switch", use_helper=True))
        qtbot.waitUntil(lambda: "building '" in panel.log.toPlainText(), timeout=5000)
        panel.cancel()
    outcome = blocker.args[0]
    assert outcome.cancelled and outcome.exit_code == 130
    assert "interrupted by the user" in panel.log.toPlainText()


def test_helper_refusal_is_shown(
    qtbot, panel: RebuildPanel, standin_env: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    helper_env(standin_env, monkeypatch)
    outside = standin_env / "elsewhere.nix"
    outside.write_text("{ }\n")
    outcome = run(qtbot, panel, RebuildRequest("boot", config_file=outside, use_helper=True))
    assert outcome.exit_code == 2
    assert "refused" in panel.log.toPlainText()
    assert not (standin_env / "record").exists()


def test_dry_build_first_then_switch(
    qtbot, panel: RebuildPanel, standin_env: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    root = helper_env(standin_env, monkeypatch)
    request = RebuildRequest("switch", config_file=root / "configuration.nix", use_helper=True)
    with qtbot.waitSignal(panel.finished, timeout=20000) as blocker:
        assert panel.dry_build_first(request)
    assert blocker.args[0].ok and blocker.args[0].action == "dry-build"
    assert not (standin_env / "pkexec").exists()  # the dry-build needs no root
    assert panel.apply_button.isEnabled() and panel.apply_button.text() == "Switch"
    assert "ready to switch" in panel.status_label.text()
    with qtbot.waitSignal(panel.finished, timeout=20000) as blocker:
        qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].ok and blocker.args[0].action == "switch"
    assert (standin_env / "pkexec").read_text().split()[2] == "switch"


def test_failed_dry_build_blocks_apply(
    qtbot, panel: RebuildPanel, standin_env: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STANDIN_REBUILD_SCENARIO", "eval-error")
    with qtbot.waitSignals([panel.finished, panel.applyAllowedChanged], timeout=20000):
        panel.dry_build_first(RebuildRequest("switch"))
    assert not panel.apply_button.isEnabled()
    assert "failed" in panel.apply_button.toolTip()
    assert not panel.apply("switch")
    panel.mark_changed()  # the user edits the file: a new attempt is allowed
    assert panel.apply_button.isEnabled()


def test_program_missing(qtbot, panel: RebuildPanel, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Without NixOS: the panel says nixos-rebuild is not installed and why, not
    "Child process set up failed: execve: No such file or directory"."""
    from nixos_settings.core.system import programs

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(programs, "NIXOS_MARKER", tmp_path / "NIXOS")
    outcome = run(qtbot, panel, RebuildRequest("dry-build"))
    assert outcome.error is not None and not outcome.ok
    text = panel.status_label.text()
    assert "dry-build could not start: nixos-rebuild is not installed" in text
    assert "this computer does not run NixOS" in text
    assert "execve" not in text
    assert not panel.is_running()


def test_request_for_uses_configured_file_and_flake(panel: RebuildPanel, tmp_path: Path) -> None:
    panel.set_config_path(tmp_path / "c.nix")
    assert panel.request_for("build").rebuild_argv()[-1] == f"nixos-config={tmp_path}/c.nix"
    assert panel.request_for("switch").use_helper and not panel.request_for("dry-build").use_helper
    panel.set_flake("/etc/nixos#desk")
    assert panel.request_for("boot").rebuild_argv() == [
        "nixos-rebuild",
        "boot",
        "--flake",
        "/etc/nixos#desk",
    ]
    assert panel.location_activated is panel.locationActivated or (
        panel.location_activated == panel.locationActivated
    )


def make_generations(profiles: Path, record: Path, current: int) -> None:
    profiles.mkdir()
    for n, version in ((1, "24.05.1"), (2, "24.05.2"), (3, "24.11.1")):
        target = profiles.parent / f"store-{n}"
        (target / "bin").mkdir(parents=True)
        (target / "nixos-version").write_text(version + "\n")
        script = target / "bin" / "switch-to-configuration"
        script.write_text(
            f'#!/bin/sh\necho "activating generation {n}"\necho "gen {n}: $*" >> "{record}"\n'
        )
        script.chmod(0o755)
        (profiles / f"system-{n}-link").symlink_to(target)
    (profiles / "system").symlink_to(f"system-{current}-link")


def test_generations_switch_with_confirmation(
    qtbot, panel: RebuildPanel, standin_env: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from nixos_settings.ui.rebuild_panel import GenerationsWidget

    helper_env(standin_env, monkeypatch)
    (standin_env / "bin" / "nix-env").symlink_to(STANDINS / "nix-env")
    profiles, record = standin_env / "profiles", standin_env / "switched"
    make_generations(profiles, record, current=3)
    monkeypatch.setenv("NIXOS_SETTINGS_HELPER_PROFILES", str(profiles))
    questions: list[str] = []
    answers = [False, True]

    def confirm(question: str) -> bool:
        questions.append(question)
        return answers.pop(0)

    gens = GenerationsWidget(panel, profiles, confirm=confirm)
    qtbot.addWidget(gens)
    table = gens.table
    assert [table.topLevelItem(i).text(0) for i in range(3)] == ["3", "2", "1"]
    assert table.topLevelItem(0).text(3) == "current"
    assert table.topLevelItem(1).text(2) == "24.05.2"
    assert gens.rollback_button.isEnabled() and not gens.switch_button.isEnabled()
    table.setCurrentItem(table.topLevelItem(0))  # the current one cannot be switched to
    assert not gens.switch_button.isEnabled()
    table.setCurrentItem(table.topLevelItem(1))
    assert gens.switch_button.isEnabled()
    # First answer "no": nothing runs.
    qtbot.mouseClick(gens.switch_button, Qt.MouseButton.LeftButton)
    assert not panel.is_running() and not record.exists()
    with qtbot.waitSignal(panel.finished, timeout=20000) as blocker:
        qtbot.mouseClick(gens.switch_button, Qt.MouseButton.LeftButton)
    outcome = blocker.args[0]
    assert outcome.ok and outcome.action == "switch to generation 2", panel.log.toPlainText()
    assert questions[1].startswith("Switch the system to generation 2  ")
    assert record.read_text() == "gen 2: switch\n"
    assert "activating generation 2" in panel.log.toPlainText()
    # The list refreshed from the profile links.
    assert [table.topLevelItem(i).text(3) for i in range(3)] == ["", "current", ""]


def test_generations_rollback(qtbot, panel: RebuildPanel, standin_env: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from nixos_settings.ui.rebuild_panel import GenerationsWidget

    helper_env(standin_env, monkeypatch)
    profiles = standin_env / "profiles"
    make_generations(profiles, standin_env / "switched", current=1)
    gens = GenerationsWidget(panel, profiles, confirm=lambda _q: True)
    qtbot.addWidget(gens)
    assert not gens.rollback_button.isEnabled()  # generation 1 has no predecessor
    (profiles / "system").unlink()
    (profiles / "system").symlink_to("system-3-link")
    gens.refresh()
    with qtbot.waitSignal(panel.finished, timeout=20000) as blocker:
        qtbot.mouseClick(gens.rollback_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].ok and blocker.args[0].action == "rollback"
    assert "argv: [switch] [--rollback]" in (standin_env / "record").read_text()


@pytest.mark.parametrize(("answer", "runs"), [("No", False), ("Yes", True)])
def test_the_real_rollback_question(qtbot, panel: RebuildPanel, standin_env: Path,  # type: ignore[no-untyped-def]
                                    monkeypatch, answer: str, runs: bool) -> None:
    """The confirmation as shown (no injected answer): No runs nothing, Yes rolls back."""
    from tests.gui.test_dialogs import click, when_dialog

    from nixos_settings.ui.rebuild_panel import GenerationsWidget

    helper_env(standin_env, monkeypatch)
    profiles = standin_env / "profiles"
    make_generations(profiles, standin_env / "switched", current=3)
    gens = GenerationsWidget(panel, profiles)
    qtbot.addWidget(gens)
    assert gens.rollback_button.isEnabled()
    seen: list[object] = []
    texts: list[str] = []
    when_dialog(lambda box: (texts.append(box.text()), click(answer)(box)), seen)
    qtbot.mouseClick(gens.rollback_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 1 and "previous generation" in texts[0]
    if runs:
        qtbot.waitUntil(lambda: (standin_env / "record").exists(), timeout=20000)
        qtbot.waitUntil(lambda: not panel.is_running(), timeout=20000)
        assert "argv: [switch] [--rollback]" in (standin_env / "record").read_text()
    else:
        assert not panel.is_running() and not (standin_env / "record").exists()
