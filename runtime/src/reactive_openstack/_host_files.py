"""Files on the real host: atomic writes that leave an unchanged file (and its mtime) alone.

A mixin of JujuHost, so host.py keeps one job (the hook tools); FakeHost keeps files in a dict.
"""

from __future__ import annotations

import grp
import os
import pwd
import tempfile


class JujuFiles:
    """Mixed into JujuHost: read, write, mkdir with owner and mode."""

    def read_file(self, path: str) -> bytes | None:
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def exists(self, path: str) -> bool:
        return os.path.exists(path)

    def mkdir(self, path: str, mode: int = 0o755, owner: str = "root", group: str = "root") -> None:
        if os.path.isdir(path):
            return
        parent = os.path.dirname(path.rstrip("/"))
        if parent and not os.path.isdir(parent):
            self.mkdir(parent, 0o755)
        os.mkdir(path, mode)
        os.chmod(path, mode)
        self._chown(path, owner, group)

    @staticmethod
    def _ids(owner: str, group: str) -> tuple[int, int]:
        return pwd.getpwnam(owner).pw_uid, grp.getgrnam(group).gr_gid

    def _chown(self, path: str, owner: str, group: str) -> None:
        uid, gid = self._ids(owner, group)
        st = os.stat(path)
        if (st.st_uid, st.st_gid) != (uid, gid):
            os.chown(path, uid, gid)

    def write_file(
        self,
        path: str,
        content: bytes,
        mode: int = 0o640,
        owner: str = "root",
        group: str = "root",
    ) -> bool:
        """Write atomically; only touch the file (or its metadata) when something differs.

        A reader (the service) sees either the old or the new file, never half a file.
        """
        uid, gid = self._ids(owner, group)
        if self.read_file(path) == content:
            st = os.stat(path)
            if st.st_mode & 0o7777 != mode:
                os.chmod(path, mode)
            if (st.st_uid, st.st_gid) != (uid, gid):
                os.chown(path, uid, gid)
            return False
        directory = os.path.dirname(os.path.abspath(path))
        self.mkdir(directory, 0o755)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-" + os.path.basename(path))
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, mode)
            os.chown(tmp, uid, gid)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return True
