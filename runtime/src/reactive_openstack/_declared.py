"""Template properties a charm class declares: ``@ro.adapter_property`` / ``@ro.config_property``.

A declaration is a plain value in the class body; :func:`declared_properties` collects them
along the class's MRO whenever adapters are built, so no module-global registry leaks between
charms or tests and a release subclass can redefine one. The charm classes' metaclass,
:class:`DeclaringClass`, sees the class body as it is written, so declaring the same property
twice in one body is an error instead of Python silently keeping the last one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DeclaredProperty",
    "DeclaringClass",
    "adapter_property",
    "config_property",
    "declared_properties",
]

#: What a declaration computes from: the namespace's adapter (template attribute access).
PropertyFunction = Callable[[Any], Any]


@dataclass(frozen=True)
class DeclaredProperty:
    """A computed property a charm class adds to one template namespace.

    The function receives the namespace's adapter (for ``options`` the config adapter, which also
    exposes ``charm_instance``) and returns the value templates see.
    """

    namespace: str
    name: str
    func: PropertyFunction

    def __call__(self, adapter: Any) -> Any:
        return self.func(adapter)

    @property
    def label(self) -> str:
        if self.namespace == "options":
            return f"config property {self.name}"
        return f"adapter property {self.namespace}.{self.name}"


def adapter_property(namespace: str) -> Callable[[PropertyFunction], DeclaredProperty]:
    """Declare, in a charm class body, a computed property of namespace ``namespace``.

    ``namespace`` is the template name (``amqp``, ``shared_db``; dashes are accepted). A
    subclass redefining a property overrides it (release specific classes need that).
    """
    space = namespace.replace("-", "_")

    def decorate(func: PropertyFunction) -> DeclaredProperty:
        return DeclaredProperty(space, func.__name__, func)

    return decorate


def config_property(func: PropertyFunction) -> DeclaredProperty:
    """Declare a computed property of the ``options`` namespace (see :func:`adapter_property`)."""
    return DeclaredProperty("options", func.__name__, func)


class _ClassBody(dict[str, Any]):
    """A class body's namespace that refuses a second declaration of one template property."""

    def __setitem__(self, key: str, value: Any) -> None:
        if isinstance(value, DeclaredProperty):
            for other in self.values():
                if isinstance(other, DeclaredProperty) and (other.namespace, other.name) == (
                    value.namespace,
                    value.name,
                ):
                    raise RuntimeError(f"duplicate {value.label} in {self.get('__qualname__')}")
        super().__setitem__(key, value)


class DeclaringClass(type):
    """Metaclass of the charm classes: checks template declarations as the body runs."""

    @classmethod
    def __prepare__(  # type: ignore[override]
        mcs, name: str, bases: tuple[type, ...], **kwargs: Any
    ) -> _ClassBody:
        return _ClassBody()


def declared_properties(charm_class: type) -> dict[str, dict[str, DeclaredProperty]]:
    """namespace -> {property name -> declaration}, collected along the class's MRO.

    A subclass attribute replaces the base's attribute of the same name (an override); two
    different attributes declaring the same namespace property are a conflict and raise.
    """
    by_attr: dict[str, DeclaredProperty] = {}
    for klass in reversed(charm_class.__mro__):
        for attr, value in vars(klass).items():
            if isinstance(value, DeclaredProperty):
                by_attr[attr] = value
            elif attr in by_attr:
                del by_attr[attr]  # a subclass replaced the declaration with something else
    result: dict[str, dict[str, DeclaredProperty]] = {}
    owners: dict[tuple[str, str], str] = {}
    for attr, declared in by_attr.items():
        key = (declared.namespace, declared.name)
        if key in owners:
            raise RuntimeError(
                f"duplicate {declared.label} "
                f"(attributes {owners[key]!r} and {attr!r} of {charm_class.__name__})"
            )
        owners[key] = attr
        result.setdefault(declared.namespace, {})[declared.name] = declared
    return result
