"""Write one config template per managed file (cookiecutter cannot loop over files)."""

import sys

from charmsmith.create import hooks

sys.exit(hooks.post_gen("{{ cookiecutter | charmsmith_b64 }}"))
