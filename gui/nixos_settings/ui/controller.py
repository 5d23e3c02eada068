"""The window's controller: Qt signals and the undo stack over the core's edit session.

Widgets turn user input into calls such as ``controller.set_nix(loc, "true")``; the controller
asks the :class:`~nixos_settings.core.session.Session` for a checked, planned ChangeSet, wraps
it in an undo command and pushes it.  Applying (first push, undo, redo) goes through
:meth:`Controller.apply_changeset`, which tells every view what changed through Qt signals.
No widget computes offsets or touches a file, and every check, refusal and placement rule is
the session's: the same as the command line's.

Option metadata is loaded off the GUI thread (:class:`OptionsLoader` on the global
``QThreadPool``) so the window is usable at once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance
from PySide6.QtGui import QUndoStack

from nixos_settings.core.common.errors import InsideCondition, NixSettingsError
from nixos_settings.core.config.changes import NetChanges
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.definitions import Definition, element_texts
from nixos_settings.core.nix import optpath
from nixos_settings.core.nix.text import ChangeSet
from nixos_settings.core.session import SaveOutcome, Session, search_index
from nixos_settings.ui.commands import ChangeCommand

if TYPE_CHECKING:
    from nixos_settings.core.tasks.model import Task

if TYPE_CHECKING:  # loaded in the background with the metadata, not before the window shows
    from nixos_settings.core.options.model import OptionInfo, OptionSet
    from nixos_settings.core.options.search import SearchIndex

Loc = tuple[str, ...]
Progress = Callable[[str, float | None], None]
#: loads option metadata, reporting progress (runs on a pool thread)
Loader = Callable[[Progress], "OptionSet"]

__all__ = ["Controller", "OptionsLoader", "ProblemItem", "SaveOutcome", "default_options_loader"]


@dataclass(frozen=True)
class ProblemItem:
    """One line of the Problems list: where, what, and the option it concerns."""

    severity: str  # "error" | "warning" | "note"
    message: str
    path: Path | None = None
    line: int | None = None
    column: int | None = None
    loc: Loc | None = None

    def where(self) -> str:
        if self.path is None:
            return ""
        out = str(self.path)
        if self.line:
            out += f":{self.line}"
            if self.column:
                out += f":{self.column}"
        return out


class _LoaderSignals(QObject):
    progress = Signal(str)
    loaded = Signal(object, object)  # OptionSet, SearchIndex
    failed = Signal(str)


class OptionsLoader(QRunnable):
    """Loads option metadata and builds the search index on a pool thread."""

    def __init__(self, load: Loader) -> None:
        super().__init__()
        self.signals = _LoaderSignals()
        self._load = load
        self.cancelled = False

    def run(self) -> None:
        try:
            options = self._load(self._progress)
            index = search_index(options)
        except Exception as err:  # shown in the UI, never a crash of the pool thread
            self.signals.failed.emit(str(err) or type(err).__name__)
            return
        if not self.cancelled:
            self.signals.loaded.emit(options, index)

    def _progress(self, message: str, fraction: float | None = None) -> None:
        pct = f" ({fraction:.0%})" if fraction is not None else ""
        self.signals.progress.emit(f"{message}{pct}")


class _DefaultLoader:
    """The loader :func:`default_options_loader` returns (kept apart so that the controller
    can add the Home Manager metadata given for its window)."""

    def __init__(self, spec: str | None, config_path: Path | None,
                 home_manager: str | None) -> None:
        self.spec, self.config_path, self.home_manager = spec, config_path, home_manager

    def __call__(self, progress: Progress) -> OptionSet:
        from nixos_settings.core.options.sources import resolve_options

        return resolve_options(self.spec, self.config_path, progress, None,
                               home_manager=self.home_manager)


def default_options_loader(spec: str | None, config_path: Path | None,
                           home_manager: str | None = None) -> Loader:
    """A loader for ``spec`` (``--options``: a file, ``channel:NAME``, ``eval`` …), with
    Home Manager's options (``home_manager``, else the one given last) joined in."""
    return _DefaultLoader(spec, config_path, home_manager)


