"""The Software page: find packages in the catalogue, install and remove them.

A tab beside the option tree (:func:`install` puts it there).  "Find" searches as you type
and shows name, version, description, homepage and licence with Install / Remove; a NixOS
module that does more than the package is offered first, and unfree, broken or insecure
packages are said so before anything is added.  "Installed" lists what the configuration
installs, grouped by where (the whole system, each user, Home Manager).  Every change goes
through the controller (the session's planning, the undo stack, review and save), like any
other edit; the sentences are the session's and ``core/packages``', the command line's too.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nixos_settings.core.packages import advice
from nixos_settings.core.packages.catalogue import Package
from nixos_settings.core.packages.index import PackageIndex
from nixos_settings.core.packages.installed import PackageRef, where_words
from nixos_settings.ui.packagecompleter import set_catalogue

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from nixos_settings.ui.controller import Controller

Opener = Callable[[str | None, Callable[[str, float | None], None]], PackageIndex]


def _open(source: str | None, progress: Callable[[str, float | None], None]) -> PackageIndex:
    from nixos_settings.core.packages import store

    return store.open_source(source, progress)


class _Signals(QObject):
    progress = Signal(str)
    loaded = Signal(object)
    failed = Signal(str)


class CatalogueLoader(QRunnable):
    """Opens (downloads, indexes) a package list on a pool thread."""

    def __init__(self, source: str | None, opener: Opener = _open) -> None:
        super().__init__()
        self.signals = _Signals()
        self._source, self._opener = source, opener

    def run(self) -> None:
        try:
            index = self._opener(self._source, self._progress)
        except Exception as err:  # shown on the page, never a crash of the pool thread
            self.signals.failed.emit(str(err) or type(err).__name__)
            return
        self.signals.loaded.emit(index)

    def _progress(self, message: str, fraction: float | None) -> None:
        self.signals.progress.emit(message + (f" ({fraction:.0%})" if fraction else ""))


def package_html(pkg: Package, notes: list[str], module: advice.ModuleSuggestion | None) -> str:
    """The details of one package, as the page shows them."""
    e = html.escape
    out = [f"<h3>{e(pkg.attr)} <small>{e(pkg.version)}</small></h3>"]
    if pkg.description:
        out.append(f"<p>{e(pkg.description)}</p>")
    if pkg.homepage:
        out.append(f'<p>Homepage: <a href="{e(pkg.homepage)}">{e(pkg.homepage)}</a></p>')
    out.append(f"<p>Licence: {e(pkg.license or 'not stated')}</p>")
    if module is not None:
        out.append(f"<p><b>{e(module.sentence)}.</b></p>")
    out.extend(f"<p><b>Note:</b> {e(n)}</p>" for n in notes)
    return "".join(out)


class SoftwarePage(QWidget):
    """Search, details with Install / Remove, and the Installed view."""

    def __init__(self, controller: Controller, parent: QWidget | None = None,
                 opener: Opener = _open) -> None:
        super().__init__(parent)
        self.controller = controller
        self.index: PackageIndex | None = None
        self._opener = opener
        self._loader: CatalogueLoader | None = None
        self.current: Package | None = None
        self._build()
        self._timer = QTimer(self, singleShot=True, interval=60)
        self._timer.timeout.connect(self.run_search)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self.results.currentItemChanged.connect(lambda item, _old: self._show(item))
        controller.config_loaded.connect(self.refresh)
        controller.config_changed.connect(lambda _locs: self.refresh())

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        top = QHBoxLayout()
        self.source_label = QLabel(
            "No package list loaded yet. Load package list reads the list of this system's "
            "channel (downloaded once, then cached); or name another one above.")
        self.source_label.setWordWrap(True)
        self.source_edit = QLineEdit(
            placeholderText="this system's channel, or channel:nixos-24.05, a file, nix")
        self.source_edit.setAccessibleName("Package list to load")
        self.load_button = QPushButton("Load package list")
        self.load_button.clicked.connect(self._load_clicked)
        self.file_button = QPushButton("From file…")
        self.file_button.clicked.connect(self._choose_file)
        top.addWidget(self.source_edit, 1)
        top.addWidget(self.load_button)
        top.addWidget(self.file_button)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._find_tab(), "Find")
        self.tabs.addTab(self._installed_tab(), "Installed")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        # a narrow left column stays possible: the page never widens the window
        lay.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.setMinimumSize(120, 120)
        lay.addLayout(top)
        lay.addWidget(self.source_label)
        lay.addWidget(self.tabs, 1)

    def _find_tab(self) -> QWidget:
        w = QWidget()
        self.query = QLineEdit(placeholderText="Search packages: a name or words",
                               clearButtonEnabled=True)
        self.results = QTreeWidget()
        self.results.setHeaderLabels(["Package", "Version", "Description"])
        self.results.setRootIsDecorated(False)
        self.details = QLabel(wordWrap=True, openExternalLinks=True)
        self.details.setTextFormat(self.details.textFormat().RichText)
        self.where = QComboBox()
        self.module_button = QPushButton("Turn on the module")
        self.module_button.clicked.connect(self.turn_on_module)
        self.allow_button = QPushButton("Allow this unfree package")
        self.allow_button.clicked.connect(lambda: self.allow_unfree(only_this=True))
        self.allow_all_button = QPushButton("Allow all unfree software")
        self.allow_all_button.clicked.connect(lambda: self.allow_unfree(only_this=False))
        self.install_button = QPushButton("Install")
        self.install_button.clicked.connect(self.install_current)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_current)
        buttons = QHBoxLayout()
        for b in (self.module_button, self.allow_button, self.allow_all_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(QLabel("for"))
        buttons.addWidget(self.where)
        buttons.addWidget(self.install_button)
        buttons.addWidget(self.remove_button)
        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.addWidget(self.details, 1)
        ll.addLayout(buttons)
        split = QSplitter()
        split.setOrientation(split.orientation().Vertical)
        split.addWidget(self.results)
        split.addWidget(lower)
        lay = QVBoxLayout(w)
        lay.addWidget(self.query)
        lay.addWidget(split, 1)
        self._show(None)
        return w

    def _installed_tab(self) -> QWidget:
        w = QWidget()
        self.installed = QTreeWidget()
        self.installed.setHeaderLabels(["Package", "Where in the files"])
        self.installed.itemActivated.connect(self._reveal)
        self.installed_remove = QPushButton("Remove selected")
        self.installed_remove.clicked.connect(self.remove_selected_installed)
        lay = QVBoxLayout(w)
        lay.addWidget(self.installed, 1)
        lay.addWidget(self.installed_remove)
        return w

    # -- the catalogue ----------------------------------------------------------------------

    def load(self, source: str | None) -> CatalogueLoader:
        """Open the package list ``source`` (None: the newest one used before) in the
        background; the page says how it goes."""
        loader = CatalogueLoader(source, self._opener)
        loader.signals.progress.connect(self.source_label.setText)
        loader.signals.loaded.connect(self.set_index)
        loader.signals.failed.connect(self._failed)
        self._loader = loader
        self.source_label.setText("Opening the package list …")
        QThreadPool.globalInstance().start(loader)
        return loader

    def open_latest(self) -> None:
        """Use the newest package list used before, if any (opening an index is quick)."""
        from nixos_settings.core.packages import store

        found = store.latest_index()
        if found is not None:
            self.set_index(found)

    def _load_clicked(self) -> None:
        self.load(self.source_edit.text().strip() or "channel")

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a package list", "",
                                              "Package lists (*.json *.json.br *.json.gz)")
        if path:
            self.load(path)

    def _failed(self, message: str) -> None:
        self.source_label.setText(message if self.index is None else
                                  f"{message} (still using {self.index.label})")

    def set_index(self, index: PackageIndex) -> None:
        self.index = index
        set_catalogue(self.controller, index)  # package editors complete from it too
        self.source_label.setText(f"{index.count:,} packages from {index.label}.")
        self.run_search()

    # -- reading --------------------------------------------------------------------------

    def _refs(self) -> list[PackageRef]:
        s = self.controller.session
        return [] if s is None else s.installed_packages()

    def installed_here(self, attr: str) -> bool:
        return any(r.attr == attr for r in self._refs())

    def places(self) -> list[str]:
        """Where packages can go: the system, each user the files set up, Home Manager when
        the files use it."""
        s = self.controller.session
        return ["system"] if s is None else s.package_places()

    def run_search(self) -> None:
        self.results.clear()
        if self.index is None:
            return
        for pkg in self.index.search(self.query.text(), 50):
            item = QTreeWidgetItem([pkg.attr, pkg.version, pkg.description])
            item.setData(0, 256, pkg)
            self.results.addTopLevelItem(item)
        self._mark_results()
        first = self.results.topLevelItem(0)
        if first is not None:
            self.results.setCurrentItem(first)
        else:
            self._show(None)

    def _mark_results(self) -> None:
        have = {r.attr for r in self._refs()}
        for i in range(self.results.topLevelItemCount()):
            item = self.results.topLevelItem(i)
            pkg = None if item is None else item.data(0, 256)
            if item is not None and isinstance(pkg, Package):
                item.setText(0, pkg.attr + ("  (installed)" if pkg.attr in have else ""))

    def _show(self, item: QTreeWidgetItem | None) -> None:
        pkg = None if item is None else item.data(0, 256)
        self.current = pkg if isinstance(pkg, Package) else None
        cfg = self.controller.cfg
        chosen = self.where.currentData()
        self.where.clear()
        for place in self.places():
            self.where.addItem(where_words(place), place)
        self.where.setCurrentIndex(max(self.where.findData(chosen), 0))
        if self.current is None or cfg is None:
            self.details.setText("Type to search the package list." if self.index else
                                 "Load a package list to search it.")
            for b in (self.install_button, self.remove_button, self.module_button,
                      self.allow_button, self.allow_all_button):
                b.setEnabled(False)
                b.setVisible(b in (self.install_button, self.remove_button))
            return
        pkg = self.current
        known = self._known()
        self.module = advice.module_for(pkg.attr, known, cfg)
        notes = advice.notices(cfg, pkg)
        self.details.setText(package_html(pkg, notes, self.module))
        installed = self.installed_here(pkg.attr)
        self.install_button.setEnabled(True)
        self.remove_button.setEnabled(installed)
        self.module_button.setVisible(self.module is not None)
        self.module_button.setEnabled(self.module is not None)
        if self.module is not None:
            self.module_button.setText(f"Turn on {self.module.option}")
        unfree = pkg.unfree and not advice.unfree_allowed(cfg, pkg)
        for b in (self.allow_button, self.allow_all_button):
            b.setVisible(unfree)
            b.setEnabled(unfree)

    def _known(self) -> Callable[[tuple[str, ...]], bool] | None:
        if self.controller.options is None:
            return None
        return lambda loc: self.controller.info(loc) is not None

    def refresh(self) -> None:
        """Re-read what is installed (after any edit, undo or reload)."""
        self.installed.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for ref in self._refs():
            group = groups.get(ref.where)
            if group is None:
                group = QTreeWidgetItem([where_words(ref.where).capitalize(), ref.option])
                groups[ref.where] = group
                self.installed.addTopLevelItem(group)
            name = ref.attr or ref.text.split("\n")[0]
            where = f"{self.controller.display_name(ref.file)}:{ref.line}"
            if ref.conditional:
                where += " (only when a condition holds)"
            child = QTreeWidgetItem([name, where])
            child.setData(0, 256, ref)
            group.addChild(child)
        self.installed.expandAll()
        self._mark_results()
        current = self.results.currentItem()
        if current is not None:
            self._show(current)

    def _reveal(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        """Show where an installed package is written (the source view)."""
        ref = item.data(0, 256)
        if isinstance(ref, PackageRef):
            self.controller.show_source.emit(ref.file, ref.line, ref.column, ref.span)

    # -- edits (all through the controller) ------------------------------------------------

    def _push(self, plan: Callable[..., object]) -> bool:
        # the controller's one door for edits: plan through the session, one undo step
        return bool(self.controller._push(plan))  # type: ignore[arg-type]

    def install_current(self) -> bool:
        pkg = self.current
        if pkg is None:
            return False
        to = self.where.currentData() or None
        index = self.index
        return self._push(lambda s: s.plan_packages_add([pkg.attr], to, index))

    def remove_current(self) -> bool:
        pkg = self.current
        return pkg is not None and self._push(lambda s: s.plan_packages_remove([pkg.attr]))

    def remove_selected_installed(self) -> bool:
        item = self.installed.currentItem()
        ref = None if item is None else item.data(0, 256)
        if not isinstance(ref, PackageRef) or not ref.attr:
            return False
        attr = ref.attr
        return self._push(lambda s: s.plan_packages_remove([attr]))

    def turn_on_module(self) -> bool:
        module = getattr(self, "module", None)
        return module is not None and self.controller.set_nix(module.loc, "true")

    def allow_unfree(self, only_this: bool) -> bool:
        pkg = self.current if only_this else None
        return self._push(lambda s: advice.plan_allow_unfree(s.cfg, pkg))


def install(window: QMainWindow, controller: Controller, beside: QWidget) -> SoftwarePage:
    """Put a Software tab beside ``beside`` (the option tree pane) in its splitter, and open
    the newest package list used before."""
    splitter = beside.parentWidget()
    page = SoftwarePage(controller, window)
    tabs = QTabWidget(window)  # owned by Qt from the start (the splitter takes it below)
    tabs.setObjectName("leftTabs")
    tabs.setAccessibleName("Options or software")
    tabs.tabBar().setAccessibleName("Options or software")
    if isinstance(splitter, QSplitter):
        # keep the returned wrapper alive until the tab owns the pane again
        beside = splitter.replaceWidget(splitter.indexOf(beside), tabs) or beside
    tabs.addTab(beside, "Options")
    tabs.addTab(page, "Software")
    # after the first paint: the window shows before the catalogue index is opened
    QTimer.singleShot(0, page.open_latest)
    return page
