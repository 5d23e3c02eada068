"""The user's own options, read from the configuration's files without evaluating them.

A module of the configuration may declare options::

    options.custom.wifiHotspot = {
      enable = lib.mkEnableOption "the Wi-Fi hotspot";
      ssid = mkOption { type = types.str; default = "home"; description = "Name."; };
      clients = mkOption { type = types.attrsOf (types.submodule { options.mac = …; }); };
    };

Each ``mkOption``, ``mkEnableOption`` and ``mkPackageOption`` found under a module's
``options`` becomes an :class:`~nixos_settings.core.options.model.OptionInfo` whose ``type``
is the description string nixpkgs' ``lib.types`` would give (``"list of string"``,
``"attribute set of (submodule)"``, ``"null or signed integer"``, ``one of "a", "b"`` …), so
the one type parser (:mod:`nixos_settings.core.options.types`) reads it and the right editor
is chosen.  Options declared inside a submodule appear below their option with the
placeholder nixpkgs uses (``<name>`` for attribute sets, ``*`` for lists).

Public API
==========

* ``declared_options(cfg) -> list[OptionInfo]`` – every statically readable declaration.
* ``type_description(text) -> str`` – the type string of a ``types.*`` expression.
* ``with_declared(options, cfg) -> OptionSet | None`` – ``options`` joined with the user's
  own declarations (the metadata's own record wins for a loc both know); ``options``
  unchanged when the files declare nothing; a set of only the user's options when
  ``options`` is None (its ``source.kind`` is ``"declared"``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.definitions import attrpath_of, module_body
from nixos_settings.core.nix import grammar as g
from nixos_settings.core.nix import syntax
from nixos_settings.core.nix.literals import string_value
from nixos_settings.core.options.model import (
    EXPRESSION,
    MARKDOWN,
    Declaration,
    Literal,
    OptionInfo,
    OptionSet,
    SourceInfo,
)

Loc = tuple[str, ...]
Node = g.Node

#: ``types.NAME`` → the description lib.types gives it
_SIMPLE = {
    "bool": "boolean",
    "int": "signed integer",
    "str": "string",
    "string": "string",
    "nonEmptyStr": "non-empty string",
    "singleLineStr": "(optionally newline-terminated) single-line string",
    "path": "absolute path",
    "pathInStore": "path in the Nix store",
    "package": "package",
    "lines": 'strings concatenated with "\\n"',
    "commas": 'strings concatenated with ","',
    "envVar": 'strings concatenated with ":"',
    "float": "floating point number",
    "number": "signed integer or floating point number",
    "port": "16 bit unsigned integer; between 0 and 65535 (both inclusive)",
    "attrs": "attribute set",
    "anything": "anything",
    "raw": "raw value",
    "unspecified": "unspecified value",
    "positive": "positive integer, meaning >0",
    "unsigned": "unsigned integer, meaning >=0",
    "unsignedInt": "unsigned integer, meaning >=0",
    "positiveInt": "positive integer, meaning >0",
}
for _bits in (8, 16, 32):
    _SIMPLE[f"u{_bits}"] = (
        f"{_bits} bit unsigned integer; between 0 and {2 ** _bits - 1} (both inclusive)")
    _SIMPLE[f"s{_bits}"] = (f"{_bits} bit signed integer; between {-(2 ** (_bits - 1))} and "
                            f"{2 ** (_bits - 1) - 1} (both inclusive)")

#: one-argument type functions: name → (prefix, where sub-options go)
_OF = {
    "listOf": ("list of ", "*"),
    "attrsOf": ("attribute set of ", "<name>"),
    "lazyAttrsOf": ("lazy attribute set of ", "<name>"),
    "nullOr": ("null or ", ""),
    "uniq": ("", ""),
    "unique": ("", ""),
}

UNKNOWN_TYPE = "unspecified value"


class _Types:
    """Turns a ``types.*`` expression into its description and the submodules in it."""

    def __init__(self, source: bytes) -> None:
        self.src = source
        #: (segments below the option, the ``options`` value of a submodule)
        self.submodules: list[tuple[Loc, Node]] = []

    def describe(self, node: Node, below: Loc = ()) -> str:
        node = _scope_body(g.strip_parens(node))
        if node.type in (g.VARIABLE, g.SELECT):
            return _SIMPLE.get(g.function_name(self.src, node) or "", UNKNOWN_TYPE)
        if node.type != g.APPLY:
            return UNKNOWN_TYPE
        fn, args = g.flatten_apply(node)
        name = g.function_name(self.src, fn) or ""
        return self._apply(name, args, below)

    def _apply(self, name: str, args: list[Node], below: Loc) -> str:
        if name in _OF and len(args) == 1:
            prefix, seg = _OF[name]
            inner = self.describe(args[0], below + ((seg,) if seg else ()))
            if name == "nullOr":
                return prefix + _paren(inner, ("noun", "conjunction"))
            return prefix + (_paren(inner) if prefix else inner)
        if name in ("either", "oneOf"):
            parts = (args if name == "either" else self._list(args[0] if args else None))
            return " or ".join(_paren(self.describe(a, below), ("noun", "conjunction"))
                               for a in parts)
        if name in ("submodule", "submoduleWith") and len(args) == 1:
            self._submodule(args[0], below, name == "submoduleWith")
            return "submodule"
        if name == "functionTo" and len(args) == 1:
            return "function that evaluates to a(n) " + _paren(self.describe(args[0], below))
        if name == "coercedTo" and len(args) == 3:
            final = self.describe(args[2], below)
            return (f"{_paren(final, ('noun',))} or {_paren(self.describe(args[0]))} "
                    "convertible to it")
        return self._with_values(name, args)

    def _with_values(self, name: str, args: list[Node]) -> str:
        """Types built from literal arguments: enum, strMatching, separatedString, between."""
        if name == "enum" and len(args) == 1:
            values = self._enum_values(args[0])
            if len(values) == 1:
                return f"value {values[0]} (singular enum)"
            return "one of " + ", ".join(values)
        if name == "between" and len(args) == 2:
            lo, hi = (g.text(self.src, a).strip() for a in args)
            return f"integer between {lo} and {hi} (both inclusive)"
        text = self._string(args[0]) if len(args) == 1 else None
        if text is None:
            return UNKNOWN_TYPE
        if name == "strMatching":
            return f"string matching the pattern {text}"
        if name == "separatedString":
            return f"strings concatenated with {_quote(text)}"
        return UNKNOWN_TYPE

    def _enum_values(self, node: Node) -> list[str]:
        out = []
        for el in self._list(node):
            s = string_value(self.src, el)
            out.append(_quote(s) if s is not None else g.text(self.src, el))
        return out

    def _list(self, node: Node | None) -> list[Node]:
        lists = g.list_literals(node)
        return [el for lst in lists for el in g.elements(lst)]

    def _string(self, node: Node) -> str | None:
        return string_value(self.src, g.strip_parens(node))

    def _submodule(self, arg: Node, below: Loc, with_: bool) -> None:
        body = _function_body(g.strip_parens(arg))
        if with_:  # submoduleWith { modules = [ … ]; }
            mods = _field(self.src, body, "modules") if body is not None else None
            for el in self._list(mods):
                self._submodule(el, below, False)
            return
        if body is None or body.type not in g.ATTRSET_KINDS:
            return
        opts = _field(self.src, body, "options")
        if opts is not None:
            self.submodules.append((below, opts))
            return
        # a module holding its options as dotted bindings: options.x = …;
        for b in g.bindings(body):
            segs = attrpath_of(self.src, b)[0] if b.type == g.BINDING else ()
            value = b.child_by_field_name(g.EXPRESSION) if segs else None
            if segs[:1] == ("options",) and len(segs) > 1 and value is not None:
                self.submodules.append((below + segs[1:], value))


def _class(desc: str) -> str:
    """The description class lib.types gives a type, read back from its description."""
    if desc.startswith(("list of ", "attribute set of ", "lazy attribute set of ",
                        "function that ")):
        return "composite"
    if desc.startswith("one of "):
        return "conjunction"
    depth = 0
    for i, c in enumerate(desc):
        depth += (c == "(") - (c == ")")
        if depth == 0 and desc.startswith(" or ", i):
            return "conjunction"
    return "clause" if desc.startswith("submodule") else "noun"


def _paren(desc: str, bare: tuple[str, ...] = ("noun", "composite")) -> str:
    """``desc`` as part of a larger description: in parentheses unless its class is one
    that reads well bare there (the rule lib.types' optionDescriptionPhrase applies)."""
    return desc if _class(desc) in bare else f"({desc})"


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _scope_body(node: Node) -> Node:
    while node is not None and node.type in g.SCOPE_KINDS:
        body = node.child_by_field_name(g.BODY)
        if body is None:
            break
        node = g.strip_parens(body)
    return node


def _function_body(node: Node) -> Node | None:
    """A module given as ``{ … }``, ``{ name, ... }: { … }`` or ``with …; { … }``."""
    for _ in range(16):
        node = _scope_body(g.strip_parens(node))
        if node is None or node.type != g.FUNCTION:
            return node
        node = node.child_by_field_name(g.BODY)
    return None


def _field(source: bytes, attrset: Node | None, name: str) -> Node | None:
    """The value bound to ``name`` in an attribute set (``name = …;`` or ``name.x = …``
    collected as the set itself when only dotted bindings exist: returns the first)."""
    if attrset is None or attrset.type not in g.ATTRSET_KINDS:
        return None
    for b in g.bindings(attrset):
        if b.type != g.BINDING:
            continue
        segs, _, _ = attrpath_of(source, b)
        if segs == (name,):
            return b.child_by_field_name(g.EXPRESSION)
    return None


class _Reader:
    """Collects the declarations of one module."""

    def __init__(self, source: bytes, path: Path) -> None:
        self.src = source
        self.path = path
        self.out: list[OptionInfo] = []

    def module(self, node: Node) -> None:
        body, _ = module_body(node)
        if body is None:
            return
        for b in g.bindings(body):
            if b.type != g.BINDING:
                continue
            segs, _, static = attrpath_of(self.src, b)
            value = b.child_by_field_name(g.EXPRESSION)
            if static and segs[:1] == ("options",) and value is not None:
                self.walk(value, segs[1:], 0)

    def walk(self, value: Node, loc: Loc, depth: int) -> None:
        if depth > 64:
            return
        node = _scope_body(g.strip_parens(value))
        if node is None:
            return
        if node.type in g.ATTRSET_KINDS:
            for b in g.bindings(node):
                if b.type != g.BINDING:
                    continue
                segs, _, static = attrpath_of(self.src, b)
                inner = b.child_by_field_name(g.EXPRESSION)
                if static and inner is not None:
                    self.walk(inner, loc + segs, depth + 1)
            return
        if node.type == g.APPLY and loc:
            fn, args = g.flatten_apply(node)
            name = g.function_name(self.src, fn)
            if name == "mkOption" and len(args) == 1:
                self.mk_option(loc, args[0], node, depth)
            elif name == "mkEnableOption" and len(args) == 1:
                self.mk_enable(loc, args[0], node)
            elif name == "mkPackageOption" and len(args) >= 2:
                self.mk_package(loc, args, node)

    def _decl(self, node: Node) -> tuple[Declaration, ...]:
        line = self.src.count(b"\n", 0, node.start_byte) + 1
        return (Declaration(f"{self.path}:{line}"),)

    def _add(self, loc: Loc, type_: str, node: Node, *, description: str | None = None,
             default: Literal | None = None, example: Literal | None = None,
             read_only: bool = False, internal: bool = False, visible: bool = True) -> None:
        self.out.append(OptionInfo(
            name=".".join(loc), loc=loc, type=type_, description=description,
            description_format=MARKDOWN, default=default, example=example,
            declarations=self._decl(node), read_only=read_only, internal=internal,
            visible=visible))

    def mk_option(self, loc: Loc, arg: Node, node: Node, depth: int) -> None:
        attrs = _scope_body(g.strip_parens(arg))
        if attrs is None or attrs.type not in g.ATTRSET_KINDS:
            self._add(loc, UNKNOWN_TYPE, node)
            return
        types = _Types(self.src)
        type_node = _field(self.src, attrs, "type")
        type_ = types.describe(type_node) if type_node is not None else UNKNOWN_TYPE
        self._add(loc, type_, node, description=self._text(_field(self.src, attrs, "description")),
                  default=self._literal(_field(self.src, attrs, "default")),
                  example=self._literal(_field(self.src, attrs, "example")),
                  read_only=self._bool(_field(self.src, attrs, "readOnly")),
                  internal=self._bool(_field(self.src, attrs, "internal")),
                  visible=self._bool(_field(self.src, attrs, "visible"), True))
        for below, opts in types.submodules:
            self.walk(opts, loc + below, depth + 1)

    def mk_enable(self, loc: Loc, arg: Node, node: Node) -> None:
        what = self._text(arg)
        self._add(loc, "boolean", node,
                  description=f"Whether to enable {what}." if what is not None else None,
                  default=Literal(EXPRESSION, "false"), example=Literal(EXPRESSION, "true"))

    def mk_package(self, loc: Loc, args: list[Node], node: Node) -> None:
        name = g.strip_parens(args[1])
        names = ([string_value(self.src, e) for e in self._elements(name)]
                 if name.type == g.LIST else [string_value(self.src, name)])
        attr = ".".join(n for n in names if n) or g.text(self.src, name)
        default = f"{g.text(self.src, args[0]).strip()}.{attr}"
        extra = _scope_body(g.strip_parens(args[2])) if len(args) > 2 else None
        given = _field(self.src, extra, "default") if extra is not None else None
        if given is not None:
            value = string_value(self.src, g.strip_parens(given))
            default = f"pkgs.{value}" if value is not None else g.text(self.src, given)
        self._add(loc, "package", node, description=f"The {attr} package to use.",
                  default=Literal(EXPRESSION, default))

    def _elements(self, lst: Node) -> list[Node]:
        return g.elements(lst)

    def _text(self, node: Node | None) -> str | None:
        if node is None:
            return None
        node = g.strip_parens(node)
        if node.type == g.APPLY:  # lib.mdDoc "…", literalMD "…"
            _fn, args = g.flatten_apply(node)
            node = g.strip_parens(args[-1])
        value = string_value(self.src, node)
        return value if value is not None else None

    def _literal(self, node: Node | None) -> Literal | None:
        if node is None:
            return None
        inner = g.strip_parens(node)
        if inner.type == g.APPLY:  # literalExpression "…"
            fn, args = g.flatten_apply(inner)
            if g.function_name(self.src, fn) in ("literalExpression", "literalExample"):
                code = string_value(self.src, g.strip_parens(args[-1]))
                if code is not None:
                    return Literal(EXPRESSION, code)
        return Literal(EXPRESSION, g.text(self.src, node))

    def _bool(self, node: Node | None, missing: bool = False) -> bool:
        if node is None:
            return missing
        return g.text(self.src, g.strip_parens(node)).strip() == "true"


def declared_options(cfg: Configuration) -> list[OptionInfo]:
    """The options the configuration's own modules declare, in file order; one declared
    in several places (a submodule extended twice) is its first record with every place
    in ``declarations``."""
    out: list[OptionInfo] = []
    for module in cfg.modules:
        doc = module.document
        reader = _Reader(doc.source, doc.path)
        reader.module(module.node)
        out.extend(reader.out)
    return _one_per_loc(out)


def type_description(text: str) -> str:
    """The type string nixpkgs gives the ``types.*`` expression ``text``."""
    src = text.encode("utf-8")
    top = g.top_expression(syntax.parse(src))
    return UNKNOWN_TYPE if top is None else _Types(src).describe(top)


def _one_per_loc(own: list[OptionInfo]) -> list[OptionInfo]:
    """Options declared more than once (a submodule extended in two files): the first
    record, with every declaration."""
    first: dict[Loc, OptionInfo] = {}
    for o in own:
        seen = first.get(o.loc)
        if seen is None:
            first[o.loc] = o
        else:
            first[o.loc] = _with_declarations(seen, o.declarations)
    return list(first.values())


def _with_declarations(o: OptionInfo, more: tuple[Declaration, ...]) -> OptionInfo:
    new = tuple(d for d in more if d not in o.declarations)
    return dataclasses.replace(o, declarations=o.declarations + new) if new else o


def with_declared(options: OptionSet | None, cfg: Configuration) -> OptionSet | None:
    """``options`` with the configuration's own declarations added (see module doc); an
    option both declare keeps the metadata's record, with the files' declarations added
    to its list."""
    own = declared_options(cfg)
    if not own:
        return options
    if options is None:
        return OptionSet(own, SourceInfo("declared", "options declared in your files"))
    extra: list[OptionInfo] = []
    extended: dict[str, OptionInfo] = {}
    for o in own:
        known = options.get(o.loc)
        if known is None:
            extra.append(o)
        elif any(d not in known.declarations for d in o.declarations):
            extended[known.name] = _with_declarations(known, o.declarations)
    if not extra and not extended:
        return options
    base = [extended.get(o.name, o) for o in options.options] if extended else options.options
    joined = OptionSet([*base, *extra], options.source, options.problem)
    joined.release_note = options.release_note
    joined.retired = options.retired
    return joined


__all__ = ["UNKNOWN_TYPE", "declared_options", "type_description", "with_declared"]
