"""Property tests over generated modules of the shapes of issue 13 and 9.3.

Each example writes a module whose groups of options sit in a random shape (a plain set, a
``let … in`` body, nested lets, ``mkIf``, ``let … in mkIf``, either operand of ``//``), inside
a random module shape (a function, ``with``, a ``let``, a top-level ``mkMerge`` with an
unconditional and a conditional element), with random line endings, indentation and comments.
Properties:

* every generated option is read back once, with its value, conditional exactly when the
  generator made it so; names bound by the lets are not options;
* setting one option changes only its value's bytes, and Nix parses the result;
* adding a new option never lands inside an ``mkIf`` body unless asked (else the refusal is
  :class:`InsideCondition` naming the condition); with ``inside_condition`` it lands in the
  group; every other option still reads back; Nix parses the result.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nixos_settings.core.common.errors import InsideCondition
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.shapes import conditions
from nixos_settings.core.edit import planning

NIX = shutil.which("nix-instantiate")
NAMES = ["alpha", "beta", "gamma", "delta"]
GROUP_SHAPES = ["plain", "let", "nested_let", "mkif", "let_mkif", "update_left",
                "update_right", "module_fn", "constant"]
MODULE_SHAPES = ["with", "function", "let", "mkmerge"]
CONDITIONAL = {"mkif", "let_mkif"}


@dataclass
class Group:
    name: str
    shape: str
    leaves: dict[str, int]
    in_conditional_element: bool = False

    @property
    def conditional(self) -> bool:
        return self.shape in CONDITIONAL or self.in_conditional_element


@dataclass
class Generated:
    text: str
    groups: list[Group]
    nl: str


def _group_text(g: Group, ind: str, unit: str, nl: str, comments: bool) -> str:
    inner = ind + unit
    lines = []
    for i, (k, v) in enumerate(g.leaves.items()):
        if comments and i == 0:
            lines.append(f"{inner}# about {k}")
        lines.append(f"{inner}{k} = {v};" + (" # set here" if comments and i == 1 else ""))
    body = "{" + nl + nl.join(lines) + nl + ind + "}"
    let = f"let{nl}{inner}unused = 1;{nl}{ind}in "
    value = {
        "plain": body,
        "let": let + body,
        "nested_let": let + f"let{nl}{inner}other = 2;{nl}{ind}in " + body,
        "mkif": f"lib.mkIf cond.{g.name} " + body,
        "let_mkif": let + f"lib.mkIf cond.{g.name} " + body,
        "update_left": body + " // extra",
        "update_right": "extra // " + body,
        "module_fn": "{ config, pkgs, ... }: " + body,  # a submodule as a module function
        "constant": body,
    }[g.shape]
    # "constant": the name is written ${n_NAME}, a let constant of the module
    name = f"${{n_{g.name}}}" if g.shape == "constant" else g.name
    return f"{ind}grp.{name} = {value};"


@st.composite
def modules(draw: st.DrawFn) -> Generated:
    n = draw(st.integers(1, 4))
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    unit = draw(st.sampled_from(["  ", "    ", "\t"]))
    comments = draw(st.booleans())
    top = draw(st.sampled_from(MODULE_SHAPES))
    groups = []
    for name in NAMES[:n]:
        keys = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=3,
                             unique=True))
        leaves = {k: draw(st.integers(0, 999)) for k in keys}
        shape = draw(st.sampled_from(GROUP_SHAPES))
        if shape == "constant" and top != "let":
            shape = "plain"  # only the let module shape binds the constants
        groups.append(Group(name, shape, leaves))
    head = "{ lib, cond, extra, ... }:" + nl
    if top == "mkmerge":
        split = draw(st.integers(1, n))
        first = [_group_text(g, unit * 2, unit, nl, comments) for g in groups[:split]]
        second = [_group_text(g, unit * 2, unit, nl, comments) for g in groups[split:]]
        for g in groups[split:]:
            g.in_conditional_element = True
        text = (head + "let" + nl + unit + "x = 1;" + nl + "in" + nl + "lib.mkMerge [" + nl
                + unit + "{" + nl + nl.join(first) + nl + unit + "}" + nl
                + unit + "(lib.mkIf cond.merged {" + nl + nl.join(second) + nl + unit + "})"
                + nl + "]" + nl)
        return Generated(text, groups, nl)
    body = nl.join(_group_text(g, unit, unit, nl, comments) for g in groups)
    attrs = "{" + nl + body + nl + "}" + nl
    text = {
        "with": head + "with lib;" + nl + attrs,
        "function": head + attrs,
        "let": head + "let" + nl + unit + "x = 1;" + nl
        + "".join(f'{unit}n_{g.name} = "{g.name}";{nl}' for g in groups) + "in" + nl + attrs,
    }[top]
    return Generated(text, groups, nl)


def _load(tmp: Path, text: str) -> tuple[Configuration, Path]:
    path = tmp / "configuration.nix"
    path.write_bytes(text.encode())
    return Configuration.load(path), path


def _nix_parses(data: bytes) -> None:
    if NIX is None:
        return
    proc = subprocess.run([NIX, "--parse", "-"], input=data, capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")


def _read_back(cfg: Configuration, groups: list[Group]) -> None:
    for g in groups:
        for k, v in g.leaves.items():
            found = cfg.find(("grp", g.name, k))
            assert [d.value_text for d in found] == [str(v)], (g, k)
            assert bool(conditions(found[0].wrappers)) == g.conditional, (g, found[0].wrappers)
    options = {d.loc for d in cfg.definitions}
    assert not [loc for loc in options if loc[-1] in ("unused", "other", "x")]


PROFILE = settings(max_examples=60, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow,
                                          HealthCheck.function_scoped_fixture])


@PROFILE
@given(gen=modules(), data=st.data())
def test_generated_shapes_read_and_set(gen: Generated, data: st.DataObject,
                                       tmp_path_factory: pytest.TempPathFactory) -> None:
    cfg, path = _load(tmp_path_factory.mktemp("shape"), gen.text)
    assert not cfg.documents[path].has_syntax_errors
    _read_back(cfg, gen.groups)
    g = data.draw(st.sampled_from(gen.groups))
    k = data.draw(st.sampled_from(sorted(g.leaves)))
    new = data.draw(st.integers(1000, 5000))
    (d,) = cfg.find(("grp", g.name, k))
    start, end = d.value_span
    old = cfg.documents[path].source
    cfg.apply(planning.plan_set(cfg, ("grp", g.name, k), str(new)))
    assert cfg.documents[path].source == old[:start] + str(new).encode() + old[end:]
    g.leaves[k] = new
    _read_back(cfg, gen.groups)
    _nix_parses(cfg.documents[path].source)


@PROFILE
@given(gen=modules(), data=st.data())
def test_generated_shapes_add_never_silently_conditional(
        gen: Generated, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory) -> None:
    cfg, path = _load(tmp_path_factory.mktemp("shape"), gen.text)
    g = data.draw(st.sampled_from(gen.groups))
    inside = data.draw(st.booleans())
    loc = ("grp", g.name, "fresh")
    try:
        change = planning.plan_set(cfg, loc, "42", inside_condition=inside)
    except InsideCondition as err:
        # only a conditional group whose set cannot get a dotted sibling refuses
        assert not inside and g.conditional
        assert err.condition in (f"cond.{g.name}", "cond.merged")
        assert err.where.startswith(f"{path}:")
        assert cfg.documents[path].source == gen.text.encode()
        return
    cfg.apply(change)
    (d,) = cfg.find(loc)
    assert d.value_text == "42"
    if not inside:
        assert not conditions(d.wrappers)
    elif g.shape not in ("update_left", "update_right"):
        assert bool(conditions(d.wrappers)) == g.conditional
    _read_back(cfg, gen.groups)
    new = cfg.documents[path].source
    assert new.count(b"\r\n") == (new.count(b"\n") if gen.nl == "\r\n" else 0)
    _nix_parses(new)


def _undoes(cfg: Configuration, change: object) -> None:
    """``change`` applied then its inverse: every file's bytes and every definition are as
    before."""
    from nixos_settings.core.nix.text import ChangeSet

    assert isinstance(change, ChangeSet)
    before = {p: d.source for p, d in cfg.documents.items()}
    defs = sorted((str(d.file), d.loc, d.value_text) for d in cfg.definitions)
    cfg.apply(change)
    for path in change.files:
        _nix_parses(cfg.documents[path].source)
    cfg.apply(change.inverse())
    assert {p: d.source for p, d in cfg.documents.items()} == before
    assert sorted((str(d.file), d.loc, d.value_text) for d in cfg.definitions) == defs


@PROFILE
@given(gen=modules(), data=st.data())
def test_every_edit_kind_is_undone_by_its_inverse(
        gen: Generated, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory) -> None:
    """set, add (a new option, inside a condition when that is the only place), unset, and
    list add / remove / remove-at / set-at, on generated shapes (let, with, mkIf, mkMerge,
    comments, CRLF, tabs): each one's inverse restores the bytes and the definitions."""
    cfg, _path = _load(tmp_path_factory.mktemp("shape"), gen.text)
    g = data.draw(st.sampled_from(gen.groups))
    k = data.draw(st.sampled_from(sorted(g.leaves)))
    leaf = ("grp", g.name, k)
    _undoes(cfg, planning.plan_set(cfg, leaf, str(data.draw(st.integers(0, 99999)))))
    _undoes(cfg, planning.plan_unset(cfg, leaf))
    _undoes(cfg, planning.plan_set(cfg, ("grp", g.name, "fresh"), "true",
                                   inside_condition=True))
    # a list in place of the leaf, then every list edit on it
    cfg.apply(planning.plan_set(cfg, leaf, "[ 1 2 3 ]"))
    element = str(data.draw(st.integers(4, 99)))
    _undoes(cfg, planning.plan_list_add(cfg, leaf, element))
    _undoes(cfg, planning.plan_list_remove(cfg, leaf, "2"))
    _undoes(cfg, planning.plan_list_remove_at(cfg, leaf, data.draw(st.integers(0, 2))))
    _undoes(cfg, planning.plan_list_set_at(cfg, leaf, data.draw(st.integers(0, 2)), element))
