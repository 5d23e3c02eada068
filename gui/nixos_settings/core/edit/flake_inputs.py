"""A flake's ``inputs``, read and edited as the Nix file it is.

The flake is opened as a file (``Configuration.load("flake.nix")``): its top-level bindings are
mapped like a module's, so ``inputs.nixpkgs.url = "…";``, ``inputs = { x.url = …; }`` and
``inputs.x.inputs.nixpkgs.follows = "nixpkgs";`` are ordinary definitions under ``inputs``.
Edits go through the same planners (placement, unset) as options, one after the other, and
come back as one change set; the ``outputs`` function's argument names follow: a new input is
added to them when they list every input (no ``...``), a removed one is taken out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.common.records import field, record
from nixos_settings.core.config.definitions import Definition
from nixos_settings.core.edit.plan import Plan, in_sequence
from nixos_settings.core.edit.planning import plan_set, plan_unset
from nixos_settings.core.nix import grammar as g
from nixos_settings.core.nix import optpath, render, syntax
from nixos_settings.core.nix.literals import string_value
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.core.nix.text import ChangeSet

if TYPE_CHECKING:
    from nixos_settings.core.config.configuration import Configuration

INPUTS = "inputs"


@record
class FlakeInput:
    """One input: where it is first written, its url, whether it is a flake, its follows."""

    name: str
    file: Path
    line: int
    url: str | None = None
    flake: bool = True
    follows: str | None = None  # ``inputs.X.follows = "Y"``: X is Y
    inputs_follow: dict[str, str] = field(default_factory=dict)  # its own inputs → targets

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "file": str(self.file), "line": self.line, "url": self.url,
                "flake": self.flake, "follows": self.follows,
                "inputs_follow": dict(self.inputs_follow)}


def _text(d: Definition) -> str | None:
    """A definition's string value (None when it is not a plain string)."""
    if d.doc is None or d.value is None:
        return None
    return string_value(d.doc.source, d.value)


def read_inputs(cfg: Configuration) -> list[FlakeInput]:
    """The inputs the flake file declares, in the order they first appear."""
    found: dict[str, FlakeInput] = {}
    for d in cfg.definitions + cfg.containers:
        if d.file != cfg.root or len(d.loc) < 2 or d.loc[0] != INPUTS:
            continue
        name, rest = d.loc[1], d.loc[2:]
        item = found.setdefault(name, FlakeInput(name, d.file, d.line))
        item.line = min(item.line, d.line)
        if d.kind != "value":
            continue
        if rest == ("url",):
            item.url = _text(d)
        elif rest == ("flake",):
            item.flake = d.value_text.strip() != "false"
        elif rest == ("follows",):
            item.follows = _text(d)
        elif len(rest) == 3 and rest[0] == INPUTS and rest[2] == "follows":
            item.inputs_follow[rest[1]] = _text(d) or d.value_text
    return sorted(found.values(), key=lambda i: i.line)


def _string(value: str) -> str:
    return render.to_nix(value)


def _outputs_function(cfg: Configuration) -> g.Node | None:
    for d in cfg.definitions:
        if d.file == cfg.root and d.loc == ("outputs",) and d.value is not None:
            node = g.strip_parens(d.value)
            return node if node.type == g.FUNCTION else None
    return None


def _check_name(name: str) -> None:
    if not name or not optpath.is_identifier(name):
        raise EditError(f"{name!r} cannot be an input name: use letters, digits, - and _")


def _follows_steps(cfg: Configuration, name: str, follows: Sequence[tuple[str, str]]
                   ) -> list[Callable[[], ChangeSet]]:
    steps: list[Callable[[], ChangeSet]] = []
    for sub, target in follows:
        loc: Loc = (INPUTS, name, INPUTS, sub, "follows")
        steps.append(partial(plan_set, cfg, loc, _string(target), file=cfg.root))
    return steps


