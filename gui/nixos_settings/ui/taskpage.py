"""Tasks in the desktop app: a home of task cards by category, and a form per task that
shows, live, the Nix it will write before it records one undoable change.

Everything a task does is decided in the core (:mod:`nixos_settings.core.tasks`): this
module only lays out fields, collects what the person changed, and asks the controller.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nixos_settings.core.common.errors import NixSettingsError
from nixos_settings.core.nix import optpath
from nixos_settings.core.tasks import engine
from nixos_settings.core.tasks.model import Field, Task, by_category, load_tasks
from nixos_settings.core.tasks.summary import state_summary
from nixos_settings.core.tasks.values import parse_value, plain
from nixos_settings.ui.pagewidgets import WrapLabel, warn_colour

if TYPE_CHECKING:
    from nixos_settings.ui.controller import Controller

FieldWidget = QCheckBox | QComboBox | QLineEdit


class TaskHome(QWidget):
    """Task cards by category, each with the task's state in this configuration."""

    open_task = Signal(str)

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._states: dict[str, QLabel] = {}
        lay = QVBoxLayout(self)
        intro = WrapLabel("<h2>What would you like to do?</h2>"
                          "<p>Each task changes the options it needs and shows the Nix it "
                          "writes before anything is recorded.</p>")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        #: why no task applies here (a Home Manager file), shown instead of the cards
        self.note = WrapLabel("")
        self.note.setWordWrap(True)
        self.note.hide()
        lay.addWidget(self.note)
        self._cards: list[QWidget] = []
        for category, tasks in by_category(list(load_tasks().values())).items():
            if not tasks:
                continue
            heading = QLabel(f"<b>{html.escape(category)}</b>")
            self._cards.append(heading)
            lay.addWidget(heading)
            for task in tasks:
                button = QPushButton(task.title)
                button.setAccessibleName(f"Task: {task.title}")
                button.setToolTip(task.description)
                button.clicked.connect(lambda _c=False, t=task.id: self.open_task.emit(t))
                state = QLabel()
                state.setAccessibleName(f"State of {task.title}")
                self._states[task.id] = state
                self._cards.append(button)
                lay.addWidget(button)
                lay.addWidget(state)
        lay.addStretch(1)

    def refresh(self) -> None:
        """Read every task's state from the configuration again."""
        session = self._controller.session
        why = engine.not_for(session) if session is not None else None
        self.note.setText(html.escape(why or ""))
        self.note.setVisible(bool(why))
        for card in self._cards:
            card.setVisible(not why)
        for task_id, label in self._states.items():
            if session is None or why:
                label.setText("")
                label.setVisible(False)
                continue
            task = load_tasks()[task_id]
            words = state_summary(task, engine.read_state(session, task))
            label.setText(f"<small>{html.escape(words)}</small>" if words else "")
            label.setVisible(bool(words))

    def state_text(self, task_id: str) -> str:
        return self._states[task_id].text()