class _Reads:
    """What widgets read: answered by the session (empty before a configuration is open)."""

    session: Session | None
    _options: OptionSet | None
    _index: SearchIndex | None

    @property
    def cfg(self) -> Configuration | None:
        return None if self.session is None else self.session.cfg

    @property
    def options(self) -> OptionSet | None:
        return self._options

    @property
    def index(self) -> SearchIndex | None:
        return self._index

    @property
    def root(self) -> Path | None:
        return None if self.session is None else self.session.root

    def definitions(self, loc: Sequence[str]) -> list[Definition]:
        return [] if self.session is None else self.session.definitions(loc)

    def info(self, loc: Sequence[str]) -> OptionInfo | None:
        """Option metadata for a concrete loc (templates resolved), or None."""
        return None if self._options is None else self._options.match(tuple(loc))

    def suggestions(self, loc: Sequence[str]) -> list[Loc]:
        """"Did you mean" options for a loc that matches no option: the session's, the
        same the command line prints."""
        return [] if self.session is None else self.session.suggest(loc)

    def list_elements(self, definition: Definition) -> list[str] | None:
        """Source texts of a list definition's elements; None when the value is not a list."""
        return element_texts(definition)

    def package_names(self) -> set[str]:
        """Names for package completion (what the configuration lists, what the metadata
        mentions)."""
        return set() if self.session is None else self.session.package_names()

    def display_name(self, path: Path) -> str:
        """``path`` relative to the configuration's directory when inside it."""
        return str(path) if self.session is None else self.session.display_name(path)

    def dirty_paths(self) -> list[Path]:
        return [] if self.session is None else self.session.dirty_paths()

    def diff(self, path: Path | None = None) -> str:
        """Unified diff of pending changes (all files, or one)."""
        return "" if self.session is None else self.session.diff(path)

    def net_changes(self) -> NetChanges:
        """Net changes per file and option (the session's; empty before a file is open)."""
        return NetChanges() if self.session is None else self.session.net_changes()

    def changed_on_disk(self, path: Path) -> bool:
        """True when ``path`` on disk is no longer what was last read or saved (the file
        watcher's question: our own saves and mere touches are not changes)."""
        return self.session is not None and self.session.changed_on_disk(path)

    def carried_over(self) -> ChangeSet | None:
        """The pending changes put onto the files as they are now on disk (one change from
        the disk's text), or None when some touch lines changed there too."""
        from nixos_settings.core.edit.rebase import carry_over

        s = self.session
        if s is None:
            return None
        docs = s.cfg.documents
        pending = {p: (s.original(p), docs[p].source) for p in self.dirty_paths()}
        now = {p: b for p in pending if (b := self.disk_bytes(p)) is not None}
        return carry_over(pending, now) if pending else None

    def disk_bytes(self, path: Path) -> bytes | None:
        """What ``path`` holds on disk now (None when it cannot be read)."""
        try:
            return Path(path).read_bytes()
        except OSError:
            return None

    def git_repo(self) -> Path | None:
        return None if self.session is None else self.session.git_repo()


class _Edits:
    """What widgets change: one verb each, planned and checked by the session, pushed as
    one undo step (or merged into the editor's current one through ``merge_key``)."""

    edit_warning: SignalInstance  # the Controller's signal

    def _push(self, plan: Callable[[Session], ChangeSet],
              merge_key: Hashable | None = None,
              inside: Callable[[Session], ChangeSet] | None = None) -> bool:
        raise NotImplementedError

    def set_nix(self, loc: Sequence[str], nix_text: str, *, merge_key: Hashable | None = None,
                definition: Definition | None = None, check: bool = True) -> bool:
        """Set ``loc`` to Nix expression ``nix_text`` (refused as the command line refuses
        it; ``check=False`` is the command line's ``--no-check``).  When the only place for
        it is inside an ``mkIf`` block, the person is asked first."""
        warning = self._warning(loc) if check else None  # before: after, it is set
        done = self._push(
            lambda s: s.plan_set(loc, nix_text, at=definition, check=check), merge_key,
            lambda s: s.plan_set(loc, nix_text, at=definition, check=check,
                                 inside_condition=True))
        if done and warning:
            self.edit_warning.emit(warning)
        return done

    def _warning(self, loc: Sequence[str]) -> str | None:
        raise NotImplementedError

    def unset(self, loc: Sequence[str]) -> bool:
        """Remove the definition (reset to the default)."""
        return self._push(lambda s: s.plan_unset(loc))

    def list_add(self, loc: Sequence[str], element: str) -> bool:
        return self._push(lambda s: s.plan_list_add(loc, element), None,
                          lambda s: s.plan_list_add(loc, element, inside_condition=True))

    def list_remove(self, loc: Sequence[str], element: str) -> bool:
        return self._push(lambda s: s.plan_list_remove(loc, element))

    def list_remove_at(self, loc: Sequence[str], index: int) -> bool:
        return self._push(lambda s: s.plan_list_remove_at(loc, index))

    def list_set_at(self, loc: Sequence[str], index: int, element: str) -> bool:
        return self._push(lambda s: s.plan_list_set_at(loc, index, element))

    def add_entry(self, loc: Sequence[str], name: str, body: str = "{ }") -> bool:
        """New attribute-set entry ``loc.name`` (e.g. a user under users.users)."""
        return self._push(lambda s: s.plan_add_entry(loc, name, body), None,
                          lambda s: s.plan_add_entry(loc, name, body, inside_condition=True))

    def rename_entry(self, loc: Sequence[str], new_name: str) -> bool:
        return self._push(lambda s: s.plan_rename_entry(loc, new_name))

    def remove_entry(self, loc: Sequence[str]) -> bool:
        return self._push(lambda s: s.plan_remove_entry(loc))

    def record(self, change: ChangeSet) -> bool:
        """Record a change planned elsewhere (through the session) as one undo step."""
        return self._push(lambda _s: change)

    def run_task(self, task: Task, values: Mapping[str, object]) -> bool:
        """Apply a task (only what differs) as one undo step."""
        from nixos_settings.core.tasks import engine

        return self._push(lambda s: engine.plan(s, task, values).change)


