"""``nixos-settings flake …`` and ``--file flake.nix``: a flake edited as a Nix file, with
hand-written expected bytes, run as real subprocesses, checked with ``nix-instantiate --parse``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GUI = Path(__file__).resolve().parents[2] / "gui"
NIX = shutil.which("nix-instantiate")

NESTED = """{
  description = "My machines";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
    home-manager = {
      url = "github:nix-community/home-manager/release-24.05";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    # secrets
    agenix.url = "github:ryantm/agenix";
    agenix.inputs.nixpkgs.follows = "nixpkgs";
  };

  nixConfig.extra-substituters = [ "https://cache.example.org" ];

  outputs = { self, nixpkgs, home-manager, agenix }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      modules = [ ./configuration.nix home-manager.nixosModules.home-manager ];
    };
  };
}
"""

DOTTED = """{
\tinputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
\tinputs.utils.url = "github:numtide/flake-utils";

\toutputs = { self, nixpkgs, ... }@inputs: {
\t\tnixosConfigurations.h = nixpkgs.lib.nixosSystem { modules = [ ./h.nix ]; };
\t};
}
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(GUI)
    env["NIXOS_SETTINGS_BACKUP_DIR"] = str(cwd / ".backups")
    return subprocess.run([sys.executable, "-m", "nixos_settings", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=60, check=False)


def flake(tmp_path: Path, text: str, crlf: bool = False) -> Path:
    path = tmp_path / "flake.nix"
    data = text.encode()
    path.write_bytes(data.replace(b"\n", b"\r\n") if crlf else data)
    return path


def expect(path: Path, text: str, crlf: bool = False) -> None:
    data = text.encode()
    assert path.read_bytes() == (data.replace(b"\n", b"\r\n") if crlf else data)
    if NIX is not None:
        proc = subprocess.run([NIX, "--parse", str(path)], capture_output=True, text=True,
                              check=False)
        assert proc.returncode == 0, proc.stderr


def test_inputs_json_lists_urls_and_follows(tmp_path: Path) -> None:
    f = flake(tmp_path, NESTED)
    proc = run("flake", "inputs", "--json", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    got = {i["name"]: (i["url"], i["flake"], i["inputs_follow"], i["line"])
           for i in json.loads(proc.stdout)}
    assert got == {
        "nixpkgs": ("github:NixOS/nixpkgs/nixos-24.05", True, {}, 5),
        "home-manager": ("github:nix-community/home-manager/release-24.05", True,
                         {"nixpkgs": "nixpkgs"}, 6),
        "agenix": ("github:ryantm/agenix", True, {"nixpkgs": "nixpkgs"}, 11),
    }


@pytest.mark.parametrize("crlf", [False, True])
def test_add_input_with_follows_and_outputs_argument(tmp_path: Path, crlf: bool) -> None:
    f = flake(tmp_path, NESTED, crlf)
    proc = run("flake", "add-input", "nur", "github:nix-community/NUR", "--follows",
               "nixpkgs=nixpkgs", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    expect(f, NESTED.replace(
        '    agenix.inputs.nixpkgs.follows = "nixpkgs";\n',
        '    agenix.inputs.nixpkgs.follows = "nixpkgs";\n'
        '    nur.url = "github:nix-community/NUR";\n'
        '    nur.inputs.nixpkgs.follows = "nixpkgs";\n').replace(
        "home-manager, agenix }", "home-manager, agenix, nur }"), crlf)


def test_add_non_flake_input_with_tabs_and_ellipsis(tmp_path: Path) -> None:
    f = flake(tmp_path, DOTTED)
    proc = run("flake", "add-input", "walls", "github:me/walls", "--no-flake", "--file", str(f),
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    expect(f, DOTTED.replace(
        '\tinputs.utils.url = "github:numtide/flake-utils";\n',
        '\tinputs.utils.url = "github:numtide/flake-utils";\n'
        '\tinputs.walls.url = "github:me/walls";\n'
        '\tinputs.walls.flake = false;\n'))


def test_set_input_url_and_follows(tmp_path: Path) -> None:
    f = flake(tmp_path, NESTED)
    proc = run("flake", "set-input", "nixpkgs", "github:NixOS/nixpkgs/nixos-unstable",
               "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    proc = run("flake", "set-input", "home-manager", "--follows", "nixpkgs=agenix/nixpkgs",
               "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    proc = run("flake", "set-input", "agenix", "--follows", "systems=utils", "--file", str(f),
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    expect(f, NESTED.replace("nixos-24.05", "nixos-unstable").replace(
        '      inputs.nixpkgs.follows = "nixpkgs";',
        '      inputs.nixpkgs.follows = "agenix/nixpkgs";').replace(
        '    agenix.inputs.nixpkgs.follows = "nixpkgs";\n',
        '    agenix.inputs.nixpkgs.follows = "nixpkgs";\n'
        '    agenix.inputs.systems.follows = "utils";\n'))


def test_remove_input_takes_its_follows_and_argument(tmp_path: Path) -> None:
    text = NESTED.replace('      inputs.nixpkgs.follows = "nixpkgs";\n',
                          '      inputs.nixpkgs.follows = "nixpkgs";\n'
                          '      inputs.agenix.follows = "agenix";\n')
    f = flake(tmp_path, text)
    proc = run("flake", "remove-input", "agenix", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    expect(f, NESTED.replace(
        '    # secrets\n    agenix.url = "github:ryantm/agenix";\n'
        '    agenix.inputs.nixpkgs.follows = "nixpkgs";\n', "").replace(
        "home-manager, agenix }", "home-manager }"))


def test_remove_input_still_used_is_refused(tmp_path: Path) -> None:
    f = flake(tmp_path, NESTED)
    proc = run("flake", "remove-input", "home-manager", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 1
    assert "outputs still use the input home-manager (line 19)" in proc.stderr
    assert f.read_bytes() == NESTED.encode()


def test_unknown_and_duplicate_inputs_are_refused(tmp_path: Path) -> None:
    f = flake(tmp_path, NESTED)
    proc = run("flake", "add-input", "nixpkgs", "github:x/y", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 1 and "already has an input nixpkgs" in proc.stderr
    proc = run("flake", "set-input", "nope", "github:x/y", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 1 and "has no input nope" in proc.stderr
    assert f.read_bytes() == NESTED.encode()


def test_flake_file_is_edited_as_a_file(tmp_path: Path) -> None:
    f = flake(tmp_path, NESTED)
    proc = run("get", "inputs.nixpkgs.url", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == '"github:NixOS/nixpkgs/nixos-24.05"'
    proc = run("add", "nixConfig.extra-substituters", '"https://b.example.org"', "--no-check",
               "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    proc = run("set", "description", '"Our machines"', "--no-check", "--file", str(f),
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    expect(f, NESTED.replace('"https://cache.example.org" ]',
                             '"https://cache.example.org" "https://b.example.org" ]').replace(
        '"My machines"', '"Our machines"'))
