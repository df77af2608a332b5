"""Render answers through the cookiecutter template: the one rendering path of every front door.

We call cookiecutter's ``generate_files`` directly rather than its ``cookiecutter()`` entry point:
answers are already resolved and validated, so prompting, the replay file it would write under
``~/.cookiecutter_replay`` and the pre-generation hook's extra interpreter are all unnecessary.
The files, ``_copy_without_render`` handling and Jinja environment are cookiecutter's own, and
:func:`finish` is exactly what the template's post-generation hook runs.
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

import jinja2

from charmsmith.create import answers as answers_mod
from charmsmith.create import context as context_mod
from charmsmith.create import vendor

TEMPLATE_DIR = Path(__file__).resolve().parent / "template"
#: Copied verbatim by cookiecutter (it holds the unit's Jinja), expanded here per config file.
SKELETON = "templates/service.conf.in"
#: Copied verbatim too, expanded here into one zaza bundle per series the charm is tested on.
BUNDLE_SKELETON = "tests/bundles/series.yaml.in"


def template_version(template_dir: Path = TEMPLATE_DIR) -> str:
    return str(_cookiecutter_json(template_dir)["_charmsmith_template_version"])


def _cookiecutter_json(template_dir: Path) -> dict[str, Any]:
    with open(template_dir / "cookiecutter.json", encoding="utf-8") as handle:
        return json.load(handle, object_pairs_hook=OrderedDict)


def cookiecutter_context(
    ans: answers_mod.Answers, template_dir: Path = TEMPLATE_DIR
) -> dict[str, Any]:
    """cookiecutter.json with every answer replaced by its (round-tripping) text form."""
    data = _cookiecutter_json(template_dir)
    data.pop("__prompts__", None)
    data.update(answers_mod.to_text(ans))
    return {"cookiecutter": data}


def render(ans: answers_mod.Answers, output_dir: Path, template_dir: Path = TEMPLATE_DIR) -> Path:
    """Generate the charm into ``output_dir/<charm_name>`` (which must not exist)."""
    from cookiecutter.generate import generate_files

    ctx = cookiecutter_context(ans, template_dir)
    project = generate_files(
        repo_dir=str(template_dir), context=ctx, output_dir=str(output_dir), accept_hooks=False
    )
    finish(Path(project), ans, str(ctx["cookiecutter"]["_charmsmith_template_version"]))
    return Path(project)


def finish(project: Path, ans: answers_mod.Answers, version: str) -> None:
    """Expand the skeletons (config files per path, zaza bundles per tested series), vendor.

    The config skeleton becomes ``templates/<release>/<basename>`` for each file. It is
    rendered with ``[[ ]]``/``[% %]`` delimiters, so only the generator's values are filled
    in and the unit-side ``{{ }}``/``{% %}`` pass through untouched.
    """
    skeleton = project / SKELETON
    env = jinja2.Environment(
        variable_start_string="[[",
        variable_end_string="]]",
        block_start_string="[%",
        block_end_string="%]",
        comment_start_string="[#",
        comment_end_string="#]",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    template = env.from_string(skeleton.read_text(encoding="utf-8"))
    ctx = context_mod.build(ans, version)
    out_dir = project / "templates" / ans.release
    out_dir.mkdir(parents=True, exist_ok=True)
    for item in ctx["config_files"]:
        text = template.render(c=ctx, path=item["path"], basename=item["basename"])
        (out_dir / item["basename"]).write_text(text, encoding="utf-8")
    os.unlink(skeleton)
    bundle_skeleton = project / BUNDLE_SKELETON
    if bundle_skeleton.exists():  # absent from templates before version 3
        bundle = jinja2.Environment(
            keep_trailing_newline=True, undefined=jinja2.StrictUndefined, autoescape=False
        ).from_string(bundle_skeleton.read_text(encoding="utf-8"))
        for target in ctx["bundles"]:
            out = bundle_skeleton.parent / f"{target.name}.yaml"
            out.write_text(bundle.render(c=ctx, t=target), encoding="utf-8")
        os.unlink(bundle_skeleton)
    ceph_tests = project / "unit_tests" / f"test_{ans.charm_ident}_ceph.py"
    if not ans.ceph_pools and ceph_tests.exists():  # a charm without pools has no ceph relation
        os.unlink(ceph_tests)
    vendor.write(project)
