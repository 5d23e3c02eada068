"""The architecture, checked: layers, import cycles, who touches tree-sitter and Qt, sizes.

docs/architecture.md describes the layers these tests hold the code to.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PKG = REPO / "gui" / "nixos_settings"
TREE_SITTER = {"tree_sitter", "tree_sitter_nix"}
QT = {"PySide6", "shiboken6"}

# The grammar's named node kinds that are not also plain English words (those appear in
# messages); ``comment``/``string``/``identifier`` & co. are left out on purpose.
NODE_KINDS = {
    "apply_expression", "assert_expression", "attrpath", "attrset_expression",
    "binary_expression", "binding", "binding_set", "dollar_escape", "ellipses",
    "escape_sequence", "float_expression", "formal", "formals", "function_expression",
    "has_attr_expression", "hpath_expression", "if_expression", "indented_string_expression",
    "inherit", "inherit_from", "inherited_attrs", "integer_expression", "interpolation",
    "let_attrset_expression", "let_expression", "list_expression",
    "parenthesized_expression", "path_expression", "path_fragment", "rec_attrset_expression",
    "select_expression", "source_code", "spath_expression", "string_expression",
    "string_fragment", "unary_expression", "uri_expression", "variable_expression",
    "with_expression",
}
# The node API of py-tree-sitter: nothing outside core/ may reach into syntax nodes.
NODE_API = {
    "child_by_field_name", "children_by_field_name", "named_children", "named_child_count",
    "start_byte", "end_byte", "start_point", "end_point", "prev_named_sibling",
    "next_named_sibling", "is_missing", "has_error", "root_node",
}

MAX_MODULE_LINES = 600
MAX_CLASS_METHODS = 25
MAX_FUNCTION_LINES = 60
MAX_FUNCTION_BRANCHES = 25


def python_files(under: Path = PKG) -> list[Path]:
    return sorted(under.rglob("*.py"))


def rel(p: Path) -> str:
    return p.relative_to(PKG).as_posix()


def module_name(p: Path) -> str:
    parts = list(p.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _tree(p: Path) -> ast.Module:
    return ast.parse(p.read_text(encoding="utf-8"), filename=str(p))


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, wherever the statement is (function bodies and
    ``if TYPE_CHECKING`` blocks included), with relative imports resolved."""
    out: set[str] = set()
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            out.add(mod)
            # ``from pkg import module`` imports the submodule
            out.update(f"{mod}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            if node.args and isinstance(node.args[0], ast.Constant):
                out.add(str(node.args[0].value))
    return out


def imported_roots(path: Path) -> set[str]:
    return {m.split(".")[0] for m in imported_modules(path)}


def test_scan_sees_the_package() -> None:
    files = {rel(p) for p in python_files()}
    assert {"core/nix/syntax.py", "core/config/configuration.py", "core/session.py",
            "cli/main.py", "helper/__init__.py"} <= files
    # the scanner works: syntax.py really imports tree-sitter, the window really imports Qt
    assert TREE_SITTER <= imported_roots(PKG / "core" / "nix" / "syntax.py")
    assert "PySide6" in imported_roots(PKG / "ui" / "mainwindow.py")


def test_core_has_no_loose_modules() -> None:
    """Every core module lives in a layer package (so the layer contracts cover it); only
    the session sits at the top of core."""
    loose = {p.name for p in (PKG / "core").glob("*.py")}
    assert loose == {"__init__.py", "session.py"}


def test_only_core_nix_imports_tree_sitter() -> None:
    nix = PKG / "core" / "nix"
    offenders = [rel(p) for p in python_files()
                 if nix not in p.parents and imported_roots(p) & TREE_SITTER]
    assert offenders == []


def test_core_cli_and_helper_never_import_qt() -> None:
    paths = [*python_files(PKG / "core"), *python_files(PKG / "cli"),
             *python_files(PKG / "helper")]
    offenders = [rel(p) for p in paths if QT & imported_roots(p)]
    assert offenders == []


def test_core_never_imports_ui_or_cli() -> None:
    offenders = [rel(p) for p in python_files(PKG / "core")
                 if any(m.startswith(("nixos_settings.ui", "nixos_settings.cli"))
                        for m in imported_modules(p))]
    assert offenders == []


def test_helper_imports_nothing_of_the_app() -> None:
    helper = [PKG / "helper.py", *python_files(PKG / "helper")]
    offenders = [rel(p) for p in helper if p.exists() for m in imported_modules(p)
                 if m.startswith("nixos_settings") and not m.startswith("nixos_settings.helper")]
    assert offenders == []


def _string_constants(p: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(_tree(p)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_grammar_node_names_only_in_core_nix() -> None:
    nix = PKG / "core" / "nix"
    offenders = [f"{rel(p)}:{line}: {text}" for p in python_files() if nix not in p.parents
                 for line, text in _string_constants(p) if text in NODE_KINDS]
    assert offenders == []


def test_faces_never_touch_syntax_nodes() -> None:
    faces = [*python_files(PKG / "ui"), *python_files(PKG / "cli")]
    offenders = [f"{rel(p)}:{node.lineno}: .{node.attr}" for p in faces
                 for node in ast.walk(_tree(p))
                 if isinstance(node, ast.Attribute) and node.attr in NODE_API]
    assert offenders == []


# -- import cycles --------------------------------------------------------------------------


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in python_files()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for m in imported_modules(path):
            # the deepest package-internal module that the import names
            while m and m not in modules:
                m = m.rpartition(".")[0]
            if m and m != name and not name.startswith(m + "."):  # a package's own __init__
                targets.add(m)
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles() -> None:
    """Function-level and TYPE_CHECKING imports count: a cycle is a cycle to a reader."""
    assert find_cycle(import_graph()) is None


# -- sizes ----------------------------------------------------------------------------------


def _branches(fn: ast.AST) -> int:
    kinds = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.ExceptHandler, ast.With,
             ast.AsyncWith, ast.IfExp, ast.BoolOp, ast.comprehension, ast.match_case)
    return sum(isinstance(n, kinds) for n in ast.walk(fn))


def size_problems() -> list[str]:
    out = []
    for p in python_files():
        text = p.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MAX_MODULE_LINES:
            out.append(f"{rel(p)}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                methods = [n for n in node.body
                           if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
                if len(methods) > MAX_CLASS_METHODS:
                    out.append(f"{rel(p)}: class {node.name}: {len(methods)} methods")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                b = _branches(node)
                if n > MAX_FUNCTION_LINES or b > MAX_FUNCTION_BRANCHES:
                    out.append(f"{rel(p)}: {node.name}(): {n} lines, {b} branches")
    return out


def test_no_module_class_or_function_too_big() -> None:
    assert size_problems() == []


# -- import-linter ----------------------------------------------------------------------------


def test_import_linter_contracts_hold() -> None:
    """The layer contracts in pyproject.toml (run with the suite's own interpreter)."""
    exe = Path(sys.executable).parent / "lint-imports"
    assert exe.exists(), f"import-linter is not installed next to {sys.executable}"
    env = dict(os.environ, PYTHONPATH=str(REPO / "gui"))
    proc = subprocess.run([str(exe)], cwd=REPO, capture_output=True, env=env, timeout=300,
                          check=False)
    out = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
    assert proc.returncode == 0, out
    assert "0 broken" in out


def test_cli_import_does_not_load_qt() -> None:
    """At run time too: importing the CLI and using the core pulls in no Qt module."""
    code = (
        "import sys, nixos_settings.cli.main as c, nixos_settings.core.session, "
        "nixos_settings.core.edit.planning, nixos_settings.core.edit.save\n"
        "c.build_parser()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO / "gui"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env,
                         check=True, timeout=60)
    assert out.stdout.strip() == b"[]"
