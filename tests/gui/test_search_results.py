"""The search results show each option's summary under its name."""

from __future__ import annotations

from pathlib import Path

from nixos_settings.core.options.model import load_file
from nixos_settings.core.options.search import SearchIndex
from nixos_settings.ui.searchbar import HINT_DELAY_MS, SearchBar, SearchResultsModel


def test_results_carry_a_one_sentence_summary(qtbot, shared_dir: Path) -> None:
    options = load_file(shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz")
    index = SearchIndex(options)
    bar = SearchBar()
    qtbot.addWidget(bar)
    bar.set_search(lambda q: index.search(q, 50))
    bar.show()
    qtbot.keyClicks(bar.field, "time zone")
    model = bar.model
    qtbot.waitUntil(lambda: model.rowCount() > 0)
    first = model.index(0)
    assert first.data() == "time.timeZone"
    summary = first.data(SearchResultsModel.SummaryRole)
    assert summary and "<" not in summary  # plain text, no DocBook tags
    assert summary.endswith(".") and summary.count(". ") == 0  # the first sentence only
    # the tooltip gives the type in words, not NixOS's raw type string
    from PySide6.QtCore import Qt

    bar.field.clear()
    qtbot.keyClicks(bar.field, "services.openssh.ports")
    qtbot.waitUntil(lambda: model.rowCount() > 0 and model.index(0).data() ==
                    "services.openssh.ports")
    tip = model.index(0).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines()[1] == "list of port (0–65535)", tip  # raw: "list of 16 bit …"
    # two lines per row: name and summary
    hint = bar.results.sizeHintForRow(0)
    assert hint >= 2 * bar.results.fontMetrics().height()


def test_summary_does_not_stop_at_abbreviations() -> None:
    from nixos_settings.core.options.model import MARKDOWN, OptionInfo
    from nixos_settings.ui.searchbar import summary

    def opt(text: str) -> OptionInfo:
        return OptionInfo("a.b", ("a", "b"), "string", text, MARKDOWN, None, None, (), False)

    assert summary(opt("Set the password, i.e. the secret. Then more.")) == \
        "Set the password, i.e. the secret."
    assert summary(opt("No full stop here")) == "No full stop here"
    assert summary(opt("First paragraph\n\nSecond one. More.")) == "First paragraph"


def test_a_misspelt_query_offers_did_you_mean(qtbot, shared_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Weak results (a typo) come with "Did you mean openssh?"; following the link searches
    for it; good results and no-results queries show no hint."""
    options = load_file(shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz")
    index = SearchIndex(options)
    bar = SearchBar()
    qtbot.addWidget(bar)
    bar.set_search(lambda q: index.search(q, 50), index.did_you_mean)
    bar.show()
    qtbot.keyClicks(bar.field, "opnessh")
    assert not bar.hint.isVisible()  # not worked out per keystroke: once typing pauses
    qtbot.waitUntil(bar.hint.isVisible, timeout=2000)
    assert "Did you mean" in bar.hint.text() and "q:openssh" in bar.hint.text()
    bar.hint.linkActivated.emit("q:openssh")  # what a click on the link does
    assert bar.field.text() == "openssh"
    assert bar.model.index(0).data() == "services.openssh.enable"
    qtbot.wait(2 * HINT_DELAY_MS)
    assert not bar.hint.isVisible()  # strong results now
    bar.field.clear()
    qtbot.keyClicks(bar.field, "xyzzyq")
    qtbot.wait(2 * HINT_DELAY_MS)
    assert bar.empty.isVisible() and not bar.hint.isVisible()
