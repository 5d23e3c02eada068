"""Property tests of the edit engine over the fixture corpus (issue 2 §6).

* open + save without edits is byte-identical and writes nothing;
* random sequences of set / add / unset / list_add / list_remove keep every byte outside the
  edited spans, parse cleanly (tree-sitter, and ``nix-instantiate --parse`` batched once per
  example), read back the new value while every other definition reads back unchanged;
* ``apply(cs)`` then ``apply(cs.inverse())`` restores the original bytes;
* strings set with ``set_string`` evaluate (``nix-instantiate --eval``) to the same string.

The ``ci`` profile bounds the number of examples so that the file runs in well under a
minute; ``NIXOS_SETTINGS_HYPOTHESIS=thorough`` runs many more.  Fixtures are only read: edits
stay in memory, nothing is saved (except in the no-edit test, which works on a copy).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.definitions import Definition, list_elements
from nixos_settings.core.edit import planning
from nixos_settings.core.edit.planning import apply_splices
from nixos_settings.core.edit.save import save_configuration
from nixos_settings.core.nix import render, syntax
from nixos_settings.core.nix.text import ChangeSet

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "configs"
NIX = shutil.which("nix-instantiate")

settings.register_profile(
    "ci", max_examples=200, deadline=None, derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "thorough", max_examples=600, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PROFILE = settings.get_profile(os.environ.get("NIXOS_SETTINGS_HYPOTHESIS", "ci"))

# Intentionally broken fixtures: they are for error reporting, not for editing.
BROKEN = {"syntax-error.nix", "imports-broken"}


@dataclass(frozen=True)
class Case:
    """One configuration of the corpus: a module file, or a flake host."""

    path: Path
    host: str | None = None

    @property
    def name(self) -> str:
        rel = self.path.relative_to(FIXTURES).as_posix()
        return f"{rel}#{self.host}" if self.host else rel

    def load(self) -> Configuration:
        if self.host is not None:
            return Configuration.load_flake(self.path, self.host)
        return Configuration.load(self.path)


def corpus() -> list[Case]:
    cases = [Case(p) for p in sorted(FIXTURES.glob("*.nix")) if p.name not in BROKEN]
    for sub in sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name not in BROKEN):
        for name in ("configuration.nix", "home.nix"):
            if (sub / name).exists():
                cases.append(Case(sub / name))
        if (sub / "flake.nix").exists():
            cases += [Case(sub / "flake.nix", h) for h in ("atlas", "borealis")]
            cases += [Case(p) for p in sorted((sub / "hosts").glob("*/configuration.nix"))]
    return cases


CASES = corpus()


def test_corpus_is_not_empty() -> None:
    assert len(CASES) >= 25
    assert any(c.host for c in CASES)


# -- open + save without edits ------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_open_and_save_without_edits_is_byte_identical(case: Case, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIXOS_SETTINGS_BACKUP_DIR", str(tmp_path / "backups"))
    top = case.path.parent if case.path.parent != FIXTURES else None
    work = tmp_path / "work"
    if top is None:
        work.mkdir()
        shutil.copy2(case.path, work / case.path.name)
    else:
        shutil.copytree(top, work, symlinks=True)
    root = work / case.path.relative_to(top or FIXTURES)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in work.rglob("*") if p.is_file()}
    cfg = (Configuration.load_flake(root, case.host) if case.host
           else Configuration.load(root))
    assert cfg.dirty_paths() == []
    assert save_configuration(cfg) == []
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in work.rglob("*") if p.is_file()}
    assert after == before
    assert not (tmp_path / "backups").exists()
    for path in cfg.files:
        assert cfg.documents[path].source == path.read_bytes()


# -- random edit sequences ---------------------------------------------------------------------

_plain = st.text(alphabet=st.sampled_from(list("abc xyz-_.é🎉\"\\$'{}")), max_size=10)
NIX_VALUES = st.one_of(
    # negative numbers too: inside mkForce & co. they must get parentheses
    st.integers(-5000, 5000).map(str),
    # closed terms only: nix-instantiate --parse rejects undefined variables
    st.sampled_from(["true", "false", "null", "[ ]", "{ }", "[ 1 2 3 ]", "builtins.true",
                     "./some/file.nix", "{ a = 1; b.c = [ \"x\" ]; }", "(1 + 2)"]),
    _plain.map(render.render_double),
    st.lists(st.integers(0, 99), max_size=4).map(render.to_nix),
)
STRINGS = st.lists(st.sampled_from(
    [*"ab \t\r\n\"\\$'{}é🎉", "${", "''", "''${"]), max_size=12).map("".join)
NEW_SEGMENTS = st.sampled_from(["zeta", "extraThing", "foo-bar", "127.0.0.1", "with space",
                                "if", "é"])
ELEMENTS = st.sampled_from(['"extra"', "42", "(1 + 2)", "./p.nix", "builtins.null"])


def _unparen(text: str) -> str:
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


@dataclass
class Log:
    """What a sequence of edits did, for the checks at the end of the example."""

    states: list[bytes] = field(default_factory=list)
    strings: list[tuple[str, str]] = field(default_factory=list)  # (value text, expected)
    changes: list[ChangeSet] = field(default_factory=list)
    refused: int = 0


def snapshot(cfg: Configuration) -> dict[Path, bytes]:
    return {p: d.source for p, d in cfg.documents.items()}


def others(cfg: Configuration, loc: tuple[str, ...]) -> Counter[tuple[str, tuple[str, ...],
                                                                      str]]:
    """Every definition not related to ``loc`` (neither is a prefix of the other)."""
    def related(other: tuple[str, ...]) -> bool:
        n = min(len(other), len(loc))
        return other[:n] == loc[:n]

    return Counter((str(d.file), d.loc, d.value_text) for d in cfg.definitions
                   if not related(d.loc))


def editable_values(cfg: Configuration) -> list[Definition]:
    return [d for d in cfg.definitions if d.editable and d.kind == "value"]


def pick(data: st.DataObject, items: list[Definition], label: str) -> Definition:
    """Draw one definition by index (short failure reports), noting where it is."""
    d = items[data.draw(st.integers(0, len(items) - 1), label=label)]
    note(f"{label}: {d.option} at {d.where()} = {d.value_text!r}")
    return d


def check_change(cfg: Configuration, cs: ChangeSet, log: Log) -> None:
    """Bytes outside the splices are kept; the result parses; then apply it."""
    for path, (old, new) in cs.files.items():
        assert cfg.documents[path].source == old
        splices = sorted(cs.splices.get(path, []))
        if old == new:
            continue
        assert splices, f"{path}: changed without recorded splices"
        first, last = splices[0][0], splices[-1][1]
        tail = len(old) - last
        assert new[:first] == old[:first]
        assert new[len(new) - tail:] == old[last:]
        # and between the splices, every byte is copied from the old text
        assert apply_splices(old, splices) == new
        assert syntax.problems(syntax.parse(new)) == [], new.decode(errors="replace")
        log.states.append(new)
    cfg.apply(cs)
    for path in cs.files:
        assert cfg.documents[path].problems == [] or not any(
            p.severity == "error" for p in cfg.documents[path].problems)
    log.changes.append(cs)


def step(data: st.DataObject, cfg: Configuration, log: Log) -> None:
    kind = data.draw(st.sampled_from(["set", "set_string", "add", "unset", "list_add",
                                      "list_remove"]), label="op")
    values = editable_values(cfg)
    before_docs = snapshot(cfg)
    loc: tuple[str, ...]
    try:
        if kind in ("set", "set_string", "unset"):
            if not values:
                return
            d = pick(data, values, "definition")
            loc = d.loc
            before = others(cfg, loc)
            if kind == "set":
                text = data.draw(NIX_VALUES, label="value")
                cs = planning.plan_set(cfg, loc, text, at=d)
                check_change(cfg, cs, log)
                # an attrset value makes the loc a container: find_any sees both
                new = [x for x in cfg.find_any(loc) if x.file == d.file]
                # a wrapper's argument reads back without its parentheses: mkForce (1 + 2)
                assert _unparen(text) in [_unparen(x.value_text) for x in new]
                # wrappers (mkForce …) stay around the new value
                assert d.wrapper_names in [x.wrapper_names for x in new
                                           if _unparen(x.value_text) == _unparen(text)]
            elif kind == "set_string":
                s = data.draw(STRINGS, label="string")
                cs = planning.plan_set_value(cfg, loc, s, at=d)
                check_change(cfg, cs, log)
                new = [x for x in cfg.find(loc) if x.file == d.file]
                assert len(new) >= 1
                # the definition at the same place now holds the string
                line_match = [x for x in new if x.line == d.line] or new
                log.strings.append((line_match[0].value_text, s))
            else:
                n_before = len([x for x in cfg.find(loc)])
                cs = planning.plan_unset(cfg, loc, at=d)
                check_change(cfg, cs, log)
                assert len(cfg.find(loc)) == n_before - 1
            assert others(cfg, loc) == before
        elif kind == "add":
            # (prefixes of dynamic names are raw source text, not segments: left out)
            prefixes = sorted({d.loc[:i] for d in cfg.definitions + cfg.containers
                               if d.editable for i in range(len(d.loc))} | {()})
            prefix = data.draw(st.sampled_from(prefixes), label="prefix")
            seg = data.draw(NEW_SEGMENTS, label="segment")
            loc = (*prefix, seg)
            if cfg.find_any(loc):
                return  # not an add
            text = data.draw(NIX_VALUES, label="value")
            before = others(cfg, loc)
            cs = planning.plan_set(cfg, loc, text)
            check_change(cfg, cs, log)
            added = cfg.find(loc) or cfg.find_any(loc)
            assert len(added) == 1
            assert added[0].value_text.replace(" ", "").replace("\n", "") == text.replace(
                " ", "").replace("\n", "")
            assert others(cfg, loc) == before
        else:
            lists = [d for d in values if list_elements(d.value)
                     or d.value_text.replace(" ", "") == "[]"]
            if not lists:
                return
            d = pick(data, lists, "list")
            loc = d.loc
            before = others(cfg, loc)
            doc = cfg.documents[d.file]
            old_elements = [doc.text(e.start_byte, e.end_byte) for e in list_elements(d.value)]
            if kind == "list_add":
                el = data.draw(ELEMENTS, label="element")
                cs = planning.plan_list_add(cfg, loc, el, at=d)
                check_change(cfg, cs, log)
                expected = Counter([*old_elements, el])
            else:
                if not old_elements:
                    return
                el = data.draw(st.sampled_from(old_elements), label="element")
                cs = planning.plan_list_remove(cfg, loc, el, at=d)
                check_change(cfg, cs, log)
                expected = Counter(old_elements)
                expected[el] -= 1
            (new_def,) = [x for x in cfg.find(loc) if x.file == d.file and x.line == d.line]
            new_doc = cfg.documents[d.file]
            got = Counter(new_doc.text(e.start_byte, e.end_byte).strip("()")
                          for e in list_elements(new_def.value))
            assert got == Counter({k.strip("()"): v for k, v in expected.items() if v})
            assert others(cfg, loc) == before
    except EditError:
        # A refusal is allowed (ambiguous definition, element already present, …) but it
        # must leave everything as it was.
        assert snapshot(cfg) == before_docs
        log.refused += 1
        event(f"{kind}: refused")
        return
    event(f"{kind}: applied")


def nix_parse_all(states: list[bytes]) -> None:
    """``nix-instantiate --parse`` of every intermediate file, in one process."""
    if NIX is None or not states:
        return
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, data in enumerate(states):
            f = Path(tmp) / f"s{i}.nix"
            f.write_bytes(data)
            files.append(str(f))
        proc = subprocess.run([NIX, "--parse", *files], capture_output=True, timeout=120,
                              check=False)
        if proc.returncode != 0:
            bad = next(f for f in files if subprocess.run(
                [NIX, "--parse", f], capture_output=True, check=False).returncode != 0)
            raise AssertionError(
                f"nix-instantiate --parse rejects:\n{Path(bad).read_text(errors='replace')}\n"
                f"{proc.stderr.decode(errors='replace')}")


def nix_eval_strings(pairs: list[tuple[str, str]]) -> None:
    if NIX is None or not pairs:
        return
    expr = "[\n" + "\n".join(f"({text})" for text, _ in pairs) + "\n]"
    proc = subprocess.run([NIX, "--eval", "--strict", "--json", "-E", expr],
                          capture_output=True, timeout=120, check=False)
    assert proc.returncode == 0, expr + proc.stderr.decode(errors="replace")
    assert json.loads(proc.stdout) == [s for _, s in pairs]


@pytest.mark.nix
@PROFILE
@given(data=st.data())
def test_random_edit_sequences(data: st.DataObject) -> None:
    case = data.draw(st.sampled_from(CASES), label="case")
    cfg = case.load()
    if cfg.problems:
        return  # only the broken fixtures have errors, and they are excluded
    original = snapshot(cfg)
    original_defs = Counter((str(d.file), d.loc, d.value_text) for d in cfg.definitions)
    log = Log()
    for _ in range(data.draw(st.integers(1, 4), label="steps")):
        step(data, cfg, log)
    nix_parse_all(log.states)
    nix_eval_strings(log.strings)
    # undo everything, newest first: the original bytes and definitions come back
    for cs in reversed(log.changes):
        cfg.apply(cs.inverse())
    assert snapshot(cfg) == original
    assert Counter((str(d.file), d.loc, d.value_text) for d in cfg.definitions) == \
        original_defs


@PROFILE
@given(data=st.data())
def test_apply_then_inverse_restores_bytes(data: st.DataObject) -> None:
    case = data.draw(st.sampled_from(CASES), label="case")
    cfg = case.load()
    values = editable_values(cfg)
    if cfg.problems or not values:
        return
    d = pick(data, values, "definition")
    original = snapshot(cfg)
    try:
        cs = planning.plan_set(cfg, d.loc, data.draw(NIX_VALUES), at=d)
    except EditError:
        return
    cfg.apply(cs)
    cfg.apply(cs.inverse())
    assert snapshot(cfg) == original
    assert not cfg.dirty_paths()


def test_set_negative_number_inside_wrapper() -> None:
    cfg = Configuration.load(FIXTURES / "mkforce-mkdefault.nix")
    loc = ("boot", "kernelPackages")
    assert cfg.find(loc)[0].wrapper_names == ["mkForce"]
    cfg.apply(planning.plan_set(cfg, loc, "-1"))
    (d,) = cfg.find(loc)
    assert d.wrapper_names == ["mkForce"]
    assert d.value_text in ("-1", "(-1)")


@pytest.mark.nix
@pytest.mark.skipif(NIX is None, reason="nix-instantiate is not installed")
def test_multiline_string_in_crlf_file() -> None:
    cfg = Configuration.load(FIXTURES / "crlf.nix")
    loc = ("networking", "hostName")
    cfg.apply(planning.plan_set_value(cfg, loc, "a\n"))
    nix_eval_strings([(cfg.find(loc)[0].value_text, "a\n")])
