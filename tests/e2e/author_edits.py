"""What a charm author changes in a generated charm before it serves their service for real.

`charmsmith create` writes a working, generic oslo-style config template per managed file. Each
real service then has a few service-specific needs that no generator can guess; the e2e suite
applies exactly these edits, as an author would, so what is generic and what is hand-written
stays visible. Each function takes the generated charm's source directory.
"""

from __future__ import annotations

from pathlib import Path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name}: the generated template changed ({old!r} not found)"
    path.write_text(text.replace(old, new))


def glance(charm: Path) -> None:
    """Authenticate through keystonemiddleware (paste flavor) and follow the policy option."""
    template = charm / "templates" / "zed" / "glance-api.conf"
    _edit(
        template,
        "[DEFAULT]\n",
        "[DEFAULT]\n"
        'enforce_secure_rbac = {{ "true" if options.enforce_new_policy_defaults else "false" }}\n',
    )
    template.write_text(template.read_text() + "\n[paste_deploy]\nflavor = keystone\n")


def barbican(charm: Path) -> None:
    """uwsgi takes its socket from /etc/default/barbican-api; the database is sql_connection."""
    templates = charm / "templates" / "zed"
    conf = templates / "barbican.conf"
    listen = (
        "bind_host = {{ options.service_listen_info.barbican_api.ip }}\n"
        "bind_port = {{ options.service_listen_info.barbican_api.port }}\n"
    )
    database = "{% if shared_db.uri %}\nsql_connection = {{ shared_db.uri }}\n{% endif %}\n"
    _edit(conf, listen, database)
    _edit(conf, '{% include "parts/section-database" %}\n', "")
    (templates / "barbican-api").write_text(
        "# /etc/default/barbican-api: written by the barbican charm (uwsgi's listen socket).\n"
        'DAEMON_ARGS="--http-socket'
        " {{ options.service_listen_info.barbican_api.ip }}"
        ':{{ options.service_listen_info.barbican_api.port }}"\n'
        'DAEMON_ARGS="$DAEMON_ARGS --ini /etc/barbican/barbican-api-uwsgi.ini"\n'
    )


EDITS = {"glance": glance, "glance-ceph": glance, "barbican": barbican}
