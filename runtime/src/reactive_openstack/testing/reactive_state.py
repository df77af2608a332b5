"""charms.reactive's flags in memory, and which of a charm's handlers they would run.

Only the public APIs of charms.reactive and charmhelpers are used: the flag store is
charmhelpers' unit kv opened on ``:memory:`` and wiped per test, flags go through
``set_flag``/``clear_flag``, handlers are asked with ``Handler.test()`` after the charm's
real handlers module was imported (its decorators register them, as in a hook).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

MEMORY = ":memory:"
#: The kv key charms.reactive's dispatcher keeps its phase in; flag handlers run in "other".
DISPATCH_PHASE_KEY = "reactive.dispatch.phase"


class StoreNotInMemory(RuntimeError):
    """The unit kv was opened on a file before the test asked for in-memory reactive state."""


class ReactiveState:
    """The reactive flags of one test's unit, in the dispatch phase where flag handlers run."""

    def __init__(self, handlers_module: str = "") -> None:
        from charmhelpers.core import unitdata

        self.handlers_module = handlers_module

        self.store = unitdata.kv()
        if self.store.db_path != MEMORY:
            raise StoreNotInMemory(
                f"the unit kv is {self.store.db_path!r}: set UNIT_STATE_DB={MEMORY} before "
                "anything opens it (the reactive_openstack pytest plugin does so for a charm)"
            )
        self.wipe()

    def wipe(self) -> None:
        """Forget every flag and kv value, then enter the phase where flag handlers run."""
        self.store.unsetrange(prefix="")
        self.store.set(DISPATCH_PHASE_KEY, "other")

    @property
    def flags(self) -> set[str]:
        from charms.reactive import get_flags

        return set(get_flags())

    def set_flags(self, *flags: str) -> None:
        from charms.reactive import set_flag

        for flag in flags:
            set_flag(flag)

    def clear_flags(self, *flags: str) -> None:
        from charms.reactive import clear_flag

        for flag in flags:
            clear_flag(flag)

    def use_flags(self, flags: Iterable[str]) -> None:
        """Make ``flags`` exactly the flags that are set."""
        wanted = set(flags)
        self.clear_flags(*sorted(self.flags - wanted))
        self.set_flags(*sorted(wanted - self.flags))

    def handlers_that_run(self, flags: Iterable[str], module: str = "") -> set[str]:
        """Names of the handlers that would run with exactly ``flags`` set.

        ``module`` (default: the one given at creation) is the charm's handlers module, e.g.
        ``"glance_handlers"``, imported for real so its decorators (and the runtime's
        ``use_defaults``) register the handlers. A name is the handler function's, or the flag
        of a runtime default handler.
        """
        from charms.reactive.bus import Handler

        if not (module or self.handlers_module):
            raise ValueError("which handlers module? none was given")
        importlib.import_module(module or self.handlers_module)
        self.use_flags(flags)
        return {handler.id().split(":")[-1] for handler in Handler.get_handlers() if handler.test()}
