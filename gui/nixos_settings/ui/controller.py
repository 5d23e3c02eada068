"""The window's controller: the one object widgets talk to.

Widgets turn user input into calls such as ``controller.set_nix(loc, "true")``; the controller
asks the core for a ChangeSet, wraps it in an undo command and pushes it.  Applying (first
push, undo, redo) goes through :meth:`Controller.apply_changeset`, which tells every view
what changed through Qt signals.  No widget computes offsets or touches a file.

Option metadata is loaded off the GUI thread (:class:`OptionsLoader` on the global
``QThreadPool``) so the window is usable at once.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QUndoStack

from nixos_settings.core.common.errors import FileChangedError, NixSettingsError
from nixos_settings.core.edit import planning
from nixos_settings.core.edit.save import save_configuration
from nixos_settings.core.nix import optpath
from nixos_settings.ui.commands import ChangeCommand

Loc = tuple[str, ...]
_PKG_REF = re.compile(r"\bpkgs\.([A-Za-z_][A-Za-z0-9_\-]*)")


@dataclass
class SaveOutcome:
    """What a save did: files written directly, through the helper, and what failed."""

    written: list[Path] = field(default_factory=list)
    privileged: list[Path] = field(default_factory=list)
    changed_on_disk: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.changed_on_disk


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
    loaded = Signal(object, object)  # OptionSet, SearchIndex | None
    failed = Signal(str)


class OptionsLoader(QRunnable):
    """Loads option metadata and builds the search index on a pool thread."""

    def __init__(self, load: Callable[[Callable[[str], None]], Any]) -> None:
        super().__init__()
        self.signals = _LoaderSignals()
        self._load = load
        self.cancelled = False

    def run(self) -> None:
        try:
            options = self._load(self._progress)
            index = _build_index(options)
        except Exception as err:  # shown in the UI, never a crash of the pool thread
            self.signals.failed.emit(str(err) or type(err).__name__)
            return
        if not self.cancelled:
            self.signals.loaded.emit(options, index)

    def _progress(self, message: str, fraction: float | None = None) -> None:
        pct = f" ({fraction:.0%})" if fraction is not None else ""
        self.signals.progress.emit(f"{message}{pct}")


def _build_index(options: Any) -> Any:
    try:
        from nixos_settings.core.options.search import SearchIndex
    except ImportError:
        return None
    index = SearchIndex(options)
    index.prepare()  # lazily built tables, built here in the loader thread instead
    return index


def default_options_loader(
    spec: str | None, config_path: Path | None
) -> Callable[[Callable[[str], None]], Any]:
    """A loader function for ``spec`` (``--options``), through core.sources when present."""

    def load(progress: Callable[[str], None]) -> Any:
        try:
            from nixos_settings.core.options import sources
        except ImportError:
            sources = None  # type: ignore[assignment]
        if sources is not None and hasattr(sources, "resolve_options"):
            return sources.resolve_options(spec, config_path, progress, None)
        from nixos_settings.core.options import model as options

        if spec is None:
            return options.empty("no option metadata source given (use --options FILE)")
        progress(f"Loading {spec}…")
        return options.load_file(spec)

    return load


class Controller(QObject):
    """Holds the Configuration, the option metadata and the undo stack.

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
    current_changed = Signal(object)
    dirty_changed = Signal(bool)
    show_source = Signal(object, int, int, object)  # path, line, column, span | None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.cfg: Any = None
        self.options: Any = None
        self.index: Any = None
        self.load_error: str | None = None
        self.current: Loc | None = None
        self._originals: dict[Path, bytes] = {}
        self._loader: OptionsLoader | None = None
        self._edit_session = 0
        self._package_names: set[str] | None = None
        self.helper_command: Sequence[str] = ("pkexec", "nixos-settings-helper", "write")
        #: decides which files need the privileged helper (replaceable for tests)
        self.can_write: Callable[[Path], bool] = _writable

    def _on_clean_changed(self, clean: bool) -> None:
        try:
            self.dirty_changed.emit(not clean)
        except RuntimeError:  # emitted while Qt tears the objects down
            pass

    # -- opening --------------------------------------------------------------------------

    def open(self, path: Path | str) -> None:
        """Open a configuration (raises NixSettingsError when the root can't be read)."""
        from nixos_settings.core.config.configuration import Configuration

        cfg = Configuration.load(Path(path))
        self._set_config(cfg)

    def _set_config(self, cfg: Any) -> None:
        self.cfg = cfg
        self._originals = {p: d.source for p, d in cfg.documents.items()}
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.config_loaded.emit()

    def reload(self) -> None:
        """Read every file again from disk, dropping pending changes."""
        if self.cfg is not None:
            self.open(self.cfg.root)

    @property
    def root(self) -> Path | None:
        return None if self.cfg is None else Path(self.cfg.root)

    def load_options(self, loader: Callable[[Callable[[str], None]], Any]) -> None:
        """Start loading metadata in the background."""
        if self._loader is not None:
            self._loader.cancelled = True
        job = OptionsLoader(loader)
        job.signals.progress.connect(self.options_progress)
        job.signals.loaded.connect(self._on_options)
        job.signals.failed.connect(self._on_options_failed)
        self._loader = job
        QThreadPool.globalInstance().start(job)

    def set_options(self, options: Any, index: Any = None) -> None:
        """Install metadata directly (tests, or a loader that already finished)."""
        self.options = options
        self._package_names = None
        self.index = index if index is not None else _build_index(options)
        self.load_error = getattr(options, "problem", None)
        self.options_loaded.emit()

    def _on_options(self, options: Any, index: Any) -> None:
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
            if self.options is None:
                return False
            info = self.options.by_name(name)
            if info is None:
                return False
            loc = info.loc
        self.open_option(loc)
        return True

    def reveal(self, definition: Any) -> None:
        """Ask the source view to show a definition."""
        self.show_source.emit(
            Path(definition.file), definition.line, definition.column,
            tuple(definition.binding_span),
        )

    # -- queries ---------------------------------------------------------------------------

    def definitions(self, loc: Sequence[str]) -> list[Any]:
        return [] if self.cfg is None else list(self.cfg.find(tuple(loc)))

    def info(self, loc: Sequence[str]) -> Any:
        """Option metadata for a concrete loc (templates resolved), or None."""
        if self.options is None:
            return None
        return self.options.match(tuple(loc))

    def dirty_paths(self) -> list[Path]:
        if self.cfg is None:
            return []
        return [p for p, d in self.cfg.documents.items() if d.source != self._originals.get(p)]

    def pending_changes(self) -> list[str]:
        """Texts of the applied undo steps since the last save."""
        stack = self.undo_stack
        start = stack.cleanIndex() if stack.cleanIndex() >= 0 else 0
        return [stack.text(i) for i in range(min(start, stack.index()), stack.index())]

    def pending_options(self) -> list[str]:
        """Names of the options the undo steps since the last save touched."""
        stack = self.undo_stack
        start = stack.cleanIndex() if stack.cleanIndex() >= 0 else 0
        names: list[str] = []
        for i in range(min(start, stack.index()), stack.index()):
            cmd = stack.command(i)
            for loc in getattr(cmd, "locs", ()):
                if loc:
                    names.append(optpath.show(tuple(loc)))
        return list(dict.fromkeys(names))

    def commit_to_git(self, files: Sequence[Path], options: Sequence[str]) -> str | None:
        """Commit ``files`` if the configuration lives in a git work tree; returns the commit
        message used, None when there is no repository.  Raises VcsError on failure."""
        from nixos_settings.core.edit import vcs

        if self.cfg is None or not files:
            return None
        repo = vcs.repo_root(Path(self.cfg.root))
        if repo is None:
            return None
        message = vcs.commit_message(list(options), list(files), repo)
        vcs.commit(repo, list(files), message)
        return message

    def git_repo(self) -> Path | None:
        from nixos_settings.core.edit import vcs

        return vcs.repo_root(Path(self.cfg.root)) if self.cfg is not None else None

    def original(self, path: Path) -> bytes:
        return self._originals.get(path, b"")

    def diff(self, path: Path | None = None) -> str:
        """Unified diff of pending changes (all files, or one)."""
        paths = [path] if path is not None else self.dirty_paths()
        out: list[str] = []
        for p in paths:
            old = self._originals.get(p, b"")
            new = self.cfg.documents[p].source
            out.append(unified_diff(old, new, self.display_name(p)))
        return "".join(out)

    def list_elements(self, definition: Any) -> list[str] | None:
        """Source texts of a list definition's elements; None when the value is not a list."""
        from nixos_settings.core.config.definitions import element_texts

        return element_texts(definition)

    def package_names(self) -> set[str]:
        """Names for package completion: what the configuration already lists, plus every
        ``pkgs.NAME`` the option metadata mentions in defaults and examples."""
        if self._package_names is None:
            names: set[str] = set()
            if self.options is not None:
                for opt in self.options:
                    for lit in (opt.default, opt.example):
                        if lit is not None and lit.text and "pkgs." in lit.text:
                            names.update(_PKG_REF.findall(lit.text))
            self._package_names = names
        names = set(self._package_names)
        if self.cfg is not None:
            for d in self.cfg.definitions:
                if d.loc[-1:] in (("systemPackages",), ("packages",)):
                    for e in self.list_elements(d) or []:
                        names.add(e.removeprefix("pkgs."))
        return names

    def suggestions(self, loc: Sequence[str]) -> list[Loc]:
        """"Did you mean" options for a definition loc that matches no option."""
        return suggestions_for(self.options, tuple(loc))

    def display_name(self, path: Path) -> str:
        """``path`` relative to the configuration's directory when inside it."""
        root = self.root
        if root is not None:
            try:
                return str(Path(path).relative_to(root.parent))
            except ValueError:
                pass
        return str(path)

    def new_edit_session(self) -> int:
        """A fresh merge token for one editor's focus/typing session."""
        self._edit_session += 1
        return self._edit_session

    # -- edits -----------------------------------------------------------------------------

    def _refuse(self, message: str) -> bool:
        self.edit_refused.emit(message)
        return False

    def _push(
        self, make: Callable[[], Any], text: str, locs: tuple[Loc, ...],
        merge_key: Hashable | None = None,
    ) -> bool:
        if self.cfg is None:
            return self._refuse("no configuration is open")
        try:
            changeset = make()
        except NixSettingsError as err:
            return self._refuse(str(err))
        if not changeset.files or all(o == n for o, n in changeset.files.values()):
            return True
        self.undo_stack.push(ChangeCommand(self, changeset, text, locs, merge_key))
        return True

    def validate(self, loc: Sequence[str], nix_text: str) -> str | None:
        """Why ``nix_text`` is not a valid value for ``loc``'s type, or None."""
        info = self.info(loc)
        if info is None:
            return None
        if getattr(info, "read_only", False):
            return f"{optpath.show(tuple(loc))} is read-only; it cannot be set"
        try:
            from nixos_settings.core.options import types as nixtypes
        except ImportError:
            return None
        fn = getattr(nixtypes, "validate_literal", None)
        if fn is None:
            return None
        try:
            result = fn(nixtypes.parse_type(info.type), nix_text)
        except Exception:  # an unparseable literal is judged by the raw editor's syntax check
            return None
        return _problem_text(result)

    def set_nix(
        self, loc: Sequence[str], nix_text: str, *, merge_key: Hashable | None = None,
        definition: Any = None,
    ) -> bool:
        """Set ``loc`` to Nix expression ``nix_text`` (one undo step, or merged)."""
        loc = tuple(loc)
        reason = self.validate(loc, nix_text)
        if reason:
            return self._refuse(f"{optpath.show(loc)}: {reason}")
        return self._push(
            lambda: planning.plan_set(self.cfg, loc, nix_text, at=definition),
            f"Set {optpath.show(loc)} = {_short(nix_text)}", (loc,), merge_key,
        )

    def set_value(
        self, loc: Sequence[str], value: Any, *, merge_key: Hashable | None = None,
        definition: Any = None,
    ) -> bool:
        """Set ``loc`` to a Python value rendered by the core."""
        from nixos_settings.core.nix.render import to_nix

        try:
            text = to_nix(value)
        except (NixSettingsError, ValueError, TypeError) as err:
            return self._refuse(str(err))
        return self.set_nix(loc, text, merge_key=merge_key, definition=definition)

    def unset(self, loc: Sequence[str]) -> bool:
        """Remove the definition (reset to the default)."""
        loc = tuple(loc)
        return self._push(lambda: planning.plan_unset(self.cfg, loc),
                          f"Reset {optpath.show(loc)}", (loc,))

    def list_add(self, loc: Sequence[str], element: str) -> bool:
        loc = tuple(loc)
        return self._push(
            lambda: planning.plan_list_add(self.cfg, loc, element),
            f"Add {element} to {optpath.show(loc)}",
            (loc,),
        )

    def list_remove(self, loc: Sequence[str], element: str) -> bool:
        loc = tuple(loc)
        return self._push(
            lambda: planning.plan_list_remove(self.cfg, loc, element),
            f"Remove {element} from {optpath.show(loc)}", (loc,),
        )

    def list_remove_at(self, loc: Sequence[str], index: int) -> bool:
        loc = tuple(loc)
        return self._push(
            lambda: planning.plan_list_remove_at(self.cfg, loc, index),
            f"Remove element {index + 1} of {optpath.show(loc)}", (loc,),
        )

    def list_set_at(self, loc: Sequence[str], index: int, element: str) -> bool:
        loc = tuple(loc)
        return self._push(
            lambda: planning.plan_list_set_at(self.cfg, loc, index, element),
            f"Change element {index + 1} of {optpath.show(loc)}", (loc,),
        )

    def add_entry(self, loc: Sequence[str], name: str, body: str = "{ }") -> bool:
        """New attribute-set entry ``loc.name`` (e.g. a user under users.users)."""
        loc = tuple(loc)
        if not name:
            return self._refuse("the name must not be empty")
        new = (*loc, name)
        if self.definitions(new) or self._has_below(new):
            return self._refuse(f"{optpath.show(new)} already exists")
        return self._push(
            lambda: planning.plan_set(self.cfg, new, body), f"Add {optpath.show(new)}", (loc, new)
        )

    def rename_entry(self, loc: Sequence[str], new_name: str) -> bool:
        loc = tuple(loc)
        if not new_name:
            return self._refuse("the name must not be empty")
        if new_name == loc[-1]:
            return True
        new = (*loc[:-1], new_name)
        if self.definitions(new) or self._has_below(new):
            return self._refuse(f"{optpath.show(new)} already exists")
        return self._push(
            lambda: planning.plan_rename(self.cfg, loc, new_name),
            f"Rename {optpath.show(loc)} to {optpath.show_segment(new_name)}", (loc, new),
        )

    def remove_entry(self, loc: Sequence[str]) -> bool:
        loc = tuple(loc)
        return self._push(lambda: planning.plan_unset(self.cfg, loc),
                          f"Remove {optpath.show(loc)}", (loc,))

    def _has_below(self, loc: Loc) -> bool:
        n = len(loc)
        return any(tuple(d.loc[:n]) == loc for d in self.cfg.definitions)

    def apply_changeset(self, changeset: Any, locs: tuple[Loc, ...]) -> None:
        """Apply a ChangeSet to the in-memory configuration (called by undo commands)."""
        self.cfg.apply(changeset)
        self.config_changed.emit(locs)

    # -- saving ------------------------------------------------------------------------------

    def save(self, overwrite: Sequence[Path] = ()) -> SaveOutcome:
        """Write pending changes; files changed on disk are reported, not overwritten.

        ``overwrite`` lists files the user explicitly chose to overwrite after being told.
        """
        out = SaveOutcome()
        if self.cfg is None:
            return out
        dirty = self.dirty_paths()
        direct = [p for p in dirty if self.can_write(p)]
        privileged = [p for p in dirty if p not in direct]
        for path in direct:
            try:
                if path in overwrite:
                    self._forget_disk_hash(path)
                save_configuration(self.cfg, [path])
                out.written.append(path)
            except FileChangedError:
                out.changed_on_disk.append(path)
            except NixSettingsError as err:
                out.errors.append(str(err))
        for path in privileged:
            if path not in overwrite and _changed_on_disk(self.cfg.documents[path]):
                out.changed_on_disk.append(path)
                continue
            err = self._save_privileged(path)
            if err:
                out.errors.append(err)
            else:
                out.privileged.append(path)
        for path in (*out.written, *out.privileged):
            self._mark_saved(path)
        if not self.dirty_paths():
            self.undo_stack.setClean()
        return out

    def _forget_disk_hash(self, path: Path) -> None:
        doc = self.cfg.documents[path]
        try:
            from nixos_settings.core.config.document import sha256

            doc.disk_sha256 = sha256(path.read_bytes())
        except OSError:
            pass

    def _mark_saved(self, path: Path) -> None:
        doc = self.cfg.documents[path]
        self._originals[path] = doc.source
        from nixos_settings.core.config.document import sha256

        doc.disk_sha256 = sha256(doc.source)

    def _save_privileged(self, path: Path) -> str | None:
        """Write through ``pkexec nixos-settings-helper write PATH`` (content on stdin)."""
        argv = [*self.helper_command, str(path)]
        if len(argv) > 1 and not os.path.isabs(argv[1]):
            # polkit matches the helper by its absolute, symlink-free path (exec.path)
            from nixos_settings.core.system.rebuild import RequestError, find_helper

            try:
                argv[1] = find_helper()
            except RequestError:
                argv[1] = shutil.which(argv[1]) or argv[1]
        if shutil.which(argv[0]) is None:
            return (
                f"{path}: you cannot write this file, and {argv[0]} (needed to save it with "
                "administrator rights) is not installed"
            )
        data = self.cfg.documents[path].source
        try:
            proc = subprocess.run(argv, input=data, capture_output=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"{path}: could not run the privileged helper: {err}"
        if proc.returncode != 0:
            msg = proc.stderr.decode("utf-8", "replace").strip() or f"exit {proc.returncode}"
            if proc.returncode in (126, 127):
                msg = "authorisation was refused or cancelled" + (f" ({msg})" if msg else "")
            return f"{path}: the privileged helper failed: {msg}"
        return None

    def disk_bytes(self, path: Path) -> bytes | None:
        try:
            return Path(path).read_bytes()
        except OSError:
            return None


def unified_diff(old: bytes, new: bytes, name: str) -> str:
    """A unified diff of two versions of a file, labelled like ``git diff`` does."""
    a = old.decode("utf-8", "replace").splitlines(keepends=True)
    b = new.decode("utf-8", "replace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(a, b, f"a/{name}", f"b/{name}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _changed_on_disk(doc: Any) -> bool:
    from nixos_settings.core.config.document import sha256

    try:
        return sha256(Path(doc.path).read_bytes()) != doc.disk_sha256
    except OSError:
        return True


def _short(text: str, limit: int = 40) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _problem_text(result: Any) -> str | None:
    """validate_literal may return None/str/an object with ``message``/a list of them."""
    if not result:
        return None
    if isinstance(result, str):
        return result
    if isinstance(result, (list, tuple)):
        parts = [p for p in (_problem_text(r) for r in result) if p]
        return "; ".join(parts) or None
    msg = getattr(result, "message", None)
    return str(msg) if msg else str(result)


def suggestions_for(options: Any, loc: tuple[str, ...], n: int = 3) -> list[tuple[str, ...]]:
    """Close option names for an unknown definition loc.

    Walks the metadata's loc tree along ``loc`` (placeholders match any segment) to the first
    segment that does not exist, and compares only that segment with its siblings, so it
    stays cheap with thousands of unknown definitions.
    """
    if options is None or not loc:
        return []
    template: list[str] = []
    for i, seg in enumerate(loc):
        kids = options.children(tuple(template))
        if seg in kids:
            template.append(seg)
            continue
        holder = next((k for k in kids if k == "*" or (k.startswith("<") and k.endswith(">"))),
                      None)
        if holder is not None:
            template.append(holder)
            continue
        plain = [k for k in kids if not k.startswith("<")]
        out: list[tuple[str, ...]] = []
        for m in difflib.get_close_matches(seg, plain, n=n, cutoff=0.6):
            guess = (*loc[:i], m, *loc[i + 1 :])
            if options.match(guess) is not None:
                out.append(guess)
            else:
                out.append((*loc[:i], m))
        return out
    return []
