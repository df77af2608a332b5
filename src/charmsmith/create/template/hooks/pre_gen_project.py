"""Validate the answers with charmsmith's rules before cookiecutter renders anything."""

import sys

from charmsmith.create import hooks

sys.exit(hooks.pre_gen("{{ cookiecutter | charmsmith_b64 }}"))
