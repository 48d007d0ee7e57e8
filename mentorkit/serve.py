"""Live preview: build into a temporary folder, serve it on loopback, rebuild on every save."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from .build import build
from .errors import MentorkitError
from .resources import builtin_dir

log = logging.getLogger("mentorkit")


def serve(program: Path, *, host: str = "127.0.0.1", port: int = 8000, engine: str | None = None) -> None:
    """Serve the handbook of `program`, rebuilt when program.yml, content/ or templates/ change,
    with the browser reloaded (MkDocs' public live-reload server)."""
    from mkdocs.livereload import LiveReloadServer

    folder = Path(tempfile.mkdtemp(prefix="mentorkit-serve-"))
    out = folder / "site"
    root = program.resolve().parent

    def rebuild() -> None:
        try:
            build(program, out, engine=engine)
        except MentorkitError as exc:
            log.error("%s", exc)

    rebuild()
    server = LiveReloadServer(builder=rebuild, host=host, port=port, root=str(out))
    server.watch(str(program.resolve()))
    for name in ("content", "templates"):
        if (root / name).is_dir():
            server.watch(str(root / name))
        server.watch(str(builtin_dir(name)))
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
