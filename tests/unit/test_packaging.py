"""Packaging checks: desktop entry, AppStream, polkit policy, icon, and the Nix files.

The Nix files are parsed by the real ``nix-instantiate --parse``.  Without nixpkgs they
cannot be built here; what *can* be evaluated is evaluated against small stand-ins for
``lib``/``pkgs``/``nixpkgs`` written below (module options and config, the package's
arguments, the flake's output structure).  That checks our own logic, not nixpkgs'.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RES = REPO / "resources"
APP_ID = "org.nixos_settings.NixOSSettings"
NIX_FILES = [
    REPO / "flake.nix",
    REPO / "packaging" / "package.nix",
    REPO / "packaging" / "module.nix",
]
HAVE_NIX = shutil.which("nix-instantiate") is not None
needs_nix = pytest.mark.skipif(not HAVE_NIX, reason="nix-instantiate not installed")


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed")
    return path


def nix_eval(expr: str) -> object:
    res = subprocess.run(
        ["nix-instantiate", "--eval", "--strict", "--json", "-E", expr],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


# ----------------------------------------------------------------------------- resources


def test_resource_files_share_one_app_id() -> None:
    for suffix in (".desktop", ".metainfo.xml", ".svg", ".policy"):
        assert (RES / f"{APP_ID}{suffix}").is_file(), suffix
    desktop = (RES / f"{APP_ID}.desktop").read_text()
    assert f"\nIcon={APP_ID}\n" in desktop
    meta = ET.parse(RES / f"{APP_ID}.metainfo.xml").getroot()
    assert meta.findtext("id") == APP_ID
    assert meta.findtext("launchable") == f"{APP_ID}.desktop"
    policy = ET.parse(RES / f"{APP_ID}.policy").getroot()
    assert policy.findtext("icon_name") == APP_ID


def test_desktop_file_validates() -> None:
    res = subprocess.run(
        [tool("desktop-file-validate"), str(RES / f"{APP_ID}.desktop")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "error" not in res.stdout


def test_metainfo_validates() -> None:
    res = subprocess.run(
        [tool("appstreamcli"), "validate", "--no-net", str(RES / f"{APP_ID}.metainfo.xml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_desktop_exec_is_a_declared_script() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    desktop = (RES / f"{APP_ID}.desktop").read_text()
    exec_line = re.search(r"^Exec=(\S+)", desktop, re.M)
    assert exec_line is not None and exec_line.group(1) in scripts


VERBS = ("write", "rebuild", "rollback", "switch-generation")


def test_policy_has_one_action_per_verb() -> None:
    """pkexec picks the action by program path and first argument (the verb): saving keeps
    the authorisation for a while, changing the running system asks every time."""
    root = ET.parse(RES / f"{APP_ID}.policy").getroot()
    actions = root.findall("action")
    by_verb = {}
    for action in actions:
        # polkit action ids: lower-case ASCII letters, digits, '.' and '-'.
        assert re.fullmatch(r"[a-z0-9][a-z0-9.-]*", action.get("id", ""))
        annotations = {a.get("key"): a.text for a in action.findall("annotate")}
        assert annotations["org.freedesktop.policykit.exec.path"] == "@helper@"
        by_verb[annotations["org.freedesktop.policykit.exec.argv1"]] = action
    assert tuple(sorted(by_verb)) == tuple(sorted(VERBS)) and len(actions) == len(VERBS)
    from nixos_settings.helper.verbs import VERBS as HELPER_VERBS

    assert set(by_verb) == set(HELPER_VERBS)
    for verb, action in by_verb.items():
        defaults = action.find("defaults")
        assert defaults is not None
        assert defaults.findtext("allow_any") == "auth_admin"
        assert defaults.findtext("allow_inactive") == "auth_admin"
        keep = "auth_admin_keep" if verb == "write" else "auth_admin"
        assert defaults.findtext("allow_active") == keep, verb


def test_icon_is_a_square_svg_that_qt_renders() -> None:
    svg = RES / f"{APP_ID}.svg"
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 128 128"
    qtsvg = pytest.importorskip("PySide6.QtSvg")
    renderer = qtsvg.QSvgRenderer(str(svg))
    assert renderer.isValid()
    assert renderer.defaultSize().width() == renderer.defaultSize().height() == 128


# ----------------------------------------------------------------------------- Nix files


@needs_nix
@pytest.mark.parametrize("path", NIX_FILES, ids=lambda p: p.name)
def test_nix_file_parses(path: Path) -> None:
    res = subprocess.run(
        ["nix-instantiate", "--parse", str(path)], capture_output=True, text=True, check=False
    )
    assert res.returncode == 0, res.stderr


MODULE_EXPR = """
let
  lib = {
    mkEnableOption = what: { kind = "enable"; description = what; };
    mkOption = attrs: attrs // { kind = "option"; };
    mkIf = condition: content: { inherit condition content; };
    types.package = "package-type";
    literalExpression = text: { literal = text; };
  };
  pkgs.callPackage = path: args: { calledFrom = baseNameOf path; inherit args; };
  module = enable: import ./packaging/module.nix {
    inherit lib pkgs;
    config.programs.nixos-settings = { inherit enable; package = "THE-PACKAGE"; };
  };
