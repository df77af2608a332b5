"""The charm's unit tests; the runtime's pytest plugin sets the process up like the unit's."""
