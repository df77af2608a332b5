"""Letting the real daemons' users reach their state directory inside a private model directory.

Why ACLs and not `chmod o+x`: the model directory is 0700 on purpose — under it, units' upper
directories hold rendered configs with passwords, written with the modes a unit gives them. The
daemons (mysql, rabbitmq, keystone) drop to their own users and must traverse the model
directory to reach `<model>/peers/<app>`. An ACL entry `user:<daemon user>:--x` grants exactly
that: search, no listing, and to nobody else. Directories above the model directory are not
ours to change; if a daemon user cannot pass them we say so in one line.
"""

from __future__ import annotations

import errno
import os
import pwd
import struct
from collections.abc import Iterable
from pathlib import Path

from charmsmith.model.peers.real.supervisor import ServiceError, can_search, ensure_traversable

ACL_XATTR = "system.posix_acl_access"
_VERSION = 2  # POSIX_ACL_XATTR_VERSION
_USER_OBJ, _USER, _GROUP_OBJ, _GROUP, _MASK, _OTHER = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
_NO_ID = 0xFFFFFFFF
_SEARCH = 0o1


def _acl(directory: Path) -> dict[tuple[int, int], int]:
    """The directory's access ACL as {(tag, id): perm}; without one, the three mode entries."""
    try:
        raw = os.getxattr(directory, ACL_XATTR)
    except OSError as exc:
        if exc.errno != errno.ENODATA:
            raise
        mode = directory.stat().st_mode
        return {
            (_USER_OBJ, _NO_ID): (mode >> 6) & 7,
            (_GROUP_OBJ, _NO_ID): (mode >> 3) & 7,
            (_OTHER, _NO_ID): mode & 7,
        }
    (version,) = struct.unpack_from("<I", raw)
    if version != _VERSION:
        raise ServiceError(f"{directory}: unknown ACL format version {version}")
    return {(tag, ident): perm for tag, perm, ident in struct.iter_unpack("<HHI", raw[4:])}


def grant_search(directory: Path, users: Iterable[str]) -> None:
    """Add `user:<name>:--x` for each user to the directory's ACL (idempotent).

    The mask is recomputed as the union of the group-class entries, as setfacl does; for the
    model's 0700 directory that is just the search bit we add, so the owning group gains nothing.
    """
    entries = _acl(directory)
    for user in users:
        key = (_USER, pwd.getpwnam(user).pw_uid)
        entries[key] = entries.get(key, 0) | _SEARCH
    mask = 0
    for (tag, _), perm in entries.items():
        if tag in (_USER, _GROUP_OBJ, _GROUP):
            mask |= perm
    entries[(_MASK, _NO_ID)] = mask
    raw = struct.pack("<I", _VERSION) + b"".join(
        struct.pack("<HHI", tag, perm, ident) for (tag, ident), perm in sorted(entries.items())
    )
    try:
        os.setxattr(directory, ACL_XATTR, raw)
    except OSError as exc:
        if exc.errno not in (errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        raise ServiceError(
            f"{directory} is private and its filesystem has no ACLs to let the "
            f"{', '.join(users)} daemon(s) through: use a --model directory on another "
            f"filesystem, or `chmod o+x {directory}`"
        ) from None


def reach_state_dir(state_dir: Path, model_dir: Path, users: Iterable[str]) -> None:
    """Create `state_dir` (under `model_dir`) so that each daemon user can reach it.

    Order matters for the error a user sees: first the directories above the model (not ours:
    a one-line error naming the one to fix), then the model directory itself (ours: an ACL).
    """
    users = list(users)
    for user in users:
        try:
            ensure_traversable(model_dir.parent, user)
        except ServiceError as err:
            raise ServiceError(
                f"{err} (the real backend's data lives in {state_dir}): use a --model directory "
                "whose parents other users can search, e.g. under /var/tmp"
            ) from None
    missing = [user for user in users if not can_search(model_dir, user)]
    if missing:
        grant_search(model_dir, missing)
    for path in reversed([state_dir, *state_dir.parents]):
        if model_dir in path.parents:
            path.mkdir(mode=0o711, exist_ok=True)
            path.chmod(0o711)  # mkdir's mode is masked by the umask
    for user in users:
        ensure_traversable(state_dir, user)
