"""A file that does not parse: where Nix itself says the error is, and a button that opens
the file in the user's editor at that line.

The place and words are the core's (:mod:`nixos_settings.core.edit.syntaxplace`: where
``nix-instantiate --parse`` says, which the CLI prints too).  The rest of the configuration
stays browsable: what parses is read, imports included."""

from __future__ import annotations

import html
import os
import shlex
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QProcess, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from nixos_settings.core.edit.syntaxplace import SyntaxProblem as SyntaxProblem
from nixos_settings.core.edit.syntaxplace import syntax_problems as syntax_problems

#: editors that take ``+LINE FILE``
_PLUS_LINE = {"vi", "vim", "nvim", "gvim", "nano", "emacs", "emacsclient", "micro", "kak",
              "gedit", "gnome-text-editor", "mousepad", "xed", "pluma", "joe", "ne", "mg"}
#: editors that need a terminal to run in
_TERMINAL = {"vi", "vim", "nvim", "nano", "micro", "kak", "joe", "ne", "mg", "hx", "helix"}


def editor_argv(path: Path, line: int, env: Mapping[str, str] | None = None) -> list[str]:
    """The command that opens ``path`` at ``line``: ``$VISUAL``, else ``$EDITOR`` (in a
    terminal when it is a terminal editor), else the desktop's default (``xdg-open``)."""
    env = os.environ if env is None else env
    for var in ("VISUAL", "EDITOR"):
        cmd = shlex.split(env.get(var, ""))
        if not cmd:
            continue
        name = Path(cmd[0]).name
        if name in _PLUS_LINE:
            argv = [*cmd, f"+{line}", str(path)]
        elif name in ("code", "codium", "subl", "zed", "hx", "helix"):
            argv = [*cmd, *(["--goto"] if name in ("code", "codium") else []), f"{path}:{line}"]
        elif name == "kate":
            argv = [*cmd, "--line", str(line), str(path)]
        else:
            argv = [*cmd, str(path)]
        if var == "EDITOR" and name in _TERMINAL:
            term = shutil.which("x-terminal-emulator", path=env.get("PATH"))
            if term:
                return [term, "-e", *argv]
            continue
        return argv
    return ["xdg-open", str(path)]


class SyntaxBanner(QWidget):
    """"FILE does not parse: line N, column M: what" with "Open in editor at line N"."""

    def __init__(self, display_name: Callable[[Path], str], parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("syntaxBanner")
        self._display_name = display_name
        self.problem: SyntaxProblem | None = None
        #: the command the button started last (for the status line and tests)
        self.started: list[str] = []
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton()
        self.button.setAccessibleName("Open in editor")
        self.button.clicked.connect(self.open_in_editor)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.button)
        self.hide()

    def show_problems(self, problems: list[SyntaxProblem]) -> None:
        if not problems:
            self.problem = None
            self.hide()
            return
        p = self.problem = problems[0]
        name = html.escape(self._display_name(p.path))
        who = "Nix reports" if p.by_nix else "The parser reports"
        more = (f" ({len(problems) - 1} more file{'s' if len(problems) > 2 else ''} with "
                "syntax errors: see Problems.)" if len(problems) > 1 else "")
        self.label.setText(
            f"<b>{name} has a syntax error</b> at line {p.line}, column {p.column}. {who}: "
            f"{html.escape(p.message)}. The parts that can be read are shown; fix the file "
            f"in a text editor, then reload (F5).{more}")
        self.button.setText(f"Open in editor at line {p.line}")
        self.setStyleSheet("#syntaxBanner { background: palette(alternate-base); }")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.show()

    def open_in_editor(self) -> bool:
        """Start the user's editor on the file at the line (detached: it outlives us)."""
        if self.problem is None:
            return False
        argv = editor_argv(self.problem.path, self.problem.line)
        self.started = argv
        ok, _pid = QProcess.startDetached(argv[0], argv[1:])
        return bool(ok)
