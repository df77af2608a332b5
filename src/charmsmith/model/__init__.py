"""The local model: deploy built charms as isolated units and run their real hooks like Juju.

A test substrate and performance instrument, not a Juju replacement.
See docs/model.md for the user view and the emulation heuristics.
"""
