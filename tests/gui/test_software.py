"""The Software page through real widgets (pytest-qt, offscreen): a package list generated
in the channel format is loaded in the background, searched as you type, installed and
removed through the controller (undo, review, save), grouped by where; saved files are
checked with the real ``nix-instantiate --parse``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import brotli
import orjson
import pytest
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

import make_packages

pytestmark = pytest.mark.gui
NIX = shutil.which("nix-instantiate")


@pytest.fixture(scope="module")
def package_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pk") / "packages.json.br"
    path.write_bytes(brotli.compress(orjson.dumps(make_packages.channel(1500)), quality=4))
    return path


@pytest.fixture
def page(window, qtbot, package_file: Path):  # type: ignore[no-untyped-def]
    sw = window.software
    sw.parentWidget().parentWidget().setCurrentWidget(sw)  # the Software tab
    sw.load(str(package_file))
    qtbot.waitUntil(lambda: sw.index is not None and sw.index.count == 1500, timeout=60000)
    return sw


def type_query(qtbot, sw, text: str) -> None:  # type: ignore[no-untyped-def]
    sw.query.clear()
    qtbot.keyClicks(sw.query, text)
    qtbot.waitUntil(lambda: sw.results.topLevelItemCount() > 0 and
                    sw.results.topLevelItem(0).text(0).split()[0] != "", timeout=3000)


def nix_parse(path: Path) -> None:
    assert NIX is not None
    proc = subprocess.run([NIX, "--parse", str(path)], capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_page_sits_beside_the_option_tree(window) -> None:  # type: ignore[no-untyped-def]
    tabs = window.software.parentWidget().parentWidget()
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Options", "Software"]
    assert tabs.widget(0) is window.panes


def test_search_as_you_type_shows_the_details(page, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert "1,500 packages" in page.source_label.text()
    type_query(qtbot, page, "rg")
    qtbot.waitUntil(lambda: page.results.topLevelItem(0).text(0) == "ripgrep")
    first = page.results.topLevelItem(0)
    assert first.text(1) == "1.2.3" and first.text(2).startswith("Line-oriented search")
    text = page.details.text()
    assert "https://ripgrep.example.org/" in text and "Licence: MIT, Unlicense" in text
    type_query(qtbot, page, "gi")
    qtbot.waitUntil(lambda: page.results.topLevelItem(0).text(0).startswith("git"))
    assert page.results.topLevelItem(0).text(0) == "git  (installed)"
    assert page.remove_button.isEnabled()


def test_install_goes_through_undo_review_and_save(page, qtbot, window,  # type: ignore[no-untyped-def]
                                                    config_dir: Path) -> None:
    root = config_dir / "configuration.nix"
    before = root.read_bytes()
    type_query(qtbot, page, "ripgrep")
    qtbot.waitUntil(lambda: page.current is not None and page.current.attr == "ripgrep")
    assert [page.where.itemText(i) for i in range(page.where.count())] == [
        "the whole system", "user alice"]
    qtbot.mouseClick(page.install_button, Qt.MouseButton.LeftButton)
    c = window.controller
    assert c.undo_stack.count() == 1 and c.undo_stack.undoText() == "Install ripgrep"
    assert "+    ripgrep\n" in c.diff()
    assert root.read_bytes() == before  # nothing on disk before saving
    assert page.results.topLevelItem(0).text(0) == "ripgrep  (installed)"
    c.undo_stack.undo()
    assert c.diff() == "" and page.results.topLevelItem(0).text(0) == "ripgrep"
    c.undo_stack.redo()
    assert window.save()
    assert b"    git\n    vim\n    ripgrep\n" in root.read_bytes()
    nix_parse(root)


def test_install_for_a_user_and_refusals_in_the_sessions_words(  # type: ignore[no-untyped-def]
        page, qtbot, window, config_dir: Path) -> None:
    refused: list[str] = []
    window.controller.edit_refused.connect(refused.append)
    type_query(qtbot, page, "ripgrep")
    page.where.setCurrentIndex(1)
    qtbot.mouseClick(page.install_button, Qt.MouseButton.LeftButton)
    diff = window.controller.diff()
    assert diff.startswith("--- a/users.nix")  # into the set that defines alice
    assert '     description = "Alice";\n+    packages = [ pkgs.ripgrep ];\n' in diff
    qtbot.mouseClick(page.install_button, Qt.MouseButton.LeftButton)
    assert refused == [f"{config_dir / 'users.nix'}:6:18: ripgrep is already installed for "
                       "user alice"]


def test_unfree_and_module_are_said_before_installing(page, qtbot, window,  # type: ignore[no-untyped-def]
                                                       options_file: Path, tmp_path: Path) -> None:
    type_query(qtbot, page, "steam")
    qtbot.waitUntil(lambda: page.current is not None and page.current.attr == "steam")
    text = page.details.text()
    assert "steam is not free software" in text
    # the test metadata has no programs.steam: no module is offered
    assert "programs.steam.enable" not in text and not page.module_button.isVisibleTo(page)
    from nixos_settings.core.options import model

    extra = orjson.loads(options_file.read_bytes())
    extra["programs.steam.enable"] = {
        "declarations": ["nixos/modules/test/programs.nix"], "loc": ["programs", "steam",
        "enable"], "description": "Games platform, set up fully.", "readOnly": False,
        "type": "boolean", "default": False}
    path = tmp_path / "more-options.json"
    path.write_bytes(orjson.dumps(extra))
    window.controller.set_options(model.load_file(path))
    page.refresh()
    assert "NixOS has a module for steam: programs.steam.enable = true; it also installs" in \
        page.details.text()
    assert page.allow_button.isVisibleTo(page) and page.module_button.isVisibleTo(page)
    qtbot.mouseClick(page.module_button, Qt.MouseButton.LeftButton)
    assert "+  programs.steam.enable = true;" in window.controller.diff()
    assert not page.module_button.isVisibleTo(page)  # turned on now
    qtbot.mouseClick(page.allow_button, Qt.MouseButton.LeftButton)
    assert '[ "steam" ]' in window.controller.diff()
    assert not page.allow_button.isVisibleTo(page)  # allowed now
    assert "not free software" not in page.details.text()
    assert window.controller.undo_stack.count() == 2
    window.controller.undo_stack.undo()  # back to unfree, then allow everything instead
    assert page.allow_all_button.isVisibleTo(page)
    qtbot.mouseClick(page.allow_all_button, Qt.MouseButton.LeftButton)
    assert "+  nixpkgs.config.allowUnfree = true;" in window.controller.diff()
    assert not page.allow_all_button.isVisibleTo(page)


def test_installed_view_groups_by_where_and_removes(page, qtbot, window,  # type: ignore[no-untyped-def]
                                                     config_dir: Path) -> None:
    type_query(qtbot, page, "htop")
    page.where.setCurrentIndex(1)
    qtbot.mouseClick(page.install_button, Qt.MouseButton.LeftButton)
    tree = page.installed
    groups = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert groups == ["The whole system", "User alice"]
    system = tree.topLevelItem(0)
    assert [system.child(i).text(0) for i in range(system.childCount())] == ["git", "vim"]
    assert system.child(1).text(1) == "configuration.nix:12"
    tree.setCurrentItem(system.child(1))
    tree.itemActivated.emit(system.child(1), 0)  # double-click or Enter on the row
    assert window.source.current_path() == config_dir / "configuration.nix"
    assert "line 12" in window.source._where.text()
    qtbot.mouseClick(page.installed_remove, Qt.MouseButton.LeftButton)
    assert "-    vim\n" in window.controller.diff()
    assert [system.text(0) for system in [tree.topLevelItem(0)]] == ["The whole system"]
    assert tree.topLevelItem(0).childCount() == 1
    assert window.save()
    nix_parse(config_dir / "configuration.nix")
    nix_parse(config_dir / "users.nix")


def test_a_bad_package_list_is_reported_on_the_page(window, qtbot,  # type: ignore[no-untyped-def]
                                                    tmp_path: Path) -> None:
    bad = tmp_path / "broken.json.br"
    bad.write_bytes(b"\x00not brotli")
    window.software.load(str(bad))
    qtbot.waitUntil(lambda: "damaged or incomplete" in window.software.source_label.text(),
                    timeout=30000)
    assert window.software.index is None


def test_package_editor_completes_from_the_package_list(page, qtbot,  # type: ignore[no-untyped-def]
                                                       window) -> None:
    c = window.controller
    assert c.list_add(("environment", "systemPackages"), "notapackage")
    c.open_option(("environment", "systemPackages"))
    qtbot.wait(5)
    ed = window.page.editor
    rows = [ed.items.item(i) for i in range(ed.items.count())]
    assert [r.text() for r in rows] == ["git", "vim", "notapackage"]
    assert [bool(r.toolTip()) for r in rows] == [False, False, True]
    assert "not in the package list" in rows[2].toolTip()
    ed.entry.setFocus()
    qtbot.keyClicks(ed.entry, "rg")
    model = ed.completer.model()
    names = [model.index(i, 0).data() for i in range(model.rowCount())]
    assert names[0] == "ripgrep"  # by mainProgram, which a substring match never finds
    ed.entry.clear()
    qtbot.keyClicks(ed.entry, "version control")
    names = [model.index(i, 0).data() for i in range(model.rowCount())]
    assert set(names[:3]) == {"git", "gitg", "cgit"}


def test_package_editor_without_a_package_list_keeps_substring_completion(  # type: ignore[no-untyped-def]
        window, qtbot) -> None:
    window.controller.open_option(("environment", "systemPackages"))
    qtbot.wait(5)
    ed = window.page.editor
    assert not any(ed.items.item(i).toolTip() for i in range(ed.items.count()))
    ed.completer.setCompletionPrefix("ref")
    found = [ed.completer.completionModel().index(i, 0).data()
             for i in range(ed.completer.completionModel().rowCount())]
    assert found == ["firefox"]  # from the metadata's example, by substring


def test_download_a_channel_from_the_page(window, qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                          package_file: Path, monkeypatch) -> None:
    import functools
    import http.server
    import threading

    site = tmp_path / "site" / "nixos-test"
    site.mkdir(parents=True)
    (site / "git-revision").write_text("cafe1234\n")
    shutil.copy(package_file, site / "packages.json.br")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(site.parent))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv("NIXOS_SETTINGS_CHANNEL_URL", f"http://127.0.0.1:{httpd.server_address[1]}")
    try:
        sw = window.software
        sw.source_edit.setText("channel:nixos-test")
        qtbot.mouseClick(sw.load_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: sw.index is not None, timeout=60000)
        assert sw.source_label.text() == "1,500 packages from NixOS channel nixos-test."
        assert sw.index.meta["revision"] == "cafe1234"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_home_manager_file_installs_into_home_packages(  # type: ignore[no-untyped-def]
        window, qtbot, package_file: Path, tmp_path: Path) -> None:
    home = tmp_path / "home.nix"
    home.write_text('{ pkgs, ... }:\n{\n  home.username = "jane";\n'
                    '  home.stateVersion = "23.11";\n}\n')
    assert window.open_configuration(home)
    sw = window.software
    sw.parentWidget().parentWidget().setCurrentWidget(sw)
    sw.load(str(package_file))
    qtbot.waitUntil(lambda: sw.index is not None and sw.index.count == 1500, timeout=60000)
    type_query(qtbot, sw, "ripgrep")
    qtbot.waitUntil(lambda: sw.current is not None and sw.current.attr == "ripgrep")
    assert [sw.where.itemText(i) for i in range(sw.where.count())] == ["Home Manager"]
    qtbot.mouseClick(sw.install_button, Qt.MouseButton.LeftButton)
    diff = window.controller.diff()
    assert "+  home.packages = [ pkgs.ripgrep ];" in diff and "systemPackages" not in diff
