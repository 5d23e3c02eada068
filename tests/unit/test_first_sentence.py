"""The first sentence of a description: never two paragraphs joined; abbreviations and
version numbers do not end it; Markdown and DocBook descriptions alike."""

from __future__ import annotations

import pytest

from nixos_settings.core.options.describe import description_text, first_sentence, summary
from nixos_settings.core.options.model import DOCBOOK, MARKDOWN, OptionInfo


def _opt(text: str, fmt: str = MARKDOWN) -> OptionInfo:
    return OptionInfo("a.b", ("a", "b"), "string", text, fmt, None, None, (), False)


@pytest.mark.parametrize(("text", "first"), [
    ("Runs the daemon. Also writes logs.", "Runs the daemon."),
    ("The keyboard layout\n\nUsed by the console as well.", "The keyboard layout"),
    ("Ports to open, e.g. 22 or 80. Others stay closed.", "Ports to open, e.g. 22 or 80."),
    ("The zone, i.e. the place. Then more.", "The zone, i.e. the place."),
    ("Needs NixOS 20.09 or version 1.2.3 of it. Later too.",
     "Needs NixOS 20.09 or version 1.2.3 of it."),
    ("Use pkgs.hello here. Not there.", "Use pkgs.hello here."),
    ("Fonts, icons, etc. for the desktop. More.", "Fonts, icons, etc. for the desktop."),
    ("Fonts, icons etc. More follows.", "Fonts, icons etc."),
    ("Is it on? Yes.", "Is it on?"),
    ("No full stop at all", "No full stop at all"),
    ("Choose one:\n- first. item\n- second", "Choose one:"),
    ("Example follows\n\n    services.foo.enable = true;", "Example follows"),
    ("Lines of one\nparagraph wrap. Second.", "Lines of one paragraph wrap."),
])
def test_first_sentence(text: str, first: str) -> None:
    assert first_sentence(text) == first


def test_long_sentence_is_cut_at_a_word() -> None:
    text = "word " * 60
    cut = first_sentence(text, 40)
    assert len(cut) <= 40 and cut.endswith("…") and not cut.endswith(" …")
    assert cut[:-1].split() == ["word"] * len(cut[:-1].split())


def test_markdown_paragraphs_are_not_joined() -> None:
    opt = _opt("Whether to enable the thing\n\nIt is {option}`services.x.enable` that"
               " matters. Really.")
    assert summary(opt) == "Whether to enable the thing"


def test_markdown_single_paragraph() -> None:
    opt = _opt("Set {option}`networking.hostName`, e.g. `lab`. Then reboot.")
    assert summary(opt) == "Set `networking.hostName`, e.g. `lab`."


def test_docbook_paragraphs_are_not_joined() -> None:
    opt = _opt("<para>The first paragraph has no stop</para>"
               "<para>The second one has. Yes.</para>", DOCBOOK)
    assert "\n\n" in description_text(opt)
    assert summary(opt) == "The first paragraph has no stop"


def test_docbook_inline_markup() -> None:
    opt = _opt("Extra options for <command>sshd</command>, i.e. the daemon. "
               "See <option>services.openssh.enable</option>.", DOCBOOK)
    assert summary(opt) == "Extra options for `sshd`, i.e. the daemon."


def test_no_description_gives_nothing() -> None:
    assert summary(_opt("")) == ""
