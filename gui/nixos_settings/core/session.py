"""The edit session: the one Qt-free path every face (CLI, desktop app) takes to the files.

A :class:`Session` holds one :class:`~nixos_settings.core.config.configuration.Configuration`,
the option metadata for it (may be absent) and the search index.  Every edit goes

    check  →  plan  →  apply  →  save

* **check** (:meth:`Session.check`): is the option known, writable, and does the value fit its
  type?  One function, one wording, for every face (``core.options.suggest.check_value``).
* **plan** (``Session.plan_*``): a :class:`~nixos_settings.core.nix.text.ChangeSet` value (old
  and new bytes per file) with a description and the option paths it touches; nothing in
  memory or on disk changes.  A refusal raises :class:`~nixos_settings.core.common.errors.
  EditError` with a message in the user's words.  Planning comes first, the metadata check
  second, so a broken file or value is reported before anything about the metadata.
* **apply** (:meth:`Session.apply`): make a planned change the in-memory state; its
  :meth:`~nixos_settings.core.nix.text.ChangeSet.inverse` undoes it.
* **save** (:meth:`Session.save`): write what differs from what was last read or saved,
  directly or through the root helper, refusing files that changed on disk meanwhile.

What is saved is tracked once, by each document (``original``: the bytes last read or
written; ``disk_sha256``: the hash of the file as we last saw it); "changed on disk" is one
function, :func:`~nixos_settings.core.edit.save.changed_on_disk`.

This module is the only place that decides *policy* (whether to check, what counts as
dirty, which files need the helper); the modules below it only know mechanisms.

The mechanisms are imported where they are first used: ``nixos-settings list`` and ``get``
open a session too, and must not pay for planning, saving, checking or searching at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nixos_settings.core.common.errors import EditError, FileChangedError, NixSettingsError, Refused
from nixos_settings.core.common.records import field, record
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.definitions import Definition, element_texts
from nixos_settings.core.config.names import refuse_computed, refuse_taken
from nixos_settings.core.nix import optpath
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.core.nix.text import ChangeSet, unified_diff
from nixos_settings.core.packages.sessionpart import SessionPackages

if TYPE_CHECKING:
    from nixos_settings.core.config.changes import NetChanges
    from nixos_settings.core.edit.flake_inputs import FlakeInputs
    from nixos_settings.core.options.model import OptionInfo, OptionSet
    from nixos_settings.core.options.search import SearchIndex
    from nixos_settings.core.system.evaluate import Effective

_PKG_REF = re.compile(r"\bpkgs\.([A-Za-z_][A-Za-z0-9_\-]*)")


@record
class SaveOutcome:
    """What a save did: files written directly, through the helper, and what failed."""

    written: list[Path] = field(default_factory=list)
    privileged: list[Path] = field(default_factory=list)
    changed_on_disk: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def saved(self) -> list[Path]:
        return [*self.written, *self.privileged]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.changed_on_disk


def search_index(options: OptionSet) -> SearchIndex:
    """The search index over ``options``, its lazy tables built now (call it off the GUI
    thread)."""
    from nixos_settings.core.options.search import SearchIndex  # only faces that search

    index = SearchIndex(options)
    index.prepare()
    return index


def _locate_helper() -> str | None:
    from nixos_settings.core.system.rebuild import RequestError, find_helper  # root saves only

    try:
        return find_helper()
    except RequestError:
        return None


class _Files:
    """The files' side of a session: what differs from disk, saving it, committing it."""

    cfg: Configuration
    #: decides which files need the privileged helper (None: ``privileged.can_write``)
    can_write: Callable[[Path], bool] | None
    #: the helper's command line before the path (None: ``privileged.HELPER_COMMAND``)
    helper_command: Sequence[str] | None

    def dirty_paths(self) -> list[Path]:
        """Files whose bytes in memory differ from what was last read or saved."""
        return self.cfg.dirty_paths()

    def original(self, path: Path) -> bytes:
        """The bytes ``path`` had when last read or saved."""
        doc = self.cfg.documents.get(Path(path))
        return b"" if doc is None else doc.original

    def display_name(self, path: Path) -> str:
        """``path`` relative to the configuration's directory when inside it."""
        try:
            return str(Path(path).relative_to(self.cfg.root.parent))
        except ValueError:
            return str(path)

    def diff(self, path: Path | None = None) -> str:
        """Unified diff of pending changes (every dirty file, or one), labelled with names
        relative to the configuration's directory like ``git diff`` does."""
        paths = [path] if path is not None else self.dirty_paths()
        return unified_diff((f"/{self.display_name(p)}", self.original(p),
                             self.cfg.documents[p].source) for p in paths)

    def change_diff(self, change: ChangeSet) -> str:
        """Unified diff of a planned ``change`` (not applied), labelled like :meth:`diff`."""
        return unified_diff((f"/{self.display_name(p)}", old, new)
                            for p, (old, new) in change.files.items())

    def net_changes(self) -> NetChanges:
        """What saving would change, per file and option: not the edit history (a value set
        and set back again is no change)."""
        from nixos_settings.core.config.changes import net_changes

        return net_changes(self.cfg)

    def validate(self, change: ChangeSet) -> None:
        """The checks a save makes of the new bytes (tree-sitter, then ``nix-instantiate
        --parse``), without writing: a dry run refuses what the write would refuse."""
        from nixos_settings.core.edit.save import validate_change

        for path, (old, new) in change.files.items():
            validate_change(old, new, path)

    def changed_on_disk(self, path: Path) -> bool:
        """True when ``path`` on disk is no longer what this session last read or wrote."""
        from nixos_settings.core.edit import save

        doc = self.cfg.documents.get(Path(path))
        return doc is not None and save.changed_on_disk(doc)

    def save(self, overwrite: Sequence[Path] = (), *, helper: bool = True) -> SaveOutcome:
        """Write pending changes; files changed on disk are reported, not overwritten.

        Files this process cannot write go through the root helper (unless ``helper`` is
        False: then their error is reported).  ``overwrite`` lists files the user explicitly
        chose to overwrite after being told they changed on disk.

        All files are checked first: when one changed on disk, nothing is written.  Files
        for the helper are written first (a cancelled password prompt leaves every file
        as it was), then the others as one transaction (all or none, see
        :func:`~nixos_settings.core.edit.save.write_files`); the outcome lists exactly
        the files written.
        """
        from nixos_settings.core.edit import privileged, save

        can_write = self.can_write or privileged.can_write
        out = SaveOutcome()
        direct: list[Path] = []
        root: list[Path] = []
        for path in self.dirty_paths():
            doc = self.cfg.documents[path]
            if path in overwrite:
                save.accept_disk(doc)
            if save.changed_on_disk(doc):
                out.changed_on_disk.append(path)
            (direct if not helper or can_write(path) else root).append(path)
        if out.changed_on_disk:
            return out
        for path in root:
            self._save_privileged(path, out)
        if not out.ok:
            return out
        self._save_direct(direct, out)
        if not out.ok and out.privileged:
            out.errors.append("written with administrator rights before the failure: " +
                              ", ".join(str(p) for p in out.privileged))
        return out

    def _save_privileged(self, path: Path, out: SaveOutcome) -> None:
        from nixos_settings.core.edit import privileged, save

        doc = self.cfg.documents[path]
        try:
            problem = privileged.write_privileged(
                path, doc.source, doc.disk_sha256,
                self.helper_command or privileged.HELPER_COMMAND, _locate_helper)
        except FileChangedError:
            out.changed_on_disk.append(path)
            return
        if problem:
            out.errors.append(problem)
        else:
            save.mark_saved(doc)
            out.privileged.append(path)

    def _save_direct(self, paths: Sequence[Path], out: SaveOutcome) -> None:
        from nixos_settings.core.edit import save

        if not paths:
            return
        try:
            save.save_configuration(self.cfg, paths)
        except FileChangedError as err:
            out.changed_on_disk.append(err.path or paths[0])
        except NixSettingsError as err:
            out.errors.append(str(err))
        else:
            out.written.extend(paths)

    def git_repo(self) -> Path | None:
        """The git work tree holding the configuration, or None."""
        from nixos_settings.core.edit import vcs

        return vcs.repo_root(self.cfg.root)

    def commit(self, files: Sequence[Path], options: Sequence[str]) -> str | None:
        """Commit ``files`` when the configuration lives in a git work tree; the message
        lists ``options``.  Returns the message, None without a repository.  Raises
        :class:`~nixos_settings.core.edit.vcs.VcsError` when git refuses."""
        from nixos_settings.core.edit import vcs

        repo = self.git_repo()
        if repo is None or not files:
            return None
        message = vcs.commit_message(list(options), list(files), repo)
        vcs.commit(repo, list(files), message)
        return message


