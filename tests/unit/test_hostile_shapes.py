"""Hostile shapes (issue 16 item 14): sets nested as deep as Nix accepts, long ``++`` chains
and very long lines are read and edited without RecursionError (speed: benchmarks/
bench_hostile.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.definitions import element_texts
from nixos_settings.core.edit import planning

NIX = shutil.which("nix-instantiate")


def _deep(n: int) -> bytes:
    return ("{ " + "".join(f"a{i} = {{ " for i in range(n)) + "x = 1; " + "}; " * n
            + "}\n").encode()


def _parses(path: Path) -> None:
    if NIX is not None:
        proc = subprocess.run([NIX, "--parse", str(path)], capture_output=True, check=False)
        assert proc.returncode == 0, proc.stderr


def test_sets_nested_2400_deep_are_read_set_added_and_unset(tmp_path: Path) -> None:
    n = 2400
    path = tmp_path / "configuration.nix"
    path.write_bytes(_deep(n))
    cfg = Configuration.load(path)
    inner = tuple(f"a{i}" for i in range(n))
    (d,) = cfg.find((*inner, "x"))
    assert d.value_text == "1"
    cfg.apply(planning.plan_set(cfg, (*inner, "x"), "2"))
    cfg.apply(planning.plan_set(cfg, (*inner, "y"), "3"))
    assert cfg.documents[path].source == _deep(n).replace(b"x = 1; ", b"x = 2; y = 3; ")
    cfg.apply(planning.plan_unset(cfg, (*inner, "x")))
    assert [dd.value_text for dd in cfg.find((*inner, "y"))] == ["3"]
    path.write_bytes(cfg.documents[path].source)
    _parses(path)


def test_a_long_concatenation_of_lists_is_read(tmp_path: Path) -> None:
    n = 5000
    path = tmp_path / "configuration.nix"
    path.write_bytes(("{ xs = " + " ++ ".join(f"[ {i} ]" for i in range(n)) + "; }\n").encode())
    cfg = Configuration.load(path)
    (d,) = cfg.find(("xs",))
    texts = element_texts(d)
    assert texts is not None and len(texts) == n and texts[-1] == str(n - 1)
    cfg.apply(planning.plan_list_add(cfg, ("xs",), str(n)))
    assert cfg.documents[path].source.endswith(f"[ {n - 1} {n} ]; }}\n".encode())


def test_one_long_line_of_bindings_is_read_and_edited(tmp_path: Path) -> None:
    n = 20_000
    path = tmp_path / "configuration.nix"
    src = ("{ " + " ".join(f"a{i} = {i};" for i in range(n)) + " }\n").encode()
    path.write_bytes(src)
    cfg = Configuration.load(path)
    assert len(cfg.definitions) == n
    last = cfg.find((f"a{n - 1}",))[0]
    assert (last.line, last.column) == (1, src.index(f"a{n - 1} =".encode()) + 1)
    cfg.apply(planning.plan_set(cfg, ("a5",), "50"))
    assert cfg.documents[path].source == src.replace(b"a5 = 5;", b"a5 = 50;")


def test_columns_on_a_long_non_ascii_line_count_characters(tmp_path: Path) -> None:
    path = tmp_path / "configuration.nix"
    src = ("{ " + " ".join(f'a{i} = "é{i}";' for i in range(300)) + " }\n").encode()
    path.write_bytes(src)
    cfg = Configuration.load(path)
    for i in (0, 1, 150, 299):
        (d,) = cfg.find((f"a{i}",))
        prefix = src[: src.index(f"a{i} =".encode())].decode()
        assert d.column == len(prefix) + 1
