"""Where Siproxylin keeps its files: dev checkout, XDG dirs, ``~/.siproxylin``, or any root.

* dev (running from a source checkout): ``./sip_dev_paths/{cache,config,data,logs}``
* ``--xdg``: the platform's config / data / cache dirs (platformdirs), logs under state
* ``--dot-data-dir``: ``~/.siproxylin/{cache,config,data,logs}``, one folder to
  encrypt (gocryptfs) or delete
* ``--data-dir PATH``: the same layout under PATH
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "siproxylin"


class PathMode(enum.Enum):
    """Which layout to use."""

    DEV = "dev"
    XDG = "xdg"
    DOT = "dot"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The four folders the application writes to."""

    mode: PathMode
    config: Path
    data: Path
    cache: Path
    logs: Path

    @property
    def database(self) -> Path:
        """The SQLite database."""
        return self.data / "siproxylin.db"

    def create(self) -> None:
        """Create the folders, readable by the owner only."""
        for folder in (self.config, self.data, self.cache, self.logs):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)


def _under(mode: PathMode, root: Path) -> AppPaths:
    return AppPaths(mode, root / "config", root / "data", root / "cache", root / "logs")


def source_checkout() -> Path | None:
    """The checkout the package runs from, or None when it is installed."""
    package = Path(__file__).resolve().parent.parent
    root = package.parent
    if (root / "pyproject.toml").is_file() and (root / ".git").exists():
        return root
    return None


def resolve_paths(mode: PathMode | None = None, data_dir: Path | None = None) -> AppPaths:
    """Pick the layout: explicit mode, else dev in a checkout, else XDG.

    Args:
        mode: The layout asked for on the command line, if any.
        data_dir: Root for ``PathMode.CUSTOM``.

    Returns:
        The resolved folders (not created yet).
    """
    if data_dir is not None:
        return _under(PathMode.CUSTOM, data_dir.expanduser().resolve())
    checkout = source_checkout()
    if mode is None:
        mode = PathMode.DEV if checkout is not None else PathMode.XDG
    if mode is PathMode.DOT:
        return _under(mode, Path.home() / f".{APP_NAME}")
    if mode is PathMode.DEV:
        return _under(mode, (checkout or Path(os.getcwd())) / "sip_dev_paths")
    return AppPaths(
        mode,
        Path(platformdirs.user_config_dir(APP_NAME)),
        Path(platformdirs.user_data_dir(APP_NAME)),
        Path(platformdirs.user_cache_dir(APP_NAME)),
        Path(platformdirs.user_log_dir(APP_NAME)),
    )
