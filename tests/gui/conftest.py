"""Fixtures for the GUI tests: a small configuration, small option metadata written for these
tests (own words), and a main window opened on them (pytest-qt, offscreen)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PORT = "16 bit unsigned integer; between 0 and 65535 (both inclusive)"


def _opt(loc: list[str], type_: str, text: str, default: object = None, **extra: object) -> dict:
    rec: dict[str, object] = {
        "declarations": ["nixos/modules/test/" + loc[0] + ".nix"],
        "description": text,
        "loc": loc,
        "readOnly": False,
        "type": type_,
    }
    if default is not None:
        rec["default"] = default
    rec.update(extra)
    return rec


# Option metadata for the tests, in the 2020 (plain JSON) shape; descriptions are our own.
OPTIONS = {
    "services.openssh.enable": _opt(["services", "openssh", "enable"], "boolean",
                                    "Run the secure shell server so people can log in remotely.",
                                    False),
    "services.openssh.ports": _opt(["services", "openssh", "ports"], f"list of {PORT}s",
                                   "Ports the secure shell server listens on.", [22]),
    "services.openssh.listenPort": _opt(["services", "openssh", "listenPort"], PORT,
                                        "A single port number for the test suite.", 22),
    "services.printing.enable": _opt(["services", "printing", "enable"], "boolean",
                                     "Turn on the printing system.", False),
    "networking.hostName": _opt(["networking", "hostName"], "string",
                                "The name this machine answers to.", "nixos"),
    "networking.firewall.allowedTCPPorts": _opt(
        ["networking", "firewall", "allowedTCPPorts"], f"list of {PORT}s",
        "Incoming TCP ports let through. See <option>services.openssh.enable</option>.", []),
    "time.timeZone": _opt(["time", "timeZone"], "null or string",
                          "Zone used for the clock, e.g. Europe/Paris.", None),
    "sound.enable": _opt(["sound", "enable"], "boolean", "Turn on sound.", False),
    "hardware.pulseaudio.enable": _opt(["hardware", "pulseaudio", "enable"], "boolean",
                                       "Use the PulseAudio sound server.", False),
    "environment.systemPackages": _opt(["environment", "systemPackages"], "list of packages",
                                       "Software installed for everyone.", [],
                                       example={"_type": "literalExample",
                                                "text": "[ pkgs.firefox pkgs.thunderbird ]"}),
    "system.nixos.release": _opt(["system", "nixos", "release"], "string",
                                 "The release number (set by NixOS itself).", "20.09",
                                 readOnly=True),
    "users.users": _opt(["users", "users"], "attribute set of submodules",
                        "The accounts of this machine.", {}),
    "users.users.<name>.isNormalUser": _opt(["users", "users", "<name>", "isNormalUser"],
                                            "boolean", "A person rather than a service.", False),
    "users.users.<name>.description": _opt(["users", "users", "<name>", "description"],
                                           "string", "The person's full name.", ""),
    "users.users.<name>.extraGroups": _opt(["users", "users", "<name>", "extraGroups"],
                                           "list of strings", "Groups the user is in.", []),
    "i18n.defaultLocale": _opt(["i18n", "defaultLocale"], "string", "Language and formats.",
                               "en_US.UTF-8"),
    "boot.kernel.sysctl": _opt(["boot", "kernel", "sysctl"], "attribute set of anything",
                               "Kernel parameters set at run time.", {}),
    "networking.extraHosts": _opt(["networking", "extraHosts"], "strings concatenated with \"\\n\"",
                                  "Lines added to the hosts file.", ""),
    "services.clock.offsets": _opt(["services", "clock", "offsets"], "list of signed integers",
                                   "Offsets in seconds, for the test suite.", []),
    "services.xserver.layout": _opt(["services", "xserver", "layout"],
                                    "one of \"us\", \"de\", \"fr\"", "Keyboard layout.", "us"),
}

CONFIG = b"""{ config, pkgs, lib, ... }:

{
  imports = [ ./users.nix ./desktop.nix ];

  networking.hostName = "lab"; # our test machine
  services.printing.enable = true;
  time.timeZone = "UTC";

  environment.systemPackages = with pkgs; [
    git
    vim
  ];
}
"""

USERS = b"""{ pkgs, ... }:
{
  users.users.alice = {
    isNormalUser = true;
    description = "Alice";
  };
}
"""

DESKTOP = b"""{ lib, ... }:
{
  sound.enable = true;
  hardware.pulseaudio.enable = lib.mkForce true;
  networking.firewall.allowedTCPPorts = [ 80 ];
}
"""


@pytest.fixture(scope="session", autouse=True)
def _isolated_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    from PySide6.QtCore import QSettings

    path = str(tmp_path_factory.mktemp("qsettings"))
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, path)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, path)


@pytest.fixture
def options_file(tmp_path: Path) -> Path:
    p = tmp_path / "options.json"
    p.write_text(json.dumps(OPTIONS), encoding="utf-8")
    return p


def write_config_dir(tmp_path: Path) -> Path:
    """The three-file test configuration (configuration.nix, users.nix, desktop.nix)."""
    d = tmp_path / "etc-nixos"
    d.mkdir()
    (d / "configuration.nix").write_bytes(CONFIG)
    (d / "users.nix").write_bytes(USERS)
    (d / "desktop.nix").write_bytes(DESKTOP)
    return d


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return write_config_dir(tmp_path)


@pytest.fixture
def window(qtbot, config_dir: Path, options_file: Path) -> Iterator[object]:
    """Main window on the test configuration with the test metadata installed."""
    from nixos_settings.core.options import model as options
    from nixos_settings.ui.mainwindow import MainWindow

    win = MainWindow()
    win._confirm_quit = False  # a modal question would block teardown; tested on its own
    qtbot.addWidget(win)
    win.resize(1300, 850)
    win.show()
    assert win.open_configuration(config_dir / "configuration.nix")
    win.controller.set_options(options.load_file(options_file))
    yield win
    win._confirm_quit = False
    win.close()


def open_window(qtbot, conf: Path, options_file: Path | None = None):  # type: ignore[no-untyped-def]
    """A shown main window on ``conf`` (no quit question), with ``options_file``'s
    metadata when given."""
    from nixos_settings.core.options import model as core_options
    from nixos_settings.ui.mainwindow import MainWindow

    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    win.show()
    assert win.open_configuration(conf)
    if options_file is not None:
        win.controller.set_options(core_options.load_file(options_file))
    return win


@pytest.fixture
def standin_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private bin dir with only the nixos-rebuild and pkexec stand-ins, first on PATH;
    returns the tmp dir (the stand-in records its argv in ``record`` there)."""
    standins = Path(__file__).resolve().parents[1] / "standins"
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in ("nixos-rebuild", "pkexec"):
        (bindir / name).symlink_to(standins / name)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    monkeypatch.setenv("STANDIN_REBUILD_DELAY", "0.03")
    monkeypatch.setenv("STANDIN_REBUILD_RECORD", str(tmp_path / "record"))
    return tmp_path