class _Truth:
    """What Nix says about the configuration: effective values, and warnings in place of
    refusals when the metadata may not be this configuration's (issue: the truth from
    Nix)."""

    cfg: Configuration
    options: OptionSet | None

    def effective(self, loc: Sequence[str], *, nix_path: Sequence[str] = (),
                  cancel: Callable[[], bool] | None = None, timeout: float = 120.0
                  ) -> Effective:
        """What Nix evaluates ``loc`` to, every definition with its priority and the winner
        (:mod:`nixos_settings.core.system.evaluate`; raises its ``EvaluationFailed``)."""
        from nixos_settings.core.system import evaluate  # only faces that evaluate

        return evaluate.evaluate_option(self.cfg, tuple(loc), flake=self._flake_ref(),
                                        nix_path=nix_path, cancel=cancel, timeout=timeout)

    def cached_effective(self, loc: Sequence[str]) -> Effective | None:
        """:meth:`effective`'s answer when it is cached for these very files (no Nix run)."""
        from nixos_settings.core.system import evaluate

        return evaluate.cached_option(self.cfg, tuple(loc), flake=self._flake_ref())

    def effective_values(self, locs: Sequence[Sequence[str]], *,
                         cancel: Callable[[], bool] | None = None) -> dict[Loc, object]:
        """Effective values of many options in one evaluation (the tree's Value column;
        see ``evaluate.evaluate_values``)."""
        from nixos_settings.core.system import evaluate

        return evaluate.evaluate_values(self.cfg, locs, flake=self._flake_ref(), cancel=cancel)

    def _flake_ref(self) -> str | None:
        host = self.cfg.flake_host
        return f"{self.cfg.root.parent}#{host}" if host else None

    def plan_move(self, loc: Sequence[str], new_loc: Sequence[str]) -> ChangeSet:
        """Move the one definition of ``loc`` to ``new_loc`` (an option NixOS renamed): the
        old binding goes, the value is set under the new name where a person would put it.
        Refused when ``loc`` is not set exactly once, is wrapped (``mkIf`` …), or
        ``new_loc`` is already set."""
        from nixos_settings.core.edit import planning

        loc, new_loc = tuple(loc), tuple(new_loc)
        found = self.cfg.find(loc)
        if len(found) != 1 or not found[0].editable:
            raise EditError(f"{optpath.show(loc)} is not set exactly once in an editable "
                            "place; move it by hand")
        if found[0].wrappers:
            raise EditError(f"{optpath.show(loc)} is wrapped in "
                            f"{', '.join(found[0].wrapper_names)}; move it by hand")
        if self.cfg.find(new_loc):
            raise EditError(f"{optpath.show(new_loc)} is already set; remove "
                            f"{optpath.show(loc)} instead")
        text = found[0].value_text
        removal = planning.plan_unset(self.cfg, loc)
        self.cfg.apply(removal)
        try:
            addition = planning.plan_set(self.cfg, new_loc, text)
        finally:
            self.cfg.apply(removal.inverse())
        files = {p: (old, new) for p, (old, new) in removal.files.items()}
        for p, (old, new) in addition.files.items():
            files[p] = (files[p][0] if p in files else old, new)
        change = ChangeSet(files=files)
        change.description = f"Move {optpath.show(loc)} to {optpath.show(new_loc)}"
        change.locs = [loc, new_loc]
        return change

    def warning(self, loc: Sequence[str]) -> str | None:
        """What to tell the user, short of refusing, when ``loc`` is unknown to metadata
        that may not describe this configuration (another release, or none)."""
        if self.options is None:
            return None
        from nixos_settings.core.options.locs import classify
        from nixos_settings.core.options.suggest import unchecked_note

        loc = tuple(loc)
        if classify(loc, self.options)[0] != "unknown" or self.cfg.find(loc):
            return None
        if self.options.release_note:
            return (f"{optpath.show(loc)} is not a known option, but it was not refused: "
                    f"{self.options.release_note}")
        return unchecked_note(loc, self.options)