class Controller(_Reads, _Edits, QObject):
    """Holds the edit session, the option metadata and the undo stack.

    Signals:
        config_loaded(): a configuration was opened or reloaded (everything changed).
        config_changed(tuple): an edit/undo/redo changed these locs.
        options_loaded(): metadata (and search index) arrived.
        options_progress(str) / options_failed(str): loading status.
        edit_refused(str): an edit was refused; the message says why.
        current_changed(tuple): the option shown on the page changed.
        dirty_changed(bool): pending changes appeared/disappeared.
    """

    config_loaded = Signal()
    config_changed = Signal(object)
    options_loaded = Signal()
    options_progress = Signal(str)
    options_failed = Signal(str)
    edit_refused = Signal(str)
    edit_warning = Signal(str)  # an edit went through, with a warning (same words as the CLI)
    task_requested = Signal(str)  # an option page's link to a task (its id)
    current_changed = Signal(object)
    dirty_changed = Signal(bool)
    show_source = Signal(object, int, int, object)  # path, line, column, span | None

    def __init__(self, parent: QObject | None = None) -> None:
        QObject.__init__(self, parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.session: Session | None = None
        self._options: OptionSet | None = None
        self._index: SearchIndex | None = None
        self.load_error: str | None = None
        self.current: Loc | None = None
        self._loader: OptionsLoader | None = None
        self._edit_session = 0
        #: asked when a new option's only place is inside an ``mkIf`` block: True puts it
        #: there (the window shows a question; without a window, the edit is refused)
        self.ask_inside_condition: Callable[[InsideCondition], bool] = lambda _err: False

    def _on_clean_changed(self, clean: bool) -> None:
        try:
            self.dirty_changed.emit(not clean)
        except RuntimeError:  # emitted while Qt tears the objects down
            pass

    # -- opening --------------------------------------------------------------------------

    def open(self, path: Path | str) -> None:
        """Open a configuration (raises NixSettingsError when the root can't be read)."""
        self._set_config(Configuration.load(Path(path)))

    def open_flake(self, flake: Path | str, host: str | None) -> None:
        """Open ``nixosConfigurations.HOST`` of a flake."""
        self._set_config(Configuration.load_flake(flake, host))

    def _set_config(self, cfg: Configuration) -> None:
        self.session = Session(cfg, self._options, self._index)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.config_loaded.emit()

    def reload_keeping(self) -> bool:
        """Read every file again and put the pending changes back on top, as one undo step
        (see :meth:`carried_over`); False (nothing done) when they cannot be."""
        change = self.carried_over()
        if change is None:
            return False
        self.reload()
        return self.record(change)

    def reload(self) -> None:
        """Read every file again from disk, dropping pending changes."""
        if self.session is not None:
            cfg = self.session.cfg
            if cfg.flake_host is not None:
                self.open_flake(cfg.root, cfg.flake_host)
            else:
                self.open(cfg.root)

    #: Home Manager metadata given for this window (``--home-manager-options``); loaders
    #: of this controller's own (``default_options_loader``) join it in
    home_manager: str | None = None

    def load_options(self, loader: Loader) -> None:
        """Start loading metadata in the background."""
        if self._loader is not None:
            self._loader.cancelled = True
        if self.home_manager and isinstance(loader, _DefaultLoader) and not loader.home_manager:
            loader = _DefaultLoader(loader.spec, loader.config_path, self.home_manager)
        job = OptionsLoader(loader)
        job.signals.progress.connect(self.options_progress)
        job.signals.loaded.connect(self._on_options)
        job.signals.failed.connect(self._on_options_failed)
        self._loader = job
        QThreadPool.globalInstance().start(job)

    def cancel_loading(self) -> None:
        """Drop the answer of a metadata load still running (quitting does not wait)."""
        if self._loader is not None:
            self._loader.cancelled = True
            self._loader = None

    def set_options(self, options: OptionSet, index: SearchIndex | None = None) -> None:
        """Install metadata directly (tests, or a loader that already finished)."""
        self._options = options
        self._index = index if index is not None else search_index(options)
        if self.session is not None:
            self.session.set_options(options, self._index)
        self.load_error = options.problem
        self.options_loaded.emit()

    def _on_options(self, options: OptionSet, index: SearchIndex) -> None:
        self._loader = None
        self.set_options(options, index)

    def _on_options_failed(self, message: str) -> None:
        self._loader = None
        self.load_error = message
        self.options_failed.emit(message)

    # -- navigation ----------------------------------------------------------------------

    def open_option(self, loc: Sequence[str]) -> None:
        """Show ``loc`` on the option page (and select it in the tree)."""
        self.current = tuple(loc)
        self.current_changed.emit(self.current)

    def open_option_name(self, name: str) -> bool:
        """Open an option by its dotted name (links in descriptions)."""
        try:
            loc = optpath.parse(name)
        except NixSettingsError:
            info = None if self._options is None else self._options.by_name(name)
            if info is None:
                return False
            loc = info.loc
        self.open_option(loc)
        return True

    def reveal(self, definition: Definition) -> None:
        """Ask the source view to show a definition."""
        self.show_source.emit(Path(definition.file), definition.line, definition.column,
                              tuple(definition.binding_span))

    def new_edit_session(self) -> int:
        """A fresh merge token for one editor's focus/typing session."""
        self._edit_session += 1
        return self._edit_session

    # -- the undo stack --------------------------------------------------------------------

    def _steps(self) -> list[ChangeCommand]:
        """The applied undo steps since the last save."""
        stack = self.undo_stack
        start = max(stack.cleanIndex(), 0)
        steps = (stack.command(i) for i in range(min(start, stack.index()), stack.index()))
        return [c for c in steps if isinstance(c, ChangeCommand)]

    def pending_changes(self) -> list[str]:
        """Texts of the applied undo steps since the last save."""
        return [c.text() for c in self._steps()]

    def pending_options(self) -> list[str]:
        """Names of the options the undo steps since the last save touched."""
        names = [optpath.show(loc) for c in self._steps() for loc in c.locs if loc]
        return list(dict.fromkeys(names))

    def _push(self, plan: Callable[[Session], ChangeSet],
              merge_key: Hashable | None = None,
              inside: Callable[[Session], ChangeSet] | None = None) -> bool:
        """Plan through the session; push the change as an undo step, or say why not
        (``edit_refused``) and record nothing.  When the only place is inside an ``mkIf``
        block, :attr:`ask_inside_condition` decides (the window asks the person) and
        ``inside`` plans that place."""
        if self.session is None:
            return self._refuse("no configuration is open")
        try:
            try:
                change = plan(self.session)
            except InsideCondition as err:
                if inside is None or not self.ask_inside_condition(err):
                    raise
                change = inside(self.session)
        except NixSettingsError as err:
            return self._refuse(str(err))
        if change:
            locs = tuple(tuple(loc) for loc in change.locs)
            self.undo_stack.push(ChangeCommand(self.apply_changeset, change,
                                               change.description, locs, merge_key))
        return True

    def _refuse(self, message: str) -> bool:
        self.edit_refused.emit(message)
        return False

    def _warning(self, loc: Sequence[str]) -> str | None:
        """What the CLI's ``set`` warns about, short of refusing (an option unknown to
        metadata of another release)."""
        return self.session.warning(loc) if self.session is not None else None

    def apply_changeset(self, changeset: ChangeSet, locs: tuple[Loc, ...]) -> None:
        """Apply a ChangeSet to the in-memory configuration (called by undo commands)."""
        assert self.session is not None
        self.session.apply(changeset)
        self.config_changed.emit(locs)

    # -- saving ------------------------------------------------------------------------------

    def save(self, overwrite: Sequence[Path] = ()) -> SaveOutcome:
        """Write pending changes (the session's policy: directly, or through the root
        helper); files changed on disk are reported, not overwritten unless listed in
        ``overwrite`` (the user chose to, after being told)."""
        if self.session is None:
            return SaveOutcome()
        out = self.session.save(overwrite)
        if not self.session.dirty_paths():
            self.undo_stack.setClean()
        return out

    def commit_to_git(self, files: Sequence[Path], options: Sequence[str]) -> str | None:
        """Commit ``files`` if the configuration lives in a git work tree; returns the commit
        message used, None when there is no repository.  Raises VcsError on failure."""
        return None if self.session is None else self.session.commit(files, options)