in { on = module true; off = module false; }
"""


@needs_nix
def test_module_evaluates_with_stub_lib() -> None:
    result = nix_eval(MODULE_EXPR)
    assert isinstance(result, dict)
    on, off = result["on"], result["off"]
    opts = on["options"]["programs"]["nixos-settings"]
    assert opts["enable"]["kind"] == "enable"
    assert opts["package"]["type"] == "package-type"
    assert opts["package"]["default"] == {"calledFrom": "package.nix", "args": {}}
    assert on["config"] == {
        "condition": True,
        "content": {
            "environment": {"systemPackages": ["THE-PACKAGE"]},
            "security": {"polkit": {"enable": True}},
        },
    }
    assert off["config"]["condition"] is False


PACKAGE_EXPR = """
let
  lib = {
    fileset = { toSource = args: "SOURCE"; unions = l: l; maybeMissing = p: p; };
    licenses.mit = "mit";
    platforms.linux = [ "x86_64-linux" "aarch64-linux" ];
  };
  python3Packages = {
    buildPythonApplication = attrs: attrs;
    setuptools = "setuptools"; wheel = "wheel"; pyside6 = "pyside6";
    tree-sitter = "tree-sitter"; tree-sitter-grammars.tree-sitter-nix = "grammar-nix";
    markdown-it-py = "markdown-it-py"; orjson = "orjson"; brotli = "brotli";
    pytestCheckHook = "pytestCheckHook"; pytest-qt = "pytest-qt"; hypothesis = "hypothesis";
    python = { interpreter = "@PYTHON@"; sitePackages = "@SITE@"; };
  };
  qt6 = { wrapQtAppsHook = "wrapQtAppsHook"; qtbase = "qtbase"; qtsvg = "qtsvg";
          qtwayland = "qtwayland"; };