class TaskForm(QWidget):
    """One task: its fields (pre-filled with what the configuration says), the Nix it will
    write, warnings, links to its options, and Apply."""

    back = Signal()

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self.task: Task | None = None
        self._widgets: dict[str, FieldWidget] = {}
        self._initial: dict[str, str] = {}
        lay = QVBoxLayout(self)
        back = QPushButton("← All tasks")
        back.clicked.connect(self.back.emit)
        lay.addWidget(back)
        self.heading = WrapLabel()
        self.heading.setWordWrap(True)
        lay.addWidget(self.heading)
        self._form_host = QWidget()
        self._form = QFormLayout(self._form_host)
        self._form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        lay.addWidget(self._form_host)
        self.problem = WrapLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {warn_colour(self)};")
        lay.addWidget(self.problem)
        lay.addWidget(QLabel("<b>The Nix it will write</b>"))
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("The Nix this task will write")
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.preview.setMinimumHeight(140)
        lay.addWidget(self.preview, 1)
        self.options = WrapLabel()
        self.options.setWordWrap(True)
        self.options.linkActivated.connect(self._open_option)
        lay.addWidget(self.options)
        self.apply_button = QPushButton("&Apply")
        self.apply_button.clicked.connect(self.apply)
        lay.addWidget(self.apply_button)

    # -- building ------------------------------------------------------------------------

    def show_task(self, task: Task) -> None:
        self.task = task
        while self._form.rowCount():
            self._form.removeRow(0)
        self._widgets.clear()
        session = self._controller.session
        states = {s.name: s for s in engine.read_state(session, task)} if session else {}
        self.heading.setText(f"<h2>{html.escape(task.title)}</h2>"
                             f"<p>{html.escape(task.description)}</p>")
        for f in task.fields:
            widget = self._widget_for(f, states.get(f.name))
            self._widgets[f.name] = widget
            label = QLabel(html.escape(f.label))
            label.setToolTip(f.help)
            widget.setToolTip(f.help)
            widget.setAccessibleName(f.label)
            self._form.addRow(label, widget)
        self._initial = {name: self._text_of(w) for name, w in self._widgets.items()}
        names = [o for o in task.options() if "{" not in o]
        self.options.setText("Options it uses: " + ", ".join(
            f'<a href="{html.escape(o)}">{html.escape(o)}</a>' for o in names))
        self.update_preview()

    def _widget_for(self, f: Field, state: engine.FieldState | None) -> FieldWidget:
        current = state.value if state is not None and state.set else None
        widget: FieldWidget
        if f.type == "bool":
            widget = QCheckBox()
            widget.setChecked(bool(current if current is not None else f.default))
            widget.toggled.connect(self.update_preview)
        elif f.type == "enum":
            widget = QComboBox()
            for value, desc in f.choices:
                widget.addItem(f"{value} — {desc}" if desc else value, value)
            want = current if current is not None else f.default
            index = widget.findData(want)
            widget.setCurrentIndex(max(index, 0) if want is not None else -1)
            widget.currentIndexChanged.connect(self.update_preview)
        else:
            widget = QLineEdit()
            if current is not None and not isinstance(current, dict):
                widget.setText(plain(current))
            elif f.default is not None:
                widget.setPlaceholderText(plain(f.default))
            widget.textChanged.connect(self.update_preview)
        return widget

    @staticmethod
    def _text_of(w: FieldWidget) -> str:
        if isinstance(w, QCheckBox):
            return "true" if w.isChecked() else "false"
        if isinstance(w, QComboBox):
            data = w.currentData()
            return "" if data is None else str(data)
        return w.text()

    # -- values, preview, apply -------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """What the person changed (or typed), checked by the core (raises on bad input)."""
        assert self.task is not None
        out: dict[str, Any] = {}
        for name, w in self._widgets.items():
            text = self._text_of(w)
            if text == self._initial.get(name) and not self.task.get_field(name).required:
                continue
            if text == "":
                continue
            out[name] = parse_value(self.task.get_field(name), text)
        return out

    def plan(self) -> engine.TaskPlan | None:
        session = self._controller.session
        if self.task is None or session is None:
            return None
        return engine.plan(session, self.task, self.values())

    def update_preview(self) -> None:
        self.problem.setText("")
        try:
            result = self.plan()
        except NixSettingsError as err:
            self.preview.setPlainText("")
            self.problem.setText(html.escape(str(err)))
            self.apply_button.setEnabled(False)
            return
        session = self._controller.session
        if result is None or session is None:
            return
        text = (session.change_diff(result.change)
                or "(nothing to change: the configuration already says so)")
        self.preview.setPlainText(text)
        notes = [*result.warnings, *result.notes]
        self.problem.setText("<br>".join(html.escape(n) for n in notes))
        self.apply_button.setEnabled(bool(result.change))

    def apply(self) -> bool:
        """Record the task's change as one undo step (refusals are shown, nothing kept)."""
        if self.task is None:
            return False
        try:
            values = self.values()
        except NixSettingsError as err:
            self.problem.setText(html.escape(str(err)))
            return False
        ok = self._controller.run_task(self.task, values)
        if ok:
            self.show_task(self.task)  # the fields now show the new state
        return ok

    def _open_option(self, name: str) -> None:
        self._controller.open_option(optpath.parse(name))


class TaskPanel(QScrollArea):
    """The home of task cards and the form of one task, one at a time."""

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        # the panel's width is the dock's: labels wrap and fields shrink instead of clipping
        self.stack.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._controller = controller
        self._home: TaskHome | None = None
        self.form = TaskForm(controller)
        self.stack.addWidget(self.form)
        self.setWidget(self.stack)
        self.form.back.connect(self.show_home)
        controller.config_loaded.connect(self._loaded)
        # which option a task writes depends on the release the metadata describes
        controller.options_loaded.connect(lambda: self._changed())
        # typing edits the configuration at every keystroke: the cards' states (22 tasks
        # read again) follow once the edits pause, not per keystroke
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(CARDS_DELAY_MS)
        self._later.timeout.connect(self._changed)
        controller.config_changed.connect(lambda _locs: self._later.start())
        # the cards (22 task definitions read) are built after the window's first paint
        QTimer.singleShot(0, lambda: self.home)

    @property
    def home(self) -> TaskHome:
        """The task cards (built on first use)."""
        if self._home is None:
            self._home = TaskHome(self._controller)
            self._home.open_task.connect(self.open_task)
            self.stack.insertWidget(0, self._home)
            self.stack.setCurrentWidget(self._home)
            self._home.refresh()
        return self._home

    def open_task(self, task_id: str) -> None:
        self.form.show_task(load_tasks()[task_id])
        self.stack.setCurrentWidget(self.form)

    def show_home(self) -> None:
        self.home.refresh()
        self.stack.setCurrentWidget(self.home)

    def _loaded(self) -> None:
        session = self._controller.session
        if session is not None and engine.not_for(session):
            self.show_home()  # no task form stays open on a file no task applies to
        else:
            self.home.refresh()

    def _changed(self) -> None:
        if self._home is not None and self.stack.currentWidget() is self._home:
            self._home.refresh()
        elif self.form.task is not None:
            self.form.update_preview()


#: how long edits must pause before the task cards read their states again
CARDS_DELAY_MS = 200


def add_task_dock(window: QMainWindow, controller: Controller) -> QDockWidget:
    """The tasks as a dock on the right of ``window`` (shown at first start), with a
    "Tasks" entry in the View menu."""
    dock = QDockWidget("Tasks", window)
    dock.setObjectName("tasksDock")
    dock.setMinimumWidth(340)
    panel = TaskPanel(controller, dock)
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.resizeDocks([dock], [420], Qt.Orientation.Horizontal)
    action = dock.toggleViewAction()
    action.setText("&Tasks (plain-language settings)")
    def open_task(task_id: str) -> None:
        dock.show()
        dock.raise_()
        panel.open_task(task_id)

    controller.task_requested.connect(open_task)
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if isinstance(menu, QMenu) and menu.title().replace("&", "") == "View":
            menu.addAction(action)
    return dock
