"""@record behaves like the dataclass features the core relies on."""

from __future__ import annotations

import pytest

from nixos_settings.core.common.records import FrozenInstanceError, field, record


@record
class Box:
    name: str
    items: list[int] = field(default_factory=list)
    size: int = 3
    secret: str = field(default="x", repr=False)


@record(frozen=True)
class Point:
    x: int
    y: int = 0


@record(eq=False)
class Ident:
    a: int


def test_init_defaults_and_factories() -> None:
    a, b = Box("a"), Box("b", size=5)
    a.items.append(1)
    assert a.items == [1] and b.items == []  # a fresh list each time
    assert (a.size, b.size, a.secret) == (3, 5, "x")
    with pytest.raises(TypeError):
        Box()  # type: ignore[call-arg]


def test_repr_eq_hash() -> None:
    assert repr(Box("a")) == "Box(name='a', items=[], size=3)"
    assert Box("a") == Box("a") and Box("a") != Box("b")
    assert Point(1, 2) == Point(1, 2) and hash(Point(1, 2)) == hash(Point(1, 2))
    assert {Point(1), Point(1)} == {Point(1, 0)}
    with pytest.raises(TypeError):
        hash(Box("a"))  # mutable records are unhashable, like dataclasses
    i = Ident(1)
    assert i != Ident(1) and i == i  # eq=False keeps identity


def test_frozen_records_refuse_assignment() -> None:
    p = Point(1)
    with pytest.raises(FrozenInstanceError):
        p.x = 2  # type: ignore[misc]


def test_post_init_runs() -> None:
    @record
    class Doubled:
        n: int

        def __post_init__(self) -> None:
            self.n *= 2

    assert Doubled(2).n == 4


def test_field_without_default_after_default_is_refused() -> None:
    with pytest.raises(TypeError):
        @record
        class Bad:
            a: int = 1
            b: int
