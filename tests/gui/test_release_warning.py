"""With another release's metadata, an unknown option is a warning in the app as in the
CLI (the same sentence), and the edit is recorded."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_unknown_option_with_another_release_is_a_warning(qtbot, window) -> None:
    c = window.controller
    loc = ("services", "brandnew", "enable")
    with qtbot.waitSignal(c.edit_refused):
        assert not c.set_nix(loc, "true")  # metadata of this configuration: refused
    c.options.release_note = "this metadata describes NixOS 20.09; the configuration uses 25.11"
    with qtbot.waitSignal(c.edit_warning) as warned:
        assert c.set_nix(loc, "true")
    assert c.session.warning(loc) is None  # once set, it is no longer new
    assert "is not a known option, but it was not refused" in warned.args[0]
    assert "25.11" in warned.args[0]
    assert window.statusBar().currentMessage().startswith("Changed, but: ")
    assert c.undo_stack.count() == 1


def test_a_note_about_loaded_metadata_is_not_called_missing_metadata(window,  # type: ignore[no-untyped-def]
                                                                       options_file) -> None:
    """Metadata that is loaded but may not fit (another release, another kind of file, an
    offline cached copy) is said as such: not "No option metadata", which is for none."""
    from nixos_settings.core.options import model as options

    opts = options.load_file(options_file)
    opts.problem = ("This file (home.nix) is a Home Manager configuration, but the option "
                    "metadata in use is NixOS's; options it does not know are warned about, "
                    "not refused.")
    window.controller.set_options(opts)
    text = window.banner.label.text()
    assert window.banner.isVisibleTo(window)
    assert "No option metadata" not in text
    assert text.startswith("<b>About the option metadata.</b> This file (home.nix) is a Home "
                           "Manager configuration")
    empty = options.OptionSet([], opts.source, None)
    window.controller.set_options(empty)
    assert window.banner.label.text().startswith("<b>No option metadata.</b>")
