"""Test doubles and a pytest plugin for charm code, shipped with the runtime.

:class:`FakeHost` is the Host seam in memory (docs/architecture.md, 'The Host seam');
:class:`ReactiveState` keeps charms.reactive's flags in memory and answers which handlers run
for a set of flags; the ``plugin`` module (a ``pytest11`` entry point) turns both into fixtures
for a charm's ``unit_tests/`` (docs/create.md, 'The charm's unit tests').
"""

from reactive_openstack.host import CommandFailed
from reactive_openstack.testing.fake_host import FakeHost
from reactive_openstack.testing.fake_machine import FileRecord
from reactive_openstack.testing.reactive_state import ReactiveState
from reactive_openstack.testing.unit import CharmUnderTest

__all__ = ["CharmUnderTest", "CommandFailed", "FakeHost", "FileRecord", "ReactiveState"]