class Session(_Files, _Truth, SessionPackages):
    """One configuration being edited, with the option metadata that describes it."""

    def __init__(self, cfg: Configuration, options: OptionSet | None = None,
                 index: SearchIndex | None = None) -> None:
        self.cfg = cfg
        self.options: OptionSet | None = None
        self.index: SearchIndex | None = None
        self.can_write = None
        self.helper_command = None
        self._option_packages: set[str] | None = None
        if options is not None:
            self.set_options(options, index)

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, options: OptionSet | None = None) -> Session:
        """Read a configuration and the files it imports (NixSettingsError when the root
        cannot be read)."""
        return cls(Configuration.load(path), options)

    @classmethod
    def open_flake(cls, flake: Path | str, host: str | None = None,
                   options: OptionSet | None = None) -> Session:
        """``nixosConfigurations.HOST`` of the flake at ``flake``."""
        return cls(Configuration.load_flake(flake, host), options)

    @property
    def root(self) -> Path:
        return self.cfg.root

    def set_options(self, options: OptionSet | None, index: SearchIndex | None = None) -> None:
        """Install option metadata (and its search index, when the face has one: see
        :func:`search_index`)."""
        if options is not None:
            from nixos_settings.core.options.declared import with_declared

            options = with_declared(options, self.cfg)  # the user's own options are known
        self.options = options
        self.index = index
        self._option_packages = None

    # -- queries --------------------------------------------------------------------------

    def definitions(self, loc: Sequence[str], *, containers: bool = False,
                    below: bool = False) -> list[Definition]:
        """The definitions of ``loc``; with ``containers``, when there are none, the
        attribute sets bound to exactly ``loc`` (``users.users.alice = { … }``); with
        ``below``, every place that defines ``loc`` or something below it, a set written at
        once counting once (what ``get`` of a prefix shows)."""
        loc = tuple(loc)
        if below:
            return self.cfg.defined_under(loc)
        return list(self.cfg.find_any(loc) if containers else self.cfg.find(loc))

    def flake_inputs(self) -> FlakeInputs:
        """The inputs of the flake file this session opened as a file (``--file
        flake.nix``): read them, plan adding, changing and removing them."""
        from nixos_settings.core.edit.flake_inputs import FlakeInputs

        return FlakeInputs(self.cfg)

    def definition_at(self, loc: Sequence[str], file: Path, line: int) -> Definition | None:
        """The definition of ``loc`` (or attribute set bound to it) at ``file:line``."""
        want = Path(file).resolve()
        return next((d for d in self.cfg.find_any(tuple(loc))
                     if d.file.resolve() == want and d.line == line), None)

    def info(self, loc: Sequence[str]) -> OptionInfo | None:
        """Option metadata for a concrete loc (templates resolved), or None."""
        return None if self.options is None else self.options.match(tuple(loc))

    def element_texts(self, definition: Definition) -> list[str] | None:
        """Source texts of a list definition's elements; None when it is not a list."""
        return element_texts(definition)

    def package_names(self) -> set[str]:
        """Names for package completion: what the configuration already lists, plus every
        ``pkgs.NAME`` the option metadata mentions in defaults and examples."""
        if self._option_packages is None:
            self._option_packages = set()
            for opt in self.options or ():
                for lit in (opt.default, opt.example):
                    if lit is not None and lit.text and "pkgs." in lit.text:
                        self._option_packages.update(_PKG_REF.findall(lit.text))
        names = set(self._option_packages)
        for d in self.cfg.definitions:
            if d.loc[-1:] in (("systemPackages",), ("packages",)):
                names.update(e.removeprefix("pkgs.") for e in element_texts(d) or [])
        return names

    def suggest(self, loc: Sequence[str]) -> list[Loc]:
        """"Did you mean" options for a loc that matches no option (none without
        metadata)."""
        if self.options is None or not loc:
            return []
        from nixos_settings.core.options.suggest import suggest  # with metadata only

        return [optpath.parse(name) for name in suggest(tuple(loc), self.options)]

    # -- checks ---------------------------------------------------------------------------

    def check(self, loc: Sequence[str], nix_text: str) -> str | None:
        """Why setting ``loc`` to ``nix_text`` is wrong by the metadata, or None.

        The same sentence for every face; without metadata nothing is refused here.  An
        option the metadata does not know is refused only when the files do not set it yet:
        one they already set (a typo the problems list shows, or an option of the user's
        own module) can be changed, with nothing to check its value against.
        """
        if self.options is None:
            return None
        from nixos_settings.core.options.locs import classify  # with metadata only
        from nixos_settings.core.options.release import retired
        from nixos_settings.core.options.suggest import check_value, outside_metadata

        loc = tuple(loc)
        gone = retired(self.options, loc)
        if gone:
            return gone
        if classify(loc, self.options)[0] == "unknown" and (
                self.cfg.find(loc) or self.options.release_note
                or outside_metadata(loc, self.options)):
            # The files already set it and the metadata does not know it (often an option
            # the user's own module declares): changing its value adds no new name.  Nor is
            # an option refused by metadata that may not be this configuration's: see
            # :meth:`warning`.
            return None
        return check_value(self.options, loc, nix_text)

    def _checked(self, change: ChangeSet, loc: Loc, nix_text: str, check: bool,
                 element: int | None = None) -> ChangeSet:
        """Refuse ``change`` when ``nix_text`` does not fit ``loc``'s type.  ``element``: the
        text is one list element checked as ``[ element ]``; the message then names its
        place in the list (0: a new element, named by its value alone)."""
        if check and change:
            problem = self.check(loc, nix_text)
            if problem:
                if element is not None:
                    problem = problem.replace("element 1: ",
                                              f"element {element}: " if element else "", 1)
                raise Refused(problem)
        return change

    # -- planning -------------------------------------------------------------------------

    def plan_set(self, loc: Sequence[str], nix_text: str, *, at: Definition | None = None,
                 check: bool = True, inside_condition: bool = False) -> ChangeSet:
        """Set ``loc`` to the Nix expression ``nix_text`` (in place, or added where a person
        would); ``check=False`` skips the metadata check (the CLI's ``--no-check``).  A new
        option goes inside an ``mkIf`` body only with ``inside_condition``; when that is the
        only place, :class:`~nixos_settings.core.common.errors.InsideCondition` (with
        ``.condition`` and ``.where``) is raised so the face can ask."""
        from nixos_settings.core.edit import planning

        loc = tuple(loc)
        change = planning.plan_set(self.cfg, loc, nix_text, at=at,
                                   inside_condition=inside_condition)
        self._checked(change, loc, nix_text, check)
        return _described(change, f"Set {optpath.show(loc)} = {_short(nix_text)}", loc)

    def plan_set_value(self, loc: Sequence[str], value: object, *,
                       at: Definition | None = None, check: bool = True,
                       inside_condition: bool = False) -> ChangeSet:
        """Set ``loc`` to a Python value (str, bool, int, list, dict …) rendered as Nix."""
        from nixos_settings.core.edit import planning
        from nixos_settings.core.nix.render import to_nix

        loc = tuple(loc)
        text = to_nix(value)
        change = planning.plan_set_value(self.cfg, loc, value, at=at,
                                         inside_condition=inside_condition)
        self._checked(change, loc, text, check)
        return _described(change, f"Set {optpath.show(loc)} = {_short(text)}", loc)

    def plan_unset(self, loc: Sequence[str], *, at: Definition | None = None) -> ChangeSet:
        """Remove ``loc``'s definition (the option goes back to its default)."""
        from nixos_settings.core.edit import planning

        loc = tuple(loc)
        return _described(planning.plan_unset(self.cfg, loc, at=at),
                          f"Reset {optpath.show(loc)}", loc)

    def plan_list_add(self, loc: Sequence[str], element: str, *,
                      inside_condition: bool = False) -> ChangeSet:
        """Append ``element`` (Nix text) to the list ``loc`` (a new list goes inside an
        ``mkIf`` body only with ``inside_condition``)."""
        from nixos_settings.core.edit import planning

        loc = tuple(loc)
        change = planning.plan_list_add(self.cfg, loc, element,
                                        inside_condition=inside_condition)
        self._checked(change, loc, f"[ {element} ]", True, element=0)
        return _described(change, f"Add {element} to {optpath.show(loc)}", loc)

    def plan_list_remove(self, loc: Sequence[str], element: str) -> ChangeSet:
        from nixos_settings.core.edit import planning

        loc = tuple(loc)
        return _described(planning.plan_list_remove(self.cfg, loc, element),
                          f"Remove {element} from {optpath.show(loc)}", loc)

    def plan_list_remove_at(self, loc: Sequence[str], index: int) -> ChangeSet:
        from nixos_settings.core.edit import planning

        loc = tuple(loc)
        return _described(planning.plan_list_remove_at(self.cfg, loc, index),
                          f"Remove element {index + 1} of {optpath.show(loc)}", loc)

    def plan_list_set_at(self, loc: Sequence[str], index: int, element: str) -> ChangeSet:
        from nixos_settings.core.edit import planning

        loc = tuple(loc)
        change = planning.plan_list_set_at(self.cfg, loc, index, element)
        self._checked(change, loc, f"[ {element} ]", True, element=index + 1)
        return _described(change, f"Change element {index + 1} of {optpath.show(loc)}", loc)

    def plan_add_entry(self, loc: Sequence[str], name: str, body: str = "{ }", *,
                       inside_condition: bool = False) -> ChangeSet:
        """A new attribute-set entry ``loc.name`` (e.g. a user under ``users.users``)."""
        from nixos_settings.core.edit import planning

        loc = tuple(loc)
        new = (*loc, name)
        refuse_taken(self.cfg, name, new)
        return _described(planning.plan_set(self.cfg, new, body,
                                            inside_condition=inside_condition),
                          f"Add {optpath.show(new)}", loc, new)

    def plan_rename_entry(self, loc: Sequence[str], new_name: str) -> ChangeSet:
        """Rename the entry ``loc`` (its last segment) to ``new_name``."""
        from nixos_settings.core.edit import planning

        loc = tuple(loc)
        new = (*loc[:-1], new_name)
        if new_name == loc[-1]:
            return _described(ChangeSet(), "", loc)
        refuse_taken(self.cfg, new_name, new)
        refuse_computed(self.cfg, loc)
        return _described(planning.plan_rename(self.cfg, loc, new_name),
                          f"Rename {optpath.show(loc)} to {optpath.show_segment(new_name)}",
                          loc, new)

    def plan_remove_entry(self, loc: Sequence[str]) -> ChangeSet:
        """Remove the entry ``loc`` with everything set below it."""
        from nixos_settings.core.edit import planning

        loc = tuple(loc)
        return _described(planning.plan_unset(self.cfg, loc), f"Remove {optpath.show(loc)}",
                          loc)

    # -- applying -------------------------------------------------------------------------

    def apply(self, change: ChangeSet) -> None:
        """Make a planned change the in-memory state (``change.inverse()`` undoes it)."""
        self.cfg.apply(change)


def _described(change: ChangeSet, description: str, *locs: Loc) -> ChangeSet:
    change.description = description
    change.locs = list(locs)
    return change


def _short(text: str, limit: int = 40) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"
