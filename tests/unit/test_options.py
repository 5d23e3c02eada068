"""Loading options.json in every shape: hand-written fixtures and the three real files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import brotli
import pytest

from nixos_settings.core.common.errors import OptionsError
from nixos_settings.core.nix.render import to_nix
from nixos_settings.core.options.model import (
    DOCBOOK,
    EXPRESSION,
    JSON,
    MARKDOWN,
    OptionSet,
    SourceInfo,
    format_age,
    json_to_nix,
    load_file,
)

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "options"
REAL = (
    "nixos-20.09pre-options.json.gz",
    "home-manager-options.json.gz",
    "nix-darwin-options.json.gz",
)


def test_modern_shape() -> None:
    s = load_file(FIX / "modern.json")
    assert len(s) == 9
    o = s.get(("services", "sshd-like", "enable"))
    assert o is not None
    assert o.default is not None and o.default.kind == EXPRESSION and o.default.text == "false"
    assert o.description_format == MARKDOWN
    assert o.declarations[0].url == "https://example.invalid/modules/sshd-like.nix"
    lvl = s.get(("services", "sshd-like", "logLevel"))
    assert lvl is not None and lvl.default is not None and lvl.default.kind == MARKDOWN
    # string declarations and object declarations in the same file
    assert lvl.declarations[0].name == "modules/sshd-like.nix" and lvl.declarations[0].url is None
    ro = s.get(("system", "stamp"))
    assert ro is not None and ro.read_only


def test_tree_from_loc_never_splits_dots() -> None:
    s = load_file(FIX / "modern.json")
    assert s.children(("accounts",)) == ["odd.name"]
    assert s.children(("accounts", "odd.name")) == ["shell"]
    assert s.children(()) == ["accounts", "mounts", "people", "services", "system"]
    assert s.children(("people",)) == ["<name>", "special"]
    assert s.is_prefix(("services",)) and not s.is_prefix(("services", "sshd-like", "port"))
    assert [o.name for o in s.under(("services", "sshd-like"))] == [
        "services.sshd-like.enable",
        "services.sshd-like.logLevel",
        "services.sshd-like.port",
    ]
    assert s.children(("nope",)) == []


def test_match_placeholders_and_exact_segments_first() -> None:
    s = load_file(FIX / "modern.json")
    m = s.match(("people", "alice", "isAdmin"))
    assert m is not None and m.name == "people.<name>.isAdmin"
    fixed = s.match(("people", "special", "isAdmin"))
    assert fixed is not None and fixed.name == "people.special.isAdmin"
    # 'special' has no 'keys' of its own: falls back to the placeholder branch
    k = s.match(("people", "special", "keys"))
    assert k is not None and k.name == "people.<name>.keys"
    lst = s.match(("mounts", "*", "device"))
    assert lst is not None and lst.loc == ("mounts", "*", "device")
    assert s.match(("people", "alice")) is None
    assert s.match(("people", "alice", "isAdmin", "deeper")) is None
    pm = s.match_prefix(("people", "alice", "keys", "extra"))
    assert pm is not None and pm[0].name == "people.<name>.keys" and pm[1] == 3
    assert s.template_prefix_exists(("people", "bob"))
    assert not s.template_prefix_exists(("people", "bob", "nothing"))


def test_legacy_2020_shape() -> None:
    s = load_file(FIX / "legacy-2020.json")
    name = s.get(("machine", "name"))
    assert name is not None and name.description_format == DOCBOOK
    assert name.default is not None and name.default.kind == JSON and name.default.text == '""'
    assert name.example is not None and name.example.text == '"box"'
    ports = s.get(("machine", "ports"))
    assert ports is not None and ports.example is not None
    assert ports.example.kind == EXPRESSION and ports.example.text == "[ 22 80 ]"
    extra = s.get(("machine", "extra"))
    assert extra is not None and extra.default is not None
    assert extra.default.value == {"a": 1, "b": [True, None]}
    assert extra.default.text == "{\n  a = 1;\n  b = [ true null ];\n}"
    pkg = s.get(("machine", "pkg"))
    assert pkg is not None and pkg.default is not None and "tool-1.0" in pkg.default.text
    m = s.match(("members", "carol", "home"))
    assert m is not None and m.name == "members.<name?>.home"


def test_transition_shape_mddoc_and_docbook_literal() -> None:
    s = load_file(FIX / "transition.json")
    g = s.get(("box", "greeting"))
    assert g is not None and g.description_format == MARKDOWN
    assert g.description == "Text shown at login, for example `hello`."
    assert g.default is not None and g.default.kind == DOCBOOK
    c = s.get(("box", "colour"))
    assert c is not None and c.description_format == DOCBOOK


def test_doclist_shape_drops_internal_and_invisible() -> None:
    s = load_file(FIX / "doclist.json")
    assert [o.name for o in s] == ["demo.enable"]


def test_json_to_nix() -> None:
    assert json_to_nix(None) == "null"
    assert json_to_nix([1, "a"]) == '[ 1 "a" ]'
    assert json_to_nix({"x.y": "${z}"}) == '{\n  "x.y" = "\\${z}";\n}'
    assert json_to_nix([]) == "[ ]" and json_to_nix({}) == "{ }"


def test_json_to_nix_is_the_one_renderer() -> None:
    """The same text core.nix.render.to_nix writes (negative list elements in parentheses);
    derivations are shown by name."""
    assert json_to_nix([-1, 2]) == "[ (-1) 2 ]" == to_nix([-1, 2])
    assert json_to_nix({"pkg": {"_type": "derivation", "name": "hello"}}) == (
        "{\n  pkg = «derivation hello»;\n}"
    )


@pytest.mark.parametrize("suffix", [".json.gz", ".json.br", ".json"])
def test_compressed_and_plain(tmp_path: Path, suffix: str) -> None:
    raw = (FIX / "modern.json").read_bytes()
    data = {".json.gz": gzip.compress, ".json.br": brotli.compress, ".json": bytes}[suffix](raw)
    p = tmp_path / ("o" + suffix)
    p.write_bytes(data)
    assert len(load_file(p)) == 9


def test_truncated_json_names_file_and_position(tmp_path: Path) -> None:
    raw = (FIX / "modern.json").read_bytes()
    p = tmp_path / "cut.json"
    p.write_bytes(raw[:1000])
    with pytest.raises(OptionsError) as ei:
        load_file(p)
    err = ei.value
    assert err.path == p and err.line is not None and err.line > 5
    assert str(err).startswith(f"{p}:{err.line}:{err.column}: invalid JSON")


def test_truncated_gzip_and_brotli(tmp_path: Path) -> None:
    raw = (FIX / "modern.json").read_bytes()
    gz = tmp_path / "cut.json.gz"
    gz.write_bytes(gzip.compress(raw)[:200])
    with pytest.raises(OptionsError, match=r"truncated gzip data.*200 bytes"):
        load_file(gz)
    br = tmp_path / "cut.json.br"
    br.write_bytes(brotli.compress(raw)[:150])
    with pytest.raises(OptionsError, match="brotli"):
        load_file(br)


def test_bad_record_is_located_and_nothing_loaded(tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text('{\n "a.b": {"loc": ["a","b"], "type": "string"},\n "c": {"type": "x"}\n}\n')
    with pytest.raises(OptionsError) as ei:
        load_file(p)
    assert "'c'" in ei.value.message and ei.value.line == 3 and ei.value.column == 2
    p.write_text("[1, 2]")
    with pytest.raises(OptionsError, match="entry 0 has no 'name'"):
        load_file(p)
    p.write_text('"just a string"')
    with pytest.raises(OptionsError, match="keyed by option name"):
        load_file(p)
    with pytest.raises(OptionsError, match="cannot read"):
        load_file(tmp_path / "missing.json")


def test_source_age_display() -> None:
    assert format_age(5) == "just now"
    assert format_age(3 * 86400 + 10) == "3 days old"
    assert format_age(3600) == "1 hour old"
    src = SourceInfo("channel", "NixOS channel nixos-24.05", "24.05.1", fetched_at=None)
    assert src.display() == "NixOS channel nixos-24.05 (24.05.1), age unknown"
    assert OptionSet().problem is None and len(OptionSet()) == 0


@pytest.mark.parametrize("name", REAL)
def test_real_files_load_completely(shared_dir: Path, name: str) -> None:
    path = shared_dir / "data" / "options" / name
    s = load_file(path)
    raw = json.loads(gzip.decompress(path.read_bytes()))
    assert len(s) == len(raw)
    for key in list(raw)[::97]:
        o = s.by_name(key)
        assert o is not None and list(o.loc) == raw[key]["loc"]
        assert s.get(o.loc) is o
    # every option is reachable through the loc tree
    reached = s.under(())
    assert len(reached) == len(s)


def test_real_nixos_shapes(shared_dir: Path) -> None:
    s = load_file(shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz")
    o = s.match(("users", "users", "alice", "isNormalUser"))
    assert o is not None and o.name == "users.users.<name?>.isNormalUser"
    ssh = s.get(("services", "openssh", "enable"))
    assert ssh is not None and ssh.description_format == DOCBOOK
    assert ssh.default is not None and ssh.default.kind == JSON and ssh.default.text == "false"
    assert ssh.declarations[0].name == "nixos/modules/services/networking/ssh/sshd.nix"
    lit = [o for o in s if o.example is not None and o.example.kind == EXPRESSION]
    assert len(lit) == 461  # literalExample examples counted in the data README


def test_real_home_manager_shapes(shared_dir: Path) -> None:
    s = load_file(shared_dir / "data" / "options" / "home-manager-options.json.gz")
    git = s.get(("programs", "git", "enable"))
    assert git is not None and git.description_format == MARKDOWN
    assert git.default is not None and git.default.kind == EXPRESSION
    assert git.declarations[0].url is not None and git.declarations[0].url.startswith("https://")
    md = [o for o in s if o.default is not None and o.default.kind == MARKDOWN]
    assert len(md) == 188
    assert sum(1 for o in s if o.description is None) == 2


def test_literal_example_with_non_string_text(tmp_path: Path) -> None:
    # The 2020 NixOS file has literalExample wrapping a number, a list and an attrset.
    p = tmp_path / "o.json"
    rec = {"loc": ["a"], "type": "signed integer", "description": "x", "declarations": []}
    p.write_text(json.dumps({"a": {**rec, "example": {"_type": "literalExample", "text": [16]}}}))
    o = load_file(p).get(("a",))
    assert o is not None and o.example is not None
    assert o.example.kind == EXPRESSION and o.example.text == "[ 16 ]"
