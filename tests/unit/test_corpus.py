"""The fixture corpus (tests/fixtures/configs) read by the real core.

* every fixture reads; only the intentionally broken ones report syntax errors;
* opening and saving without edits writes nothing and changes no byte;
* the hand-written ``*.expect.json`` files (the oracle) match the definitions found:
  option, file, line, value text and wrappers;
* flakes: hosts are listed, static hosts load their modules, the computed one is refused;
* the generated large files and import trees read cleanly and completely.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CONFIGS = FIXTURES / "configs"
ALL_NIX = sorted(CONFIGS.rglob("*.nix"))
EXPECTS = sorted(CONFIGS.rglob("*.expect.json"))
# Intentionally broken fixtures → the 1-based line of their first syntax error.
BROKEN = {"syntax-error.nix": 4, "imports-broken/broken.nix": 4}  # where parsers notice

sys.path.insert(0, str(FIXTURES))
import make_fixtures  # noqa: E402

from nixos_settings.core.edit import planning  # noqa: E402
from nixos_settings.core.edit.save import save_configuration  # noqa: E402


def _rel(path: Path) -> str:
    return path.relative_to(CONFIGS).as_posix()


def _root_of(expect: Path) -> Path:
    return expect.with_name(expect.name.replace(".expect.json", ".nix"))


# ----------------------------------------------------------------------------- reading


def test_corpus_covers_the_construct_table() -> None:
    """Every row of the construct table in shared/docs/README.md has at least one fixture."""
    texts = {p: p.read_bytes() for p in ALL_NIX}
    joined = b"\n".join(texts.values())
    needles = [
        b"services.openssh.enable = ", b"imports = [", b"with pkgs;", b"services = {",
        b"${", b"''", b"let\n", b"inherit ", b"inherit (", b"mkIf", b"mkOption",
        b"mkEnableOption", b"mkForce", b"\t", b"mkDefault", b"rec {", b"mkMerge",
        b"mkOverride 50", b"mkBefore", b"mkAfter", b"mkOrder 500", b"\r\n", b"\xf0\x9f\x8e\x89",
        b"\xe2\x80\x98", b"args@{", b"}@args", b"/*", b"nixosSystem", b"specialArgs",
        b"<nixpkgs/", b"home.stateVersion",
    ]  # fmt: skip
    missing = [n for n in needles if n not in joined]
    assert not missing, f"constructs without a fixture: {missing}"
    assert any(not data.endswith(b"\n") for data in texts.values()), "no final newline"
    assert any(_is_latin1_only(data) for data in texts.values()), "non-UTF-8 file"


def _is_latin1_only(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def test_committed_special_fixtures_match_the_generator() -> None:
    for rel, data in make_fixtures.special_files().items():
        assert (CONFIGS / rel).read_bytes() == data, rel


@pytest.mark.parametrize("path", ALL_NIX, ids=[_rel(p) for p in ALL_NIX])
def test_document_reads(path: Path) -> None:
    from nixos_settings.core.config.document import Document

    doc = Document.read(path)
    assert doc.source == path.read_bytes()
    errors = [p for p in doc.problems if getattr(p, "severity", "error") == "error"]
    if _rel(path) in BROKEN:
        assert errors, "a broken fixture must report a syntax error"
        assert errors[0].line == BROKEN[_rel(path)], errors
    else:
        assert errors == [], errors
    if path.name == "crlf.nix":
        assert doc.newline == b"\r\n"
    else:
        assert doc.newline == b"\n"


def _copy_tree_of(path: Path, dest: Path) -> Path:
    """Copy the fixture's directory (a fixture may import siblings) and return the copy."""
    src_dir = path.parent
    shutil.copytree(src_dir, dest / "c", symlinks=True)
    return dest / "c" / path.name


@pytest.mark.parametrize("path", ALL_NIX, ids=[_rel(p) for p in ALL_NIX])
def test_round_trip_writes_nothing(path: Path, tmp_path: Path) -> None:
    from nixos_settings.core.config.configuration import Configuration

    copy = _copy_tree_of(path, tmp_path)
    before = {
        p: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in (tmp_path / "c").rglob("*")
        if p.is_file()
    }
    cfg = Configuration.load(copy)
    assert cfg.dirty_paths() == []
    assert save_configuration(cfg) == []
    after = {
        p: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in (tmp_path / "c").rglob("*")
        if p.is_file()
    }
    assert after == before
    for doc_path, doc in cfg.documents.items():
        assert doc.source == Path(doc_path).read_bytes()


# ----------------------------------------------------------------------------- the oracle


def _found(cfg: Any, base: Path) -> dict[tuple[str, str, int], Any]:
    out: dict[tuple[str, str, int], Any] = {}
    for d in cfg.definitions:
        key = (Path(d.file).resolve().relative_to(base).as_posix(), d.option, d.line)
        assert key not in out, f"two definitions at {key}"
        out[key] = d
    return out


