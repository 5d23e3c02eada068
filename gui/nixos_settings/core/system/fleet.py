"""One flake, many hosts: which hosts there are, which files each uses, where each is
deployed and the exact command each deployment engine is run with.

We never deploy ourselves: ``nixos-rebuild --target-host``, colmena and deploy-rs do.

* :func:`list_hosts` – every host (``nixosConfigurations``, colmena's hive, deploy-rs's
  nodes) with its system, files, target and the engines set up for it.
* :func:`reach` – for each file, the hosts that use it ("changes laptop, server and pi").
* :func:`command` – the argv for one host, engine and action (refusals in plain words).
* :class:`Targets` – addresses people gave for hosts the flake declares none for, kept in the
  app's own settings per flake (never written into the user's files).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Sequence
from pathlib import Path

from nixos_settings.core.common.errors import NixSettingsError
from nixos_settings.core.common.records import field, record
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.document import Document
from nixos_settings.core.config.hosts import (
    COLMENA,
    DEPLOY_RS,
    DeployNode,
    deploy_nodes,
    host_system,
)
from nixos_settings.core.config.imports import flake_hosts

NIXOS_REBUILD = "nixos-rebuild"
ENGINES = (NIXOS_REBUILD, COLMENA, DEPLOY_RS)
ACTIONS = ("switch", "boot", "test", "build", "dry-build")
#: actions that change a machine (the rest only evaluate or build)
ACTIVATING = ("switch", "boot", "test")


class FleetError(NixSettingsError):
    """A host, engine or action that cannot be used (one plain sentence)."""


@record
class Host:
    name: str
    system: str | None = None
    files: list[Path] = field(default_factory=list)
    target: str | None = None  # user@address, or address
    target_from: str | None = None  # "colmena", "deploy-rs", "remembered" or None
    engines: list[str] = field(default_factory=list)
    problem: str | None = None  # why its files could not be read statically


def _flake_file(flake: Path | str) -> Path:
    path = Path(os.path.abspath(flake))
    return path / "flake.nix" if path.is_dir() else path


def list_hosts(flake: Path | str, targets: Targets | None = None) -> list[Host]:
    """Every host of the flake, in the order the flake names them."""
    path = _flake_file(flake)
    doc = Document.read(path)
    nodes = deploy_nodes(doc)
    hosts: dict[str, Host] = {}
    for fh in flake_hosts(doc):
        host = hosts.setdefault(fh.name, Host(fh.name, engines=[NIXOS_REBUILD]))
        host.system = host_system(doc, fh.line)
        if fh.problem:
            host.problem = fh.problem
            continue
        try:
            cfg = Configuration.load_flake(path, fh.name)
        except NixSettingsError as err:
            host.problem = str(err)
            continue
        host.files = sorted(cfg.documents)
    for node in nodes:
        host = hosts.setdefault(node.name, Host(node.name))
        host.engines.append(node.engine)
        if node.address and host.target is None:
            host.target = _target(node)
            host.target_from = node.engine
    remembered = (targets or Targets()).for_flake(path)
    for name, target in remembered.items():
        if name in hosts and hosts[name].target is None:
            hosts[name].target, hosts[name].target_from = target, "remembered"
    return list(hosts.values())


def _target(node: DeployNode) -> str:
    assert node.address is not None
    return f"{node.user}@{node.address}" if node.user else node.address


def reach(hosts: Sequence[Host]) -> dict[Path, list[str]]:
    """For each file, the hosts whose configuration reads it."""
    out: dict[Path, list[str]] = {}
    for h in hosts:
        for f in h.files:
            out.setdefault(f, []).append(h.name)
    return out


def reached(hosts: Sequence[Host], paths: Sequence[Path]) -> list[str]:
    """The hosts whose configuration reads any of ``paths``, in the flake's order."""
    files = set(paths)
    return [h.name for h in hosts if files & set(h.files)]


def reach_words(hosts: Sequence[Host], paths: Sequence[Path]) -> str:
    """Which hosts changes to ``paths`` reach, in the Hosts dock's words."""
    names = reached(hosts, paths)
    return f"Pending changes reach: {', '.join(names)}" if names else "No pending changes."


