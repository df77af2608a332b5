"""Layer libraries of a charmsmith-built charm (package data of layer:charmsmith-base).

Kept empty on purpose: the hook entry point imports ``charms.layer.charmsmith_base`` with the
system Python before the venv exists, so importing this package may need nothing third-party.
Layer options: ``from charms.layer import options; options.get(section, option)``.
"""