class FlakeInputs:
    """Read and plan edits of the inputs of the flake file ``cfg.root``."""

    def __init__(self, cfg: Configuration) -> None:
        self.cfg = cfg

    def list(self) -> list[FlakeInput]:
        return read_inputs(self.cfg)

    def _find(self, name: str) -> FlakeInput | None:
        return next((i for i in read_inputs(self.cfg) if i.name == name), None)

    def plan_add(self, name: str, url: str, *, flake: bool = True,
                 follows: Sequence[tuple[str, str]] = ()) -> ChangeSet:
        """A new input ``name`` from ``url`` (``flake = false`` when not a flake), with its
        own inputs following others (``[("nixpkgs", "nixpkgs")]``)."""
        _check_name(name)
        old = self._find(name)
        if old is not None:
            raise EditError(f"the flake already has an input {name}", old.file, old.line)
        cfg = self.cfg
        steps: list[Callable[[], ChangeSet]] = [
            lambda: plan_set(cfg, (INPUTS, name, "url"), _string(url), file=cfg.root)]
        if not flake:
            steps.append(lambda: plan_set(cfg, (INPUTS, name, "flake"), "false", file=cfg.root))
        steps += _follows_steps(cfg, name, follows)
        steps.append(lambda: self._formal(name, add=True))
        return in_sequence(cfg, steps, [(INPUTS,)], f"add input {name}")

    def plan_set(self, name: str, url: str | None = None,
                 follows: Sequence[tuple[str, str]] = ()) -> ChangeSet:
        """Change the url of input ``name`` and/or make its inputs follow others."""
        if self._find(name) is None:
            raise EditError(f"the flake has no input {name}", self.cfg.root)
        if url is None and not follows:
            raise EditError("give a new url or a follows INPUT=TARGET")
        cfg = self.cfg
        steps: list[Callable[[], ChangeSet]] = []
        if url is not None:
            steps.append(lambda: plan_set(cfg, (INPUTS, name, "url"), _string(url),
                                          file=cfg.root))
        steps += _follows_steps(cfg, name, follows)
        return in_sequence(cfg, steps, [(INPUTS,)], f"change input {name}")

    def plan_remove(self, name: str) -> ChangeSet:
        """Remove input ``name``, every ``follows`` that points at it, and its name in the
        ``outputs`` function's arguments (refused while the outputs still use it)."""
        if self._find(name) is None:
            raise EditError(f"the flake has no input {name}", self.cfg.root)
        self._refuse_used(name)
        cfg = self.cfg
        steps: list[Callable[[], ChangeSet]] = [lambda: self._formal(name, add=False)]
        for inp in read_inputs(cfg):
            if inp.name == name:
                continue
            for sub, target in inp.inputs_follow.items():
                if target == name or target.startswith(name + "/"):
                    loc: Loc = (INPUTS, inp.name, INPUTS, sub, "follows")
                    steps.append(partial(plan_unset, cfg, loc))
            if inp.follows == name:
                steps.append(partial(plan_unset, cfg, (INPUTS, inp.name, "follows")))
        steps.append(lambda: plan_unset(cfg, (INPUTS, name)))
        return in_sequence(cfg, steps, [(INPUTS,)], f"remove input {name}")

    def _refuse_used(self, name: str) -> None:
        fn = _outputs_function(self.cfg)
        body = fn.child_by_field_name(g.BODY) if fn is not None else None
        if body is None:
            return
        doc = self.cfg.documents[self.cfg.root]
        for node in syntax.walk(body):
            if node.type == g.VARIABLE and g.text(doc.source, node) == name:
                line, _ = doc.node_position(node)
                raise EditError(
                    f"the outputs still use the input {name} (line {line}); change them "
                    "first, then remove the input", doc.path, line)

    def _formal(self, name: str, add: bool) -> ChangeSet:
        """Add ``name`` to (or take it out of) the ``outputs`` function's argument names."""
        cfg = self.cfg
        plan = Plan(cfg, "outputs arguments", [(INPUTS,)])
        fn = _outputs_function(cfg)
        node, items, ellipses = g.formals(fn) if fn is not None else (None, [], None)
        if node is None:
            return plan.build()
        src = cfg.documents[cfg.root].source
        names = [g.formal_name(src, f) for f in items]
        if add:
            if ellipses is None and name not in names and items:
                plan.add(cfg.root, items[-1].end_byte, items[-1].end_byte,
                         b", " + name.encode())
            return plan.build()
        if name in names:
            i = names.index(name)
            f = items[i]
            if i > 0:  # from the end of the previous formal: ", name"
                plan.add(cfg.root, items[i - 1].end_byte, f.end_byte, b"")
            else:
                nxt = items[1] if len(items) > 1 else ellipses
                plan.add(cfg.root, f.start_byte, nxt.start_byte if nxt is not None
                         else f.end_byte, b"")
        return plan.build()
