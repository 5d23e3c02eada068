"""Word-level differences within the changed lines of a unified diff."""

from __future__ import annotations

from pathlib import Path

from nixos_settings.core.common.worddiff import (
    changed_spans,
    diff_word_spans,
    row_kinds,
    row_of,
    tokens,
)
from nixos_settings.core.nix.text import unified_diff


def _words(line: str, spans: list[tuple[int, int]]) -> list[str]:
    return [line[s:e] for s, e in spans]


def test_tokens_cover_the_line_in_words_spaces_and_signs() -> None:
    line = '  networking.hostName = "lab"; # x'
    spans = tokens(line)
    assert "".join(_words(line, spans)) == line
    assert _words(line, spans)[:4] == ["  ", "networking", ".", "hostName"]


def test_only_the_changed_word_is_marked() -> None:
    old = '  networking.hostName = "lab"; # our test machine'
    new = '  networking.hostName = "box"; # our test machine'
    a, b = changed_spans(old, new)
    assert _words(old, a) == ["lab"] and _words(new, b) == ["box"]


def test_neighbouring_changed_words_are_one_range() -> None:
    old = "  ports = [ 22 80 ];"
    new = "  ports = [ 2222 8080 443 ];"
    a, b = changed_spans(old, new)
    assert _words(old, a) == ["22 80"]
    assert _words(new, b) == ["2222 8080 443"]


def test_a_word_added_marks_only_the_new_side() -> None:
    old = "  environment.systemPackages = [ git vim ];"
    new = "  environment.systemPackages = [ git vim htop ];"
    a, b = changed_spans(old, new)
    assert a == []
    assert _words(new, b) == ["htop"]  # white space at the ends is not marked


def test_lines_with_nothing_in_common_mark_nothing() -> None:
    assert changed_spans("alpha beta", "gamma delta") == ([], [])
    assert changed_spans("same", "same") == ([], [])


def test_very_long_lines_are_left_whole() -> None:
    old = "x = [ " + "a " * 3000 + "];"
    assert changed_spans(old, old.replace("[ a", "[ b")) == ([], [])
    short = "x = [ " + "a " * 100 + "];"
    assert changed_spans(short, short.replace("[ a", "[ b")) == ([(6, 7)], [(6, 7)])


def test_spans_in_a_real_diff_are_per_row_and_count_the_sign() -> None:
    old = b'{\n  networking.hostName = "lab";\n  time.timeZone = "UTC";\n}\n'
    new = b'{\n  networking.hostName = "box";\n  time.timeZone = "UTC";\n  x = 1;\n}\n'
    diff = unified_diff([(Path("/c.nix"), old, new)])
    rows = diff.split("\n")
    spans = diff_word_spans(diff)
    minus = rows.index('-  networking.hostName = "lab";')
    plus = rows.index('+  networking.hostName = "box";')
    assert _words(rows[minus], spans[minus]) == ["lab"]
    assert _words(rows[plus], spans[plus]) == ["box"]
    assert rows.index("+  x = 1;") not in spans  # added, paired with nothing
    assert set(spans) == {minus, plus}


def test_runs_pair_in_order_and_extra_lines_stay_whole() -> None:
    diff = ("--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n"
            "-  a = 1;\n-  b = 2;\n+  a = 10;\n+  b = 20;\n+  c = 30;\n")
    rows = diff.split("\n")
    spans = diff_word_spans(diff)
    assert {r: _words(rows[r], s) for r, s in spans.items()} == {
        3: ["1"], 4: ["2"], 5: ["10"], 6: ["20"]}


def test_headers_are_not_changed_lines_and_a_line_starting_with_dashes_is() -> None:
    diff = ("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n"
            "--- old rule\n+++ new rule\n  kept\n")
    assert row_kinds(diff) == ["h", "h", "@", "-", "+", " ", ""]
    spans = diff_word_spans(diff)
    assert spans == {3: [(1, 7)], 4: [(1, 7)]}  # "-- old" / "++ new", not the headers


def test_an_indentation_change_is_marked_as_white_space() -> None:
    a, b = changed_spans("  x = 1;", "    x = 1;")
    assert _words("  x = 1;", a) == ["  "] and _words("    x = 1;", b) == ["    "]


def test_row_of_finds_a_line_of_either_side() -> None:
    old = b"".join(b"line %d\n" % i for i in range(1, 21))
    new = old.replace(b"line 10\n", b"line ten\n").replace(b"line 3\n", b"")
    diff = unified_diff([(Path("/f"), old, new)])
    rows = diff.split("\n")
    assert rows[row_of(diff, 9) or 0] == "+line ten"  # line 9 of the new file
    assert rows[row_of(diff, 10, old=True) or 0] == "-line 10"
    assert rows[row_of(diff, 3, old=True) or 0] == "-line 3"
    assert rows[row_of(diff, 2) or 0] == " line 2"
    assert row_of(diff, 19) is None  # outside every hunk
