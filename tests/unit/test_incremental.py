"""Incremental re-mapping after an edit must equal mapping the file from scratch."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.definitions import map_module
from nixos_settings.core.edit import planning

HERE = Path(__file__).resolve().parents[1]


def _large(lines: int) -> bytes:
    spec = importlib.util.spec_from_file_location("mf", HERE / "fixtures" / "make_fixtures.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return bytes(mod.large_config(lines))


def _facts(defs: list) -> list[tuple]:
    return [
        (d.loc, d.line, d.column, d.binding_span, d.value_span, d.value_text,
         tuple(map(str, d.wrappers)), d.kind, d.editable, d.enclosing_span)
        for d in defs
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_remap_matches_full_map(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "configuration.nix"
    path.write_bytes(_large(400))
    cfg = Configuration.load(path)
    rnd = random.Random(seed)
    for i in range(40):
        kind = rnd.choice(["set", "add", "unset", "multiline"])
        if kind == "set":
            d = rnd.choice([d for d in cfg.definitions if d.editable])
            cs = planning.plan_set(cfg, d.loc, str(i), at=d)
        elif kind == "add":
            cs = planning.plan_set(cfg, ("services", f"inc{i}", "enable"), "true")
        elif kind == "multiline":
            cs = planning.plan_set_value(cfg, ("networking", "hostName"), f"line {i}\nnext\n")
        else:
            d = rnd.choice([d for d in cfg.definitions if d.editable and not d.in_merge])
            cs = planning.plan_unset(cfg, d.loc, at=d)
        cfg.apply(cs)
        doc = cfg.documents[path]
        full = map_module(doc)
        assert _facts(cfg.definitions) == _facts(full.definitions), (i, kind)
        assert _facts(cfg.containers) == _facts(full.containers), (i, kind)
        # the nodes the planner uses resolve to the current tree
        for d in cfg.definitions[:: max(1, len(cfg.definitions) // 20)]:
            assert d.binding is not None and d.binding.start_byte == d.binding_span[0]
            assert doc.source[d.value_span[0]:d.value_span[1]].decode() == d.value_text


def test_imports_after_an_edit_above_them_are_still_followed(tmp_path: Path) -> None:
    (tmp_path / "hw.nix").write_text("{ boot.loader.grub.device = \"/dev/sda\"; }\n")
    root = tmp_path / "configuration.nix"
    root.write_text("{ ... }:\n{\n  networking.hostName = \"a\";\n\n  imports = [ ./hw.nix ];\n}\n")
    cfg = Configuration.load(root)
    cfg.apply(planning.plan_set(cfg, ("networking", "hostName"), '"a-much-longer-name"'))
    cfg.apply(planning.plan_set(cfg, ("time", "timeZone"), '"UTC"'))
    cfg._discover()  # e.g. after an undo elsewhere: every import is followed again
    assert [d.option for d in cfg.definitions] == [
        "networking.hostName", "time.timeZone", "boot.loader.grub.device"]
    assert not cfg.notes
