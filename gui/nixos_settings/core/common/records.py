"""``@record``: a small stand-in for ``@dataclasses.dataclass`` on the start-up path.

``dataclasses`` imports ``inspect`` and friends, about 12 ms of the ``nixos-settings list``
start-up budget; the core's hot-path classes need only ``__init__`` from annotated fields
(with defaults and ``field(default_factory=…)``), ``__repr__``, field-wise ``__eq__`` and, for
frozen records, immutability and ``__hash__``.  ``typing.dataclass_transform`` tells type
checkers that ``@record`` classes behave like dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")
_MISSING: Any = object()


class _Field:
    __slots__ = ("default", "factory", "repr")

    def __init__(self, default: Any, factory: Any, repr_: bool) -> None:
        self.default, self.factory, self.repr = default, factory, repr_


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] = _MISSING,
          repr: bool = True) -> Any:  # the dataclasses spelling
    """A field with a default factory (for mutable defaults) or hidden from ``repr``."""
    return _Field(default, default_factory, repr)


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


class _Fields:
    """What a record class declares: its fields in order, their defaults and factories, and
    the ones ``repr`` shows."""

    __slots__ = ("defaults", "factories", "names", "shown")

    def __init__(self, cls: type[Any]) -> None:
        self.names: list[str] = []
        self.defaults: dict[str, Any] = {}
        self.factories: dict[str, Callable[[], Any]] = {}
        self.shown: list[str] = []
        # (inspect.get_annotations would pull in the module this file exists to avoid)
        for name, ann in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
            if not str(ann).startswith(("ClassVar", "typing.ClassVar")):
                self._add(cls, name)

    def _add(self, cls: type[Any], name: str) -> None:
        self.names.append(name)
        value = cls.__dict__.get(name, _MISSING)
        show = True
        if isinstance(value, _Field):
            show = value.repr
            if value.factory is not _MISSING:
                self.factories[name] = value.factory
            elif value.default is not _MISSING:
                self.defaults[name] = value.default
            if value.default is _MISSING and name in cls.__dict__:
                delattr(cls, name)
            else:
                setattr(cls, name, value.default)
        elif value is not _MISSING:
            self.defaults[name] = value
        if show:
            self.shown.append(name)


def _init(cls: type[Any], fields: _Fields, frozen: bool) -> Any:
    """``__init__`` for the fields, generated as source so that it costs no more to call
    than a hand-written one."""
    params, body = [], []
    env: dict[str, Any] = {"_MISSING": _MISSING, "_setattr": object.__setattr__}
    seen_default = False
    for name in fields.names:
        if name in fields.factories:
            env[f"_f_{name}"] = fields.factories[name]
            params.append(f"{name}=_MISSING")
            value = f"_f_{name}() if {name} is _MISSING else {name}"
            seen_default = True
        elif name in fields.defaults:
            env[f"_d_{name}"] = fields.defaults[name]
            params.append(f"{name}=_d_{name}")
            value = name
            seen_default = True
        else:
            if seen_default:
                raise TypeError(f"{cls.__name__}: field {name!r} without a default follows one "
                                "with a default")
            params.append(name)
            value = name
        body.append(f"    _setattr(self, {name!r}, {value})" if frozen
                    else f"    self.{name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    src = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "    pass")
    exec(src, env)  # generated from the class's own field names
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _build(cls: type[T], frozen: bool, eq: bool) -> type[T]:
    fields = _Fields(cls)
    names, shown = fields.names, fields.shown
    methods: dict[str, Any] = {"__init__": _init(cls, fields, frozen)}

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in shown)
        return f"{type(self).__name__}({inner})"

    methods["__repr__"] = __repr__
    if eq:
        def __eq__(self: Any, other: object) -> bool:
            if other.__class__ is not self.__class__:
                return NotImplemented
            return all(getattr(self, n) == getattr(other, n) for n in names)

        methods["__eq__"] = __eq__
        methods["__hash__"] = (
            (lambda self: hash(tuple(getattr(self, n) for n in names))) if frozen else None
        )
    if frozen:
        methods["__setattr__"] = _frozen_setattr
    for key, value in methods.items():
        setattr(cls, key, value)
    return cls


@overload
def record(cls: type[T], /) -> type[T]: ...
@overload
def record(*, frozen: bool = False, eq: bool = True) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(field,))
def record(cls: type[T] | None = None, /, *, frozen: bool = False, eq: bool = True) -> Any:
    """Class decorator: ``@record``, ``@record(frozen=True)``, ``@record(eq=False)``."""
    if cls is None:
        return lambda c: _build(c, frozen, eq)
    return _build(cls, frozen, eq)
