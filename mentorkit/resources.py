"""Where the built-in content library and templates live (inside the wheel, or the source checkout)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def builtin_dir(name: str) -> Path:
    """The built-in `content` or `templates` folder: packaged copy first, then the source checkout's."""
    packaged = _PACKAGE / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


def package_dirs() -> list[Path]:
    """Folders the package may serve files from (templates, content, static assets)."""
    return [builtin_dir("templates"), builtin_dir("content"), _PACKAGE]