@pytest.mark.parametrize("expect", EXPECTS, ids=[_rel(p) for p in EXPECTS])
def test_expected_definitions(expect: Path) -> None:
    from nixos_settings.core.config.configuration import Configuration

    spec = json.loads(expect.read_text(encoding="utf-8"))
    root = _root_of(expect)
    base = root.parent.resolve()
    cfg = Configuration.load(root)
    found = _found(cfg, base)
    problems: list[str] = []
    expected_keys = set()
    for e in spec["definitions"]:
        key = (e.get("file", root.name), e["option"], e["line"])
        expected_keys.add(key)
        d = found.get(key)
        if d is None:
            near = sorted(k for k in found if k[1] == e["option"])
            problems.append(f"missing {key} (same option found at {near})")
            continue
        if d.value_text != e["value"]:
            problems.append(f"{key}: value {d.value_text!r}, expected {e['value']!r}")
        names = [w.name for w in d.wrappers]
        if names != e["wrappers"]:
            problems.append(f"{key}: wrappers {names}, expected {e['wrappers']}")
        if "wrapper_args" in e and [w.arg for w in d.wrappers] != e["wrapper_args"]:
            args = [w.arg for w in d.wrappers]
            problems.append(f"{key}: wrapper args {args}, expected {e['wrapper_args']}")
        if not d.editable:
            problems.append(f"{key}: not editable ({d.reason})")
    if spec["complete"]:
        files = {k[0] for k in expected_keys} | {root.name}
        extra = sorted(k for k in found if k[0] in files and k not in expected_keys)
        if extra:
            problems.append(f"unexpected definitions {extra}")
    for first, last in spec.get("dynamic", []):
        in_range = [d for k, d in found.items() if k[0] == root.name and first <= k[2] <= last]
        if not in_range:
            problems.append(f"no definition found on dynamic lines {first}-{last}")
        problems += [
            f"{d.option} at line {d.line} is dynamic but editable" for d in in_range if d.editable
        ]
    if "files" in spec:
        loaded = sorted(Path(p).resolve().relative_to(base).as_posix() for p in cfg.documents)
        if loaded != sorted(spec["files"]):
            problems.append(f"loaded files {loaded}, expected {sorted(spec['files'])}")
    for note in spec.get("notes", []):
        want_path = (base / note["file"]).resolve()
        if not any(
            Path(n.path).resolve() == want_path
            and n.line == note["line"]
            and note["contains"] in n.message
            for n in cfg.notes
        ):
            got = [str(n) for n in cfg.notes]
            problems.append(
                f"no note at {note['file']}:{note['line']} with {note['contains']!r}; notes: {got}"
            )
    assert not problems, "\n".join(problems)


def test_imports_broken_reports_the_broken_file() -> None:
    from nixos_settings.core.config.configuration import Configuration

    root = CONFIGS / "imports-broken" / "configuration.nix"
    cfg = Configuration.load(root)
    broken = (CONFIGS / "imports-broken" / "broken.nix").resolve()
    assert broken in {Path(p).resolve() for p in cfg.documents}
    errors = [
        n
        for n in cfg.notes
        if Path(n.path).resolve() == broken and getattr(n, "severity", "error") == "error"
    ]
    assert errors and errors[0].line == 4
    assert cfg.find(("networking", "hostName"))[0].value_text == '"elm"'


# ----------------------------------------------------------------------------- flakes

FLAKE = CONFIGS / "flake" / "flake.nix"


def _flake_hosts(path: Path) -> list[Any]:
    from nixos_settings.core.config import configuration as config_mod
    from nixos_settings.core.config.document import Document

    listing = getattr(config_mod.Configuration, "flake_hosts", None)
    if listing is not None:
        return list(listing(path))
    return list(config_mod.flake_hosts(Document.read(path)))


def test_flake_hosts_listed() -> None:
    hosts = {h.name: h for h in _flake_hosts(FLAKE)}
    assert sorted(hosts) == ["atlas", "borealis", "computed"]
    assert hosts["atlas"].line == 18
    assert hosts["borealis"].line == 26
    assert hosts["atlas"].problem is None
    assert hosts["borealis"].problem is None
    assert hosts["computed"].problem, "the computed host must say why it cannot be read"


def _defs(cfg: Any, base: Path) -> dict[str, tuple[str, int, str]]:
    return {
        d.option: (Path(d.file).resolve().relative_to(base).as_posix(), d.line, d.value_text)
        for d in cfg.definitions
    }