in import ./packaging/package.nix {
  inherit lib python3Packages qt6;
  nix = "nix"; git = "git"; desktop-file-utils = "desktop-file-utils"; appstream = "appstream";
  runtimeShell = "@SHELL@"; coreutils = "@COREUTILS@";
}
"""


@needs_nix
def test_package_arguments() -> None:
    pkg = nix_eval(PACKAGE_EXPR)
    assert isinstance(pkg, dict)
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pkg["pname"] == pyproject["project"]["name"]
    assert pkg["version"] == pyproject["project"]["version"]
    assert pkg["pyproject"] is True
    assert pkg["dontWrapQtApps"] is True
    assert pkg["makeWrapperArgs"] == ["${qtWrapperArgs[@]}"]
    assert "wrapQtAppsHook" in pkg["nativeBuildInputs"]
    assert {"pyside6", "tree-sitter", "grammar-nix"} <= set(pkg["dependencies"])
    assert pkg["pythonRemoveDeps"] == ["PySide6-Essentials"]
    assert pkg["meta"]["mainProgram"] in pyproject["project"]["scripts"]
    assert {"nix", "git", "pytest-qt"} <= set(pkg["nativeCheckInputs"])


@needs_nix
def test_package_installs_resources_and_points_policy_at_helper(tmp_path: Path) -> None:
    """Run the package's postInstall in a shell against a fake $out and check the result."""
    pkg = nix_eval(PACKAGE_EXPR)
    assert isinstance(pkg, dict)
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert "nixos-settings-helper" in scripts
    out = tmp_path / "out"
    # substituteInPlace is a nixpkgs shell function; a faithful small stand-in for it:
    prelude = (
        'substituteInPlace() { f="$1"; shift; [ "$1" = --replace-fail ] || return 1;'
        ' grep -qF "$2" "$f" || return 1; python3 -c "import sys; p=sys.argv[1];'
        " t=open(p).read(); open(p,'w').write(t.replace(sys.argv[2], sys.argv[3]))\""
        ' "$f" "$2" "$3"; }\n'
    )
    res = subprocess.run(
        ["bash", "-euc", prelude + pkg["postInstall"]],
        cwd=REPO,
        env={"out": str(out), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    for rel in (
        f"share/applications/{APP_ID}.desktop",
        f"share/metainfo/{APP_ID}.metainfo.xml",
        f"share/icons/hicolor/scalable/apps/{APP_ID}.svg",
    ):
        assert (out / rel).read_bytes() == (RES / Path(rel).name).read_bytes()
    policy = ET.parse(out / f"share/polkit-1/actions/{APP_ID}.policy").getroot()
    paths = [a.text for a in policy.iter("annotate")
             if a.get("key") == "org.freedesktop.policykit.exec.path"]
    assert paths == [f"{out}/bin/nixos-settings-helper"] * len(VERBS)


def _installed_helper(tmp_path: Path, python: str) -> Path:
    """Run the package's real postFixup (``substitute`` stood in) on a fake ``$out``, then
    fill in what Nix would have: this machine's shell, ``env``, ``python`` and our
    sources."""
    pkg = nix_eval(PACKAGE_EXPR)
    assert isinstance(pkg, dict)
    out = tmp_path / "out"
    (out / "bin").mkdir(parents=True)
    (out / "bin" / "nixos-settings-helper").write_text("the generated Python wrapper\n")
    prelude = (
        'substitute() { python3 -c "import sys; src, dst, *rest = sys.argv[1:]; t = open(src)'
        ".read()\nwhile rest:\n flag, a, b, *rest = rest\n assert flag == '--replace-fail'"
        ' and a in t, a\n t = t.replace(a, b)\nopen(dst, \'w\').write(t)" "$@"; }\n'
    )
    res = subprocess.run(["bash", "-euc", prelude + pkg["postFixup"]], cwd=REPO,
                         env={"out": str(out), "PATH": "/usr/bin:/bin"}, capture_output=True,
                         text=True, check=False)
    assert res.returncode == 0, res.stderr
    wrapper = out / "bin" / "nixos-settings-helper"
    assert (wrapper.stat().st_mode & 0o777) == 0o555
    text = wrapper.read_text()
    for stub, real in (("@SHELL@", "/bin/sh"), ("@COREUTILS@/bin/env", shutil.which("env")),
                       ("@PYTHON@", python), (f"{out}/@SITE@", str(REPO / "gui"))):
        assert stub in text, stub
        text = text.replace(stub, str(real))
    wrapper.chmod(0o755)
    wrapper.write_text(text)
    return wrapper


@needs_nix
def test_installed_helper_builds_its_environment_from_nothing(tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    probe.write_text('#!/bin/sh\n/usr/bin/env\necho "ARGS: $*"\n')
    probe.chmod(0o755)
    wrapper = _installed_helper(tmp_path, str(probe))
    hostile = {"PATH": "/usr/bin:/bin", "PYTHONPATH": "/tmp/evil", "LD_LIBRARY_PATH": "/x",
               "NIXOS_SETTINGS_HELPER_ROOT": str(tmp_path), "NIX_PATH": "nixpkgs=/tmp/evil",
               "LC_ALL": "xx_XX.UTF-8", "HOME": "/tmp/evil"}
    res = subprocess.run([str(wrapper), "write", "x.nix"], env=hostile, capture_output=True,
                         text=True, check=True)
    lines = res.stdout.splitlines()
    env = dict(line.split("=", 1) for line in lines if "=" in line and
               not line.startswith("ARGS:") and not line.startswith("PWD="))
    assert env == {"PKEXEC_UID": "", "LANG": "C.UTF-8",
                   "PATH": "/run/wrappers/bin:/run/current-system/sw/bin"}
    args = next(line for line in lines if line.startswith("ARGS:")).split()
    assert args[1:3] == ["-I", "-B"] and args[-3:] == [str(REPO / "gui"), "write", "x.nix"]


@needs_nix
def test_installed_helper_ignores_python_variables_and_the_current_folder(
        tmp_path: Path) -> None:
    import sys

    wrapper = _installed_helper(tmp_path, sys.executable)
    evil = tmp_path / "evil"
    (evil / "nixos_settings").mkdir(parents=True)
    (evil / "nixos_settings" / "__init__.py").write_text("print('EVIL'); raise SystemExit(99)\n")
    (evil / "startup.py").write_text("print('EVIL')\n")
    hostile = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(evil), "PYTHONSTARTUP":
               str(evil / "startup.py"), "PYTHONINSPECT": "1", "PYTHONHOME": str(evil)}
    res = subprocess.run([str(wrapper)], env=hostile, cwd=evil, capture_output=True,
                         text=True, timeout=60, check=False)
    assert res.returncode == 2, res.stderr
    assert res.stderr.startswith("usage: nixos-settings-helper")
    assert "EVIL" not in res.stdout + res.stderr


FLAKE_EXPR = """
let
  flake = import ./flake.nix;
  stubPkgs = system: {
    stdenv.hostPlatform.system = system;
    callPackage = path: args: { outPath = "/nix/store/stub-${system}"; from = baseNameOf path; };
  };
  nixpkgs = {
    lib.genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
    legacyPackages = {
      x86_64-linux = stubPkgs "x86_64-linux";
      aarch64-linux = stubPkgs "aarch64-linux";
    };
  };
  self = flake.outputs { inherit self nixpkgs; };
  names = builtins.mapAttrs (_: perSystem: builtins.mapAttrs (_: builtins.attrNames) perSystem);
in {
  inherit (flake) description;
  url = flake.inputs.nixpkgs.url;
  structure = names { inherit (self) packages apps checks devShells; };
  package = self.packages.aarch64-linux.default.from;
  app = self.apps.x86_64-linux.default;
  hasModule = builtins.isFunction self.nixosModules.default;
}
"""


@needs_nix
def test_flake_outputs_structure() -> None:
    result = nix_eval(FLAKE_EXPR)
    assert isinstance(result, dict)
    systems = ["aarch64-linux", "x86_64-linux"]
    for output, names in {
        "packages": ["default", "nixos-settings"],
        "apps": ["default"],
        "checks": ["nix-files-parse", "package"],
        "devShells": ["default"],
    }.items():
        assert sorted(result["structure"][output]) == systems
        for system in systems:
            assert result["structure"][output][system] == names
    assert result["package"] == "package.nix"
    assert result["app"] == {
        "type": "app",
        "program": "/nix/store/stub-x86_64-linux/bin/nixos-settings",
    }
    assert result["hasModule"] is True
    assert result["url"].startswith("github:NixOS/nixpkgs/")
