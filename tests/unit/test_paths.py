"""Path layouts: dev checkout, XDG, ~/.siproxylin, custom root."""

from __future__ import annotations

from pathlib import Path

import pytest

from siproxylin.__main__ import parse_args
from siproxylin.app.paths import PathMode, resolve_paths


def test_custom_root(tmp_path: Path) -> None:
    paths = resolve_paths(data_dir=tmp_path)
    assert paths.mode is PathMode.CUSTOM
    assert paths.database == tmp_path / "data" / "siproxylin.db"
    paths.create()
    assert all(p.is_dir() for p in (paths.config, paths.data, paths.cache, paths.logs))
    assert (paths.data.stat().st_mode & 0o777) == 0o700


def test_dot_and_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xc"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xd"))
    dot = resolve_paths(PathMode.DOT)
    assert dot.data == tmp_path / ".siproxylin" / "data"
    xdg = resolve_paths(PathMode.XDG)
    assert xdg.config == tmp_path / "xc" / "siproxylin"
    assert xdg.data == tmp_path / "xd" / "siproxylin"


def test_dev_mode_in_checkout() -> None:
    paths = resolve_paths()
    assert paths.mode is PathMode.DEV
    assert paths.data.parent.name == "sip_dev_paths"


def test_command_line_options() -> None:
    args = parse_args(["--data-dir", "/tmp/x", "--log-level", "off", "--protocol-log"])
    assert args.data_dir == Path("/tmp/x")
    assert args.log_level == "off"
    assert args.protocol_log
    with pytest.raises(SystemExit):
        parse_args(["--xdg", "--dot-data-dir"])