def shared_note(flake: Path, host: str, paths: Sequence[Path]) -> str | None:
    """A note when a change to ``paths`` made on ``host`` reaches other hosts of the flake
    too (a shared module), naming the shared files and every host reached; else None."""
    hosts = list_hosts(flake)
    # flake.nix itself is read for every host, but what a host's inline module sets there
    # is that host's own
    paths = [p for p in paths if p != _flake_file(flake)]
    names = reached(hosts, paths)
    if not names or names == [host]:
        return None
    shared = [p for p in paths if any(p in h.files for h in hosts if h.name != host)]
    base = _flake_file(flake).parent
    words = ", ".join(os.path.relpath(p, base) for p in shared or paths)
    return f"{words} is used by other hosts too: this change reaches {', '.join(names)}"


def pick_engine(host: Host, wanted: str = "auto") -> str:
    """The engine to use: the one asked for (if the flake is set up for it), else colmena,
    then deploy-rs, then nixos-rebuild."""
    if wanted != "auto":
        if wanted not in ENGINES:
            raise FleetError(f"unknown engine {wanted!r} (auto, {', '.join(ENGINES)})")
        if wanted not in host.engines:
            raise FleetError(f"{host.name} is not set up for {wanted} in this flake "
                             f"(it is for {', '.join(host.engines) or 'nothing'})")
        return wanted
    for engine in (COLMENA, DEPLOY_RS, NIXOS_REBUILD):
        if engine in host.engines:
            return engine
    raise FleetError(f"{host.name} has no nixosConfigurations entry, colmena node or "
                     "deploy-rs node")


def command(flake: Path | str, host: Host, engine: str, action: str) -> list[str]:
    """The exact argv to run ``action`` on ``host`` with ``engine``."""
    if action not in ACTIONS:
        raise FleetError(f"unknown action {action!r} ({', '.join(ACTIONS)})")
    ref = f"{_flake_file(flake).parent}#{host.name}"
    if engine == NIXOS_REBUILD:
        return _nixos_rebuild(ref, host, action)
    if engine == COLMENA:
        if action == "dry-build":
            raise FleetError("colmena has no dry build: use build (it builds without "
                             "changing the host), or another engine")
        return ["colmena", "apply", action, "--on", host.name]
    if engine == DEPLOY_RS:
        if action in ("build", "test"):
            raise FleetError(f"deploy-rs cannot {action} only: use switch, boot or "
                             "dry-build, or another engine")
        extra = {"boot": ["--boot"], "dry-build": ["--dry-activate"]}.get(action, [])
        return ["deploy", *extra, ref]
    raise FleetError(f"unknown engine {engine!r}")


def _nixos_rebuild(ref: str, host: Host, action: str) -> list[str]:
    argv = [NIXOS_REBUILD, action, "--flake", ref]
    if action not in ACTIVATING:
        return argv  # evaluated and built here; nothing is copied anywhere
    if host.target is None:
        if host.name == socket.gethostname():
            return [*argv, "--use-remote-sudo"] if os.geteuid() != 0 else argv
        raise FleetError(f"no deployment target for {host.name}: give one with "
                         f"--target {host.name}=USER@ADDRESS (remembered for this flake)")
    argv += ["--target-host", host.target]
    user = host.target.partition("@")[0] if "@" in host.target else None
    if user != "root":
        argv.append("--use-remote-sudo")
    return argv


class Targets:
    """Deployment targets people gave, per flake, in the app's settings folder."""

    def __init__(self, path: Path | None = None) -> None:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        self.path = path or base / "nixos-settings" / "targets.json"

    def _all(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def for_flake(self, flake: Path | str) -> dict[str, str]:
        found = self._all().get(str(_flake_file(flake)), {})
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}

    def remember(self, flake: Path | str, host: str, target: str) -> None:
        if not target or any(c.isspace() for c in target):
            raise FleetError(f"{target!r} is not a deployment target (write USER@ADDRESS)")
        data = self._all()
        data.setdefault(str(_flake_file(flake)), {})[host] = target
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)
