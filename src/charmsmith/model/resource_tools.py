"""resource-get: the path of an application's attached resource file, inside the unit.

Follows Juju's resource-get (resource/context/cmd/get.go and the uniter's resource opener):
one resource name, nothing more (exit 2 otherwise); the file is placed in the unit's agent
directory as resources/<name>/<filename from metadata.yaml> and its path printed with no
newline; a name the charm does not declare, or a resource nothing was attached to, fails with
"could not download resource: ..." (exit 1). A local model has no store to fall back on, so a
resource must be attached (`charmsmith model attach-resource`) before resource-get finds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from charmsmith.model import tool_base as jujuc
from charmsmith.model import units as unitfs
from charmsmith.model.unitview import UnitView

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelView


def resource_path_in_unit(unit: str, name: str, filename: str) -> str:
    return f"/var/lib/juju/agents/{unitfs.unit_tag(unit)}/resources/{name}/{filename}"


def resource_get(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    if not args:
        raise jujuc.ToolError("missing required resource name", jujuc.USAGE)
    jujuc.check_empty(args[1:])
    name = args[0]
    app = model.app(model.unit(ctx.unit).app)
    declared = app.metadata.get("resources") or {}
    attached = (app.resources or {}).get(name)
    if name not in declared or attached is None:
        raise jujuc.ToolError(f'could not download resource: resource "{name}" not found')
    target = resource_path_in_unit(ctx.unit, name, attached["filename"])
    view = UnitView.of_caller(model.store.path, ctx.unit)
    dest = view.path(target)
    dest.parent.mkdir(parents=True, exist_ok=True)
    content = Path(attached["file"]).read_bytes()
    if not dest.is_file() or dest.read_bytes() != content:
        dest.write_bytes(content)
        dest.chmod(0o644)
    return 0, target.encode(), b""
