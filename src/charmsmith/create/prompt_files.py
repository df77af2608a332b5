"""The prompt files of the other front doors, derived from the questions.

cookiecutter and charm-tools each read a literal file (the template's cookiecutter.json,
create/config.yaml), so both are written from :data:`questions.QUESTIONS` by
``python -m charmsmith.create.prompt_files`` and a unit test fails when a checked-in copy
drifts. cookiecutter.json's settings (its ``_`` keys) are kept as they are.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from charmsmith.create import render
from charmsmith.create.questions import QUESTIONS

#: cookiecutter needs a default for every variable; for the charm name, which has none, the
#: example charm of the upstream guide.
CHARM_NAME_EXAMPLE = "congress"

_CHARMTOOLS_HEADER = """\
# Questions `charm create -t openstack-api NAME` asks (charm-tools reads this file).
# A blank reply takes the default derived from the charm name and earlier replies;
# -a takes every default. charmsmith validates each reply with its own rules.
"""


def cookiecutter_json(settings: Mapping[str, Any]) -> str:
    """Each question's derived default (through our Jinja filter), its help, then ``settings``."""
    lines = []
    for question in QUESTIONS:
        if question.default is None:
            value = CHARM_NAME_EXAMPLE
        else:
            value = f"{{{{ cookiecutter | charmsmith_default('{question.key}') }}}}"
        lines.append(f"  {json.dumps(question.key)}: {json.dumps(value)},")
    lines.append('  "__prompts__": {')
    lines.append(",\n".join(f"    {json.dumps(q.key)}: {json.dumps(q.help)}" for q in QUESTIONS))
    lines.append("  },")
    lines.append(",\n".join(f"  {json.dumps(k)}: {json.dumps(val)}" for k, val in settings.items()))
    return "{\n" + "\n".join(lines) + "\n}\n"


def charmtools_config() -> str:
    """charm-tools' prompts: every question but the name, which it takes from its command line."""
    lines = [_CHARMTOOLS_HEADER + "prompts:"]
    for question in QUESTIONS:
        if question.key == "charm_name":
            continue
        lines += [
            f"  {question.key}:",
            f"    prompt: {json.dumps(question.help + ':')}",
            '    default: ""',
            "    type: string",
        ]
    return "\n".join(lines) + "\n"


def expected(template_dir: Path = render.TEMPLATE_DIR) -> dict[Path, str]:
    """Each prompt file of a template (cookiecutter.json, the sibling config.yaml) and its text."""
    cookiecutter = template_dir / "cookiecutter.json"
    data = json.loads(cookiecutter.read_text(encoding="utf-8"))
    kept = {k: val for k, val in data.items() if k.startswith("_") and k != "__prompts__"}
    return {
        cookiecutter: cookiecutter_json(kept),
        template_dir.parent / "config.yaml": charmtools_config(),
    }


def write(template_dir: Path = render.TEMPLATE_DIR) -> list[Path]:
    """Rewrite the prompt files that differ from the questions; return those written."""
    written = []
    for path, text in expected(template_dir).items():
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path}")
