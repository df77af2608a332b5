"""``charmsmith create``: ask (or read) the answers, render the charm, put it in place safely.

Interactive runs ask each question with one line of help and re-ask until the reply passes
validation. Runs with ``--answers`` or ``--defaults`` never prompt: the first bad answer stops
the run with one line naming the field and rule, before anything touches the disk. Rendering
goes to a staging directory next to the target and is moved into place only when complete, so
an interrupted or failed run leaves nothing half-written. An existing target is refused unless
``--force``; with it the old tree is moved aside to a backup, never overwritten in place.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from charmsmith import dirs
from charmsmith.create import answers as answers_mod
from charmsmith.create import answers_file, render, validation, vendor
from charmsmith.create.questions import QUESTIONS
from charmsmith.errors import CharmsmithError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", help="charm name (the charm_name answer)")
    parser.add_argument(
        "--answers",
        metavar="FILE",
        help="YAML answers file (e.g. a charm's .charmsmith-answers.yaml)",
    )
    parser.add_argument(
        "--set",
        dest="set_values",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set one answer (repeatable); lists are space separated",
    )
    parser.add_argument(
        "--defaults", action="store_true", help="take the default for every unanswered question"
    )
    parser.add_argument(
        "-o", "--output-dir", default=".", metavar="DIR", help="parent directory (default: .)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing charm directory (the old one is kept as <name>.bak[.N])",
    )


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    dirs.writable_dir(args.output_dir, "-o/--output-dir")  # before any question is asked
    raw, recorded_version = gather_raw(args)
    interactive = not (args.answers or args.defaults)
    if interactive:
        resolved = prompt_answers(raw, ask=_ask, say=print)
    else:
        resolved = answers_mod.resolve(raw)
    for warning in resolved.warnings:
        if not (interactive and warning.startswith(_SHOWN_WHEN_ASKED)):
            print(f"charmsmith: warning: {warning}", file=sys.stderr)
    version = render.template_version()
    if recorded_version and recorded_version != version:
        print(
            f"charmsmith: warning: the answers were recorded with template version "
            f"{recorded_version}; rendering with version {version} (to bring an existing charm "
            "up to date keeping its edits, use `charmsmith update`)",
            file=sys.stderr,
        )
    target = Path(args.output_dir) / resolved.charm_name
    result = write_charm(resolved, target, force=args.force)
    elapsed = time.perf_counter() - started
    print(summary(resolved, target, result, elapsed))
    return 0


def gather_raw(args: argparse.Namespace) -> tuple[dict[str, Any], str | None]:
    """Answers file, then --set, then NAME (later wins); plus the recorded template version."""
    raw: dict[str, Any] = {}
    recorded = None
    if args.answers:
        loaded = answers_file.load(args.answers)
        if not args.defaults:
            _refuse_blank(loaded, args.answers)
        raw.update(loaded)
        if "_template_version" in raw:
            recorded = str(raw["_template_version"])
    raw.update(answers_mod.parse_set(args.set_values))
    if args.name:
        raw["charm_name"] = args.name
    return raw, recorded


def _refuse_blank(loaded: dict[str, Any], source: str) -> None:
    """An empty value in an answers file is a mistake until --defaults says "take defaults".

    Silently replacing ``release: ''`` with the default release would build a charm for a
    release nobody chose.
    """
    for key, value in loaded.items():
        if not str(key).startswith("_") and (value is None or str(value).strip() == ""):
            raise CharmsmithError(
                f"{key}: empty in {source}; give a value, or delete the line (or pass --defaults)"
                " to take the default"
            )


# --------------------------------------------------------------------------------------------
# prompting


def _ask(prompt: str) -> str:
    try:
        return input(prompt)
    except EOFError:
        print()
        raise CharmsmithError("input ended before every question was answered") from None


def prompt_answers(
    raw: dict[str, Any], ask: Callable[[str], str], say: Callable[[str], None]
) -> answers_mod.Answers:
    """Ask every question not answered in ``raw``, in resolve order, re-asking bad replies.

    Answers given on the command line are not asked again (a bad one is an error, as in a
    non-interactive run). Each default is derived from the replies before it.
    """
    raw = dict(raw)
    for question in QUESTIONS:
        key = question.key
        if key in raw:
            _warn_at(key, answers_mod.resolve_upto(raw, key), say)
            continue
        default = answers_mod.default_text(key, raw)
        say(f"  {question.help}")
        while True:
            shown = answers_mod.display_default(default)
            reply = ask(f"{key} [{shown}]: " if default else f"{key}: ").strip()
            raw[key] = reply or default
            try:
                got = answers_mod.resolve_upto(raw, key)
            except CharmsmithError as err:
                say(f"  invalid: {err}")
                continue
            _warn_at(key, got, say)
            break
    return answers_mod.resolve(raw)


#: Answers whose warnings the prompt shows at the question (not repeated at the end).
_SHOWN_WHEN_ASKED = ("port:", "service_name:", "service_type:")


def _warn_at(key: str, got: dict[str, Any], say: Callable[[str], None]) -> None:
    """Warnings about an answer right after it is given, while the user can still change it."""
    for warning in validation.answer_warnings(key, got):
        say(f"  warning: {warning}")


# --------------------------------------------------------------------------------------------
# writing


def write_charm(ans: answers_mod.Answers, target: Path, force: bool = False) -> dict[str, Any]:
    """Render into a staging directory, then move it to ``target``.

    Returns what happened: ``files`` (count), ``backup`` (where an old tree went, or None),
    ``unchanged`` (True when --force found the target already identical).
    """
    target = target.absolute()
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise CharmsmithError(f"{target}: exists and is not a directory")
        if not force:
            raise CharmsmithError(
                f"{target}: already exists; use --force to replace it (the old tree is kept as "
                "a backup), or `charmsmith update` to merge a newer template into it"
            )
    parent = target.parent
    staging = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent if parent.is_dir() else None)
    )
    try:
        built = render.render(ans, staging)
        files = sum(1 for p in built.rglob("*") if p.is_file())
        backup = None
        if target.exists():
            if same_tree(built, target):
                return {"files": files, "backup": None, "unchanged": True}
            backup = backup_path(target)
            os.rename(target, backup)
        parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(built), str(target))
        return {"files": files, "backup": backup, "unchanged": False}
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def backup_path(target: Path) -> Path:
    """``<name>.bak``, else ``<name>.bak.1``, ``.bak.2``...: the first free name, no clock."""
    candidate = target.with_name(f"{target.name}.bak")
    number = 0
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = target.with_name(f"{target.name}.bak.{number}")
    return candidate


def same_tree(a: Path, b: Path) -> bool:
    """Same relative file names with the same bytes (ignoring caches tools leave behind)."""
    return _tree(a) == _tree(b)


_IGNORED = {"__pycache__", ".pytest_cache", ".ruff_cache", ".tox"}


def _tree(root: Path) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        if _IGNORED & set(path.relative_to(root).parts):
            continue
        if path.is_file() or path.is_symlink():
            found[path.relative_to(root).as_posix()] = (
                path.read_bytes() if path.is_file() else b"->" + os.readlink(path).encode()
            )
    return found


def summary(ans: answers_mod.Answers, target: Path, result: dict[str, Any], elapsed: float) -> str:
    if result["unchanged"]:
        return f"{target}: already identical to what these answers produce; nothing changed"
    templates = ", ".join(f"templates/{ans.release}/{Path(p).name}" for p in ans.config_files)
    lines = [f"created {target} ({result['files']} files, {elapsed:.2f} s)"]
    if result["backup"]:
        lines.append(f"  the previous tree was moved to {result['backup']}")
    lines += [
        f"  charm class  lib/charm/openstack/{ans.charm_ident}.py (from {ans.release})",
        f"  handlers     reactive/{ans.charm_ident}_handlers.py",
        f"  templates    {templates}",
        f"  answers      {answers_file.ANSWERS_FILE}",
        f"  toolchain    {vendor.VENDOR_DIR}/ (layers, interfaces, runtime: tox and charmcraft)",
        "next:",
        f"  cd {target}",
        "  tox -e pep8,py3     # lint and unit tests",
        f"  tox -e build        # {ans.charm_name}.charm (charm-tools from PyPI, no charmsmith)",
    ]
    return "\n".join(lines)
