"""Temporary directories that the ``prosody`` user can read.

pytest's own ``tmp_path`` lives under a 0700 directory owned by the test runner, which
the ``prosody`` user (Prosody runs as it when the tests run as root) cannot traverse.
The directories made here are 0750 and group ``prosody`` when running as root.
"""

from __future__ import annotations

import grp
import os
import shutil
import tempfile
from pathlib import Path

PROSODY_USER = "prosody"


def running_as_root() -> bool:
    return os.geteuid() == 0


def prosody_gid() -> int | None:
    """The ``prosody`` group id, or None when the group does not exist."""
    try:
        return grp.getgrnam(PROSODY_USER).gr_gid
    except KeyError:
        return None


def share_with_prosody(path: Path, mode: int) -> None:
    """chmod ``path``; as root also chgrp it to ``prosody`` (for the group bits)."""
    os.chmod(path, mode)
    gid = prosody_gid()
    if running_as_root() and gid is not None:
        os.chown(path, -1, gid)


def make_shared_tmpdir(prefix: str) -> Path:
    """A new directory under the system temp dir, traversable by the prosody group."""
    path = Path(tempfile.mkdtemp(prefix=f"siproxylin-{prefix}-"))
    share_with_prosody(path, 0o750)
    return path


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