def test_flake_host_with_module_paths() -> None:
    from nixos_settings.core.config.configuration import Configuration

    base = FLAKE.parent.resolve()
    cfg = Configuration.load_flake(FLAKE, "atlas")
    loaded = sorted(Path(p).resolve().relative_to(base).as_posix() for p in cfg.documents)
    assert loaded == [
        "flake.nix",
        "hosts/atlas/configuration.nix",
        "hosts/atlas/hardware-configuration.nix",
        "modules/common.nix",
    ]
    defs = _defs(cfg, base)
    assert defs["networking.hostName"] == ("hosts/atlas/configuration.nix", 5, '"atlas"')
    assert defs["time.timeZone"] == ("modules/common.nix", 4, '"Europe/Oslo"')
    assert defs['fileSystems."/".device'][:2] == ("hosts/atlas/hardware-configuration.nix", 5)
    # Nothing of the flake itself (inputs, description) is an option definition.
    assert not [o for o, v in defs.items() if v[0] == "flake.nix"]


def test_flake_host_with_inline_module_and_special_args() -> None:
    from nixos_settings.core.config.configuration import Configuration

    base = FLAKE.parent.resolve()
    cfg = Configuration.load_flake(FLAKE, "borealis")
    defs = _defs(cfg, base)
    assert defs["networking.hostName"] == ("flake.nix", 33, '"borealis"')
    assert defs["environment.systemPackages"] == ("flake.nix", 34, "[ pkgs.htop ]")
    assert defs["services.openssh.enable"] == ("hosts/borealis/configuration.nix", 4, "true")
    # home-manager.nixosModules.home-manager is not a local file: a note, not an error.
    assert any(n.line == 31 for n in cfg.notes), [str(n) for n in cfg.notes]


def test_flake_computed_host_is_refused() -> None:
    from nixos_settings.core.common.errors import NixSettingsError
    from nixos_settings.core.config.configuration import Configuration

    with pytest.raises(NixSettingsError) as info:
        Configuration.load_flake(FLAKE, "computed")
    assert "computed" in str(info.value)


def test_flake_edit_goes_to_inline_module(tmp_path: Path) -> None:
    from nixos_settings.core.config.configuration import Configuration

    shutil.copytree(FLAKE.parent, tmp_path / "f")
    flake = tmp_path / "f" / "flake.nix"
    before = flake.read_bytes()
    cfg = Configuration.load_flake(flake, "borealis")
    cfg.apply(planning.plan_set_value(cfg, ("networking", "hostName"), "aurora"))
    save_configuration(cfg)
    assert flake.read_bytes() == before.replace(
        b'networking.hostName = "borealis";', b'networking.hostName = "aurora";'
    )


# ----------------------------------------------------------------------------- large inputs


@pytest.mark.parametrize("lines", [1500, 2000])
def test_large_generated_file(lines: int, tmp_path: Path) -> None:
    from nixos_settings.core.config.configuration import Configuration

    data = make_fixtures.large_config(lines)
    assert data == make_fixtures.large_config(lines), "generator must be deterministic"
    assert data.count(b"\n") == lines
    path = tmp_path / "configuration.nix"
    path.write_bytes(data)
    cfg = Configuration.load(path)
    assert [n for n in cfg.notes if getattr(n, "severity", "error") == "error"] == []
    assert cfg.find(("networking", "hostName"))[0].line == 4
    # One definition per `name = value;` line outside nested attrsets: count them from the
    # text for the blocks the generator writes (a generator-side oracle, not the core).
    text = data.decode()
    expected_leaves = (
        text.count("  services.app")
        + text.count('environment.etc."pad/')
        + text.count("    isNormalUser = true;") * 3  # isNormalUser, description, extraGroups
        + text.count("systemd.services.worker-") * 6  # 3 direct + 3 in serviceConfig
        + text.count('environment.etc."generated/')
        + text.count("networking.firewall.interfaces.")
        + text.count("boot.kernel.sysctl.")
        + 3  # hostName, stateVersion, systemPackages
    )
    assert len(cfg.definitions) == expected_leaves
    assert save_configuration(cfg) == []


@pytest.mark.parametrize(("files", "lines"), [(50, 10_000), (30, 6_000)])
def test_generated_import_tree(files: int, lines: int, tmp_path: Path) -> None:
    from nixos_settings.core.config.configuration import Configuration

    root = make_fixtures.write_import_tree(tmp_path / "t", files, lines)
    on_disk = sorted(tmp_path.rglob("*.nix"))
    assert len(on_disk) == files
    total = sum(p.read_bytes().count(b"\n") for p in on_disk)
    assert abs(total - lines) <= lines * 0.05
    cfg = Configuration.load(root)
    assert sorted(Path(p).resolve() for p in cfg.documents) == [p.resolve() for p in on_disk]
    assert [str(n) for n in cfg.notes] == []
    assert save_configuration(cfg) == []
    assert os.path.exists(root)
