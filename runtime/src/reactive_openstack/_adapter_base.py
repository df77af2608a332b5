"""What every template namespace shares: per-build caching, declared properties, 'missing is empty'.

Relations arrive in any order, so a namespace whose relation is absent is falsy and any value
it cannot provide raises AttributeError, which Jinja renders as empty. A relation namespace
answers an attribute by calling the interface's accessor of that name. A charm's declared
properties (_declared.py) are looked up before the class's own attributes, so a charm can
override a built-in value such as ``amqp.transport_url`` without a subclass per build.
"""

from __future__ import annotations

import base64
import binascii
import inspect
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

from reactive_openstack._declared import DeclaredProperty

if TYPE_CHECKING:
    from reactive_openstack.charm import OpenStackCharm

__all__ = [
    "InterfacePort",
    "InterfaceValue",
    "Keyed",
    "Namespace",
    "RelationAdapter",
    "b64_or_raw",
    "mapped_attribute",
    "with_declared",
]

_N = TypeVar("_N", bound="Namespace")
_Space = TypeVar("_Space", bound="Namespace")
_Value = TypeVar("_Value")
_NONE_DECLARED: Mapping[str, DeclaredProperty] = MappingProxyType({})


class Namespace:
    """Shared behaviour: per-build caching of computed values and the charm's declared values."""

    _declared: Mapping[str, DeclaredProperty] = _NONE_DECLARED

    def __init__(self, charm: OpenStackCharm) -> None:
        self.charm = charm
        self._cache: dict[str, Any] = {}

    def __getattribute__(self, name: str) -> Any:
        if not name.startswith("_"):
            declared = object.__getattribute__(self, "_declared").get(name)
            if declared is not None:
                return object.__getattribute__(self, "_declared_value")(declared)
        return object.__getattribute__(self, name)

    def _declared_value(self, declared: DeclaredProperty) -> Any:
        if self._absent():
            return None  # relation absent: render empty rather than crash the property
        return self._cached(f"declared:{declared.name}", lambda: declared(self))

    def _absent(self) -> bool:
        return False

    def _cached(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def declares(self, name: str) -> bool:
        """Whether the charm class declared a property ``name`` in this namespace."""
        return name in self._declared


def with_declared(namespace: _N, declared: Mapping[str, DeclaredProperty]) -> _N:
    """``namespace`` answering the charm's declared properties too (before its own attributes)."""
    if declared:
        namespace._declared = MappingProxyType(dict(declared))
    return namespace


class RelationAdapter(Namespace):
    """A relation namespace: attributes call through to the interface's accessor methods.

    Falsy when the relation is absent, so ``{% if amqp %}`` works; any attribute the interface
    cannot provide raises AttributeError, which Jinja renders as empty.
    """

    def __init__(self, charm: OpenStackCharm, interface: Any = None) -> None:
        super().__init__(charm)
        self.interface = interface

    def __bool__(self) -> bool:
        return self.__dict__.get("interface") is not None

    def _absent(self) -> bool:
        return not self

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or self.__dict__.get("interface") is None:
            raise AttributeError(name)
        return self._lookup(name)

    def _lookup(self, name: str) -> Any:
        interface = self.interface
        member = getattr(interface, name, None)
        if member is not None:
            if not callable(member):
                return member
            if _callable_without_args(member):
                return member()
        getter = getattr(interface, "get", None)
        if callable(getter):
            for key in (name, name.replace("_", "-")):
                value = getter(key)
                if value is not None:
                    return value
        raise AttributeError(name)

    def _text(self, method: str, *args: object) -> str | None:
        """An accessor's text answer, None when absent (see :meth:`_call`)."""
        return cast("str | None", self._call(method, *args))

    def _call(self, method: str, *args: object) -> Any:
        """Call an accessor if the interface has it; None otherwise (missing renders empty)."""
        if self.interface is None:
            return None
        func = getattr(self.interface, method, None)
        return func(*args) if callable(func) else None


class Keyed(Generic[_Space, _Value]):
    """A read-only template attribute computed from one key (default: the attribute's name)."""

    def __init__(self, key: str = "") -> None:
        self.key = key

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = self.key or name

    @overload
    def __get__(self, namespace: None, owner: type) -> Keyed[_Space, _Value]: ...
    @overload
    def __get__(self, namespace: _Space, owner: type | None = None) -> _Value: ...
    def __get__(
        self, namespace: _Space | None, owner: type | None = None
    ) -> Keyed[_Space, _Value] | _Value:
        return self if namespace is None else self.compute(namespace)

    def compute(self, namespace: _Space) -> _Value:
        raise NotImplementedError


class InterfaceValue(Keyed["RelationAdapter", "str | None"]):
    """Text answered by the interface accessor ``key``; None while the relation is absent or
    the interface has no such accessor."""

    def compute(self, namespace: RelationAdapter) -> str | None:
        return namespace._text(self.key)


class InterfacePort(Keyed["RelationAdapter", "int | str | None"]):
    """A port answered by the interface accessor ``key`` (an int from the layer, text from a
    fake; templates render both alike)."""

    def compute(self, namespace: RelationAdapter) -> int | str | None:
        return cast("int | str | None", namespace._call(self.key))


def mapped_attribute(values: Mapping[str, Any], name: str) -> Any:
    """``values[name]`` as an attribute look-up: AttributeError (never KeyError) when absent."""
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        return values[name]
    except KeyError:
        raise AttributeError(name) from None


def _callable_without_args(func: Callable[..., Any]) -> bool:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return False
    return all(
        p.default is not inspect.Parameter.empty
        or p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        for p in signature.parameters.values()
    )


def b64_or_raw(value: str) -> bytes:
    """Relation SSL material is base64; tolerate a raw PEM from older providers."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value.encode()
