"""``nixos-settings hosts`` and ``nixos-settings deploy``: one flake, many hosts, deployed
through nixos-rebuild, colmena or deploy-rs (we never deploy ourselves)."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import threading
from pathlib import Path

from nixos_settings.cli.main import PROG, CliError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("hosts", help="the hosts of a flake, their files and targets")
    p.add_argument("--flake", metavar="PATH", default=".", help="the flake (default: .)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_hosts)
    p = subparsers.add_parser(
        "deploy", help="deploy hosts of a flake with nixos-rebuild, colmena or deploy-rs",
        description="Runs the deployment engine the flake is set up for, for several hosts "
        "at once; one host's failure never stops the others.")
    p.add_argument("action", choices=("switch", "boot", "test", "build", "dry-build"))
    p.add_argument("--flake", metavar="PATH", default=".", help="the flake (default: .)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--on", metavar="HOST[,HOST…]", help="the hosts to deploy")
    which.add_argument("--all", action="store_true", help="every host of the flake")
    p.add_argument("--engine", default="auto",
                   choices=("auto", "nixos-rebuild", "colmena", "deploy-rs"))
    p.add_argument("--parallel", type=int, default=4, metavar="N",
                   help="at most N hosts at a time (default 4)")
    p.add_argument("--target", action="append", default=[], metavar="HOST=USER@ADDRESS",
                   help="where HOST is deployed, when the flake does not say; remembered "
                   "for this flake in the app's settings")
    p.add_argument("--json", action="store_true", help="one object per host at the end")
    p.set_defaults(func=cmd_deploy)


def cmd_hosts(args: argparse.Namespace) -> int:
    from nixos_settings.core.system.fleet import list_hosts

    flake = Path(args.flake)
    hosts = list_hosts(flake)
    if not hosts:
        raise CliError(f"{flake}: no hosts found (no nixosConfigurations, colmena hive or "
                       "deploy-rs nodes)")
    base = (flake if flake.is_dir() else flake.parent).resolve()
    if args.json:
        out = [{"name": h.name, "system": h.system, "files": [_rel(f, base) for f in h.files],
                "target": h.target, "engines": h.engines, "problem": h.problem}
               for h in hosts]
        json.dump(out, sys.stdout, indent=2)
        print()
        return 0
    for h in hosts:
        target = h.target or "no target"
        print(f"{h.name}  {h.system or '?'}  {target}  [{', '.join(h.engines)}]  "
              f"{len(h.files)} files" + (f"  ({h.problem})" if h.problem else ""))
    return 0


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def cmd_deploy(args: argparse.Namespace) -> int:
    from nixos_settings.core.system import deploy, fleet

    if args.parallel < 1:
        raise CliError("--parallel must be at least 1")
    targets = fleet.Targets()
    for t in args.target:
        host, eq, target = t.partition("=")
        if not eq:
            raise CliError(f"write --target as HOST=USER@ADDRESS (got {t!r})")
        targets.remember(args.flake, host, target)
    hosts = {h.name: h for h in fleet.list_hosts(args.flake, targets)}
    names = list(hosts) if args.all else [n for n in args.on.split(",") if n]
    unknown = [n for n in names if n not in hosts]
    if unknown:
        raise CliError(f"no host {', '.join(unknown)} in the flake ({', '.join(hosts)})")
    jobs = []
    for n in names:
        engine = fleet.pick_engine(hosts[n], args.engine)
        argv = fleet.command(args.flake, hosts[n], engine, args.action)
        jobs.append(deploy.Deployment(n, engine, argv))
        if not args.json:
            print(f"{PROG}: {n}: {shlex.join(argv)}", file=sys.stderr)
    lock = threading.Lock()

    def line(d: deploy.Deployment, text: str) -> None:
        if not args.json:
            with lock:
                print(f"{d.host}: {text}", flush=True)

    try:
        deploy.run_all(jobs, args.parallel, line)
    except KeyboardInterrupt:
        for d in jobs:
            d.cancel()
        raise
    if args.json:
        json.dump([{"host": d.host, "engine": d.engine, "command": d.command,
                    "status": d.status, "seconds": round(d.seconds, 3),
                    "log_tail": d.log_tail()} for d in jobs], sys.stdout, indent=2)
        print()
    else:
        print(f"{PROG}: {deploy.summary(jobs)}", file=sys.stderr)
    return 0 if all(d.status == deploy.OK for d in jobs) else 1
