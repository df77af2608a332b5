"""What the template's cookiecutter hooks run, so plain `cookiecutter` gets our rules too.

The hook scripts are two lines each; the logic lives here where it is tested. Both receive the
cookiecutter context as base64 JSON (see jinja_ext.b64) so no answer text can break the script.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any

from charmsmith.create import answers, jinja_ext, render
from charmsmith.errors import CharmsmithError


def _decode(blob: str) -> dict[str, Any]:
    return json.loads(base64.b64decode(blob).decode())


def pre_gen(blob: str) -> int:
    """Validate every answer; a bad one aborts cookiecutter before any file is rendered."""
    try:
        resolved = answers.resolve(jinja_ext.raw_answers(_decode(blob)))
    except CharmsmithError as err:
        print(f"charmsmith: error: {err}", file=sys.stderr)
        return 1
    for warning in resolved.warnings:
        print(f"charmsmith: warning: {warning}", file=sys.stderr)
    return 0


def post_gen(blob: str) -> int:
    """Render the per-file config templates into the project (the hook's cwd)."""
    context = _decode(blob)
    resolved = answers.resolve(jinja_ext.raw_answers(context))
    version = str(context.get("_charmsmith_template_version", "0"))
    render.finish(Path.cwd(), resolved, version)
    return 0
