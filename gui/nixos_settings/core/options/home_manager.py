"""Home Manager's options joined into NixOS metadata, under ``home-manager.users.<name>``.

Home Manager's NixOS module gives each user a whole Home Manager configuration:
``home-manager.users.jane.programs.git.enable``.  NixOS metadata does not describe those
options; Home Manager's own metadata does, rooted at ``programs.git.enable``.  :func:`join`
re-roots every Home Manager option under the template ``home-manager.users.<name>`` (same
type, default, description and declarations), so templates, entries, search, editors, value
checks and did-you-mean treat them like any NixOS option.

Public API
==========

* ``join(nixos, hm) -> OptionSet`` – ``nixos`` plus the re-rooted options of ``hm`` (an
  option NixOS metadata already has at that loc is kept, not duplicated).  When NixOS has
  nothing under ``home-manager``, ``home-manager.users`` itself is added (an attribute set of
  users), and one open ``home-manager.<name>`` stands for the module's other settings
  (``useGlobalPkgs`` …), which neither metadata describes: they stay unchecked.
* ``attach(options, spec, config_path, load, directory=None) -> OptionSet`` – the join the
  app and CLI use: ``spec`` given → that file (remembered for next time); ``spec`` None →
  the remembered file, when the configuration sets something under ``home-manager.users``.
  The result's ``home_manager_note`` says in words which metadata is used or how to give it.
* ``uses_home_manager(locs) -> bool``, ``configuration_uses(config_path) -> bool``.
* ``remember(path, directory=None)``, ``remembered(directory=None) -> Path | None`` – the
  last file given, kept in the app's cache directory (never beside the user's files).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from nixos_settings.core.options import cache as optcache
from nixos_settings.core.options.model import OptionInfo, OptionSet

Loc = tuple[str, ...]

USERS: Loc = ("home-manager", "users")
PREFIX: Loc = (*USERS, "<name>")
_PREFIX_NAME = "home-manager.users.<name>."
_REMEMBERED = "home-manager-options.path"
FLAG = "--home-manager-options FILE"


def _rooted(o: OptionInfo) -> OptionInfo:
    return OptionInfo(_PREFIX_NAME + o.name, PREFIX + o.loc, o.type, o.description,
                      o.description_format, o.default, o.example, o.declarations,
                      o.read_only, o.internal, o.visible, o.related_packages)


def _module_options(hm: OptionSet) -> list[OptionInfo]:
    """``home-manager.users`` and the open stand-in for the NixOS module's other settings."""
    where = hm.source.path.name if hm.source.path is not None else hm.source.label
    return [
        OptionInfo("home-manager.users", USERS, "attribute set of (submodule)",
                   "Home Manager configuration of each user, checked against the Home Manager "
                   f"option metadata ({where}).", internal=False),
        OptionInfo("home-manager.<name>", ("home-manager", "<name>"), "anything",
                   "A setting of Home Manager's NixOS module other than `users` (such as "
                   "`useGlobalPkgs`). Neither the NixOS nor the Home Manager metadata "
                   "describes these, so they are not checked.", internal=True),
    ]


def join(nixos: OptionSet, hm: OptionSet) -> OptionSet:
    """``nixos`` with ``hm``'s options under ``home-manager.users.<name>`` (see module doc)."""
    # tens of thousands of small acyclic records: cyclic GC passes would find nothing
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        extra = [r for r in map(_rooted, hm.options) if r.loc not in nixos]
    finally:
        if was_enabled:
            gc.enable()
    # (not nixos.is_prefix: that would build the loc tree of a set about to be dropped)
    if not any(o.loc[0] == "home-manager" for o in nixos.options):
        extra = _module_options(hm) + extra
    joined = OptionSet([*nixos.options, *extra], nixos.source, nixos.problem)
    joined.release_note = nixos.release_note
    joined.retired = dict(nixos.retired)
    for o in hm.retired.values():
        r = _rooted(o)
        joined.retired.setdefault(r.loc, r)
    joined.home_manager = hm.source
    return joined


def uses_home_manager(locs: Iterable[Sequence[str]]) -> bool:
    """True when some definition lies under ``home-manager.users``."""
    return any(tuple(loc[:2]) == USERS and len(loc) > 2 for loc in locs)


def configuration_uses(config_path: Path | None) -> bool:
    """Whether the configuration at ``config_path`` (with its imports) defines anything
    under ``home-manager.users``; False when it cannot be read."""
    if config_path is None or not Path(config_path).is_file():
        return False
    try:
        text = Path(config_path).read_bytes()
        if b"home-manager" not in text and b"imports" not in text:
            return False  # nothing imported could use it either: no parse needed
        from nixos_settings.core.config.configuration import Configuration

        cfg = Configuration.load(config_path)
    except Exception:  # a configuration that does not parse is reported elsewhere
        return False
    return uses_home_manager(d.loc for d in cfg.definitions)


def _store(directory: Path | None) -> Path:
    return (directory or optcache.cache_dir()) / _REMEMBERED


def remember(path: Path | str, directory: Path | None = None) -> None:
    """Keep ``path`` as the Home Manager metadata to use when none is given."""
    target = _store(directory)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(str(Path(path).expanduser().resolve()) + "\n", encoding="utf-8")
    except OSError:  # a read-only cache directory: nothing remembered, nothing broken
        pass


def remembered(directory: Path | None = None) -> Path | None:
    """The Home Manager metadata file given last, while it still exists."""
    try:
        text = _store(directory).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return Path(text) if text and Path(text).is_file() else None


def _used_note(joined: OptionSet, hm: OptionSet, how: str) -> str:
    added = sum(1 for o in joined.options if o.loc[:3] == PREFIX)
    where = hm.source.path.name if hm.source.path is not None else hm.source.label
    return (f"Home Manager options from {where} ({how}): {added:,} options checked under "
            "home-manager.users.<name>")


def attach(options: OptionSet, spec: str | None, config_path: Path | None,
           load: Callable[[str], OptionSet], directory: Path | None = None) -> OptionSet:
    """``options`` with Home Manager metadata joined in (see module doc); ``load(spec)``
    reads a Home Manager source."""
    if spec:
        spec = spec.removeprefix("home-manager:")
        hm = load(spec)
        if Path(spec).expanduser().is_file() and not spec.endswith(".nix"):
            remember(spec, directory)
        joined = join(options, hm)
        joined.home_manager_note = _used_note(joined, hm, "given")
        return joined
    if not configuration_uses(config_path):
        return options
    last = remembered(directory)
    if last is None:
        options.home_manager_note = (
            "the configuration sets home-manager.users, but no Home Manager option metadata "
            f"is known, so those options are not checked; give it with {FLAG} "
            "(Home Manager's options.json, .json.gz or .json.br)")
        return options
    hm = load(str(last))
    joined = join(options, hm)
    joined.home_manager_note = _used_note(joined, hm, f"remembered; change it with {FLAG}")
    return joined


__all__ = ["FLAG", "PREFIX", "USERS", "attach", "configuration_uses", "join", "remember",
           "remembered", "uses_home_manager"]
