"""Site engines: a docs folder and its mkdocs.yml in, a site folder out (the only module that runs one).

Two engines build the same generated tree, each through its public door:
- `material`: MkDocs with Material for MkDocs, the default, through MkDocs' documented Python API
  (`load_config`, the plugins' start-up and shut-down, `build`) in a process of its own, started
  as the build begins so that it imports MkDocs while the program is read (`Prepared`); its
  theme's compiled templates are kept in the cache through a MkDocs hook (`on_env`, MkDocs'
  public event). Material gets critical fixes only until its end of life; MkDocs 1.x is
  unmaintained.
- `zensical`: Zensical, Material's successor from the same team, through its command line
  (`zensical build`); it reads the same mkdocs.yml and Material's settings (`theme.variant:
  classic` keeps Material's look).

Either builds while the PDFs render. The build date reaches it as `SOURCE_DATE_EPOCH`, which both
read for the sitemap's dates. Warnings fail the build (`strict`), with the engine's own words.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import OutputError

if TYPE_CHECKING:
    import subprocess

# multiprocessing, subprocess and logging are imported where they are used: the command line
# imports this module for ENGINES alone, and `mentorkit check` should not pay for them

ENGINES = ("material", "zensical")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


HOOKS = "mentorkit_hooks.py"
_HOOKS_CODE = """# written by mentorkit: MkDocs' on_env event keeps the theme's compiled templates in mentorkit's cache
from jinja2 import FileSystemBytecodeCache


def on_env(env, config, files):
    env.bytecode_cache = FileSystemBytecodeCache({folder!r})
    return env
"""


def _serve_material(orders: Any) -> None:
    """The MkDocs process: import MkDocs and Material at once, then build what it is sent."""
    os.environ["NO_MKDOCS_2_WARNING"] = "1"  # Material's end-of-life notice: the README says it once
    import mkdocs.commands.build  # noqa: F401
    import mkdocs.config  # noqa: F401
    from material.plugins.search import plugin  # noqa: F401

    try:
        config, site_dir, source_date, hooks = orders.recv()
    except EOFError:  # the build went on without the site (it failed, or the site was cached)
        return
    orders.send(build_material(config, site_dir, source_date, hooks))


def build_material(config: str, site_dir: str, source_date: int, hooks: str | None = None) -> str | None:
    """Build with MkDocs' Python API; None, or what went wrong in MkDocs' words."""
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    os.environ["SOURCE_DATE_EPOCH"] = str(source_date)  # MkDocs' documented input (this process's own)
    logger = logging.getLogger("mkdocs")
    collected: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            collected.append(f"{record.levelname} - {record.getMessage()}")

    handler = Collect(logging.WARNING)
    logger.addHandler(handler)
    logger.propagate = False  # MkDocs' INFO lines stay out of the command's output
    try:
        options: dict[str, Any] = {"config_file": config, "site_dir": site_dir}
        if hooks is not None:
            options["hooks"] = [hooks]
        cfg = load_config(**options)
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg)
        finally:
            cfg.plugins.on_shutdown()
    except (MkDocsException, SystemExit) as exc:
        return "; ".join([*collected, str(exc)]) if collected else str(exc) or "MkDocs stopped"
    finally:
        logger.removeHandler(handler)
    return None


class Prepared:
    """The MkDocs process, started as a build begins (unless another engine was asked for); a
    context manager that always stops it."""

    def __init__(self, engine: str | None):
        self.process: Any = None
        self.orders: Any = None
        if engine in (None, "material"):
            import multiprocessing

            context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of this one
            self.orders, theirs = context.Pipe()
            self.process = context.Process(target=_serve_material, args=(theirs,), daemon=True)
            self.process.start()
            theirs.close()

    def __enter__(self) -> Prepared:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.orders.close()
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.terminate()
                self.process.join()


@dataclass
class Running:
    """An engine building a site in another process; `wait()` collects it."""

    engine: str
    work: Path
    site_dir: Path
    process: subprocess.Popen[str] | None = None  # Zensical's command
    prepared: Prepared | None = None  # MkDocs' process

    def wait(self) -> None:
        """Wait for the engine; raise OutputError with its messages when it failed."""
        if self.prepared is not None:
            try:
                failed = self.prepared.orders.recv()
            except EOFError:
                failed = f"the MkDocs process ended with exit code {self.prepared.process.exitcode}"
            if failed:
                raise OutputError(f"the handbook site could not be built ({self.engine}): {failed}")
            return
        assert self.process is not None
        out, err = self.process.communicate()
        if self.process.returncode != 0:
            raise OutputError(f"the handbook site could not be built ({self.engine}): {_messages(out + err)}")
        shutil.copytree(self.work / "site", self.site_dir, dirs_exist_ok=True)  # where mkdocs.yml says

    def stop(self) -> None:
        """Stop the engine (the build failed elsewhere): it never writes into a folder being removed."""
        if self.prepared is not None and self.prepared.process.is_alive():
            self.prepared.process.terminate()
            self.prepared.process.join()
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()  # its output is read by whoever waits for it (`wait`), if anyone


def _messages(text: str) -> str:
    """The engine's warnings and errors (with Zensical's file:line:column), the summary last."""
    lines = [_ANSI.sub("", line).strip() for line in text.splitlines()]
    wanted = [re.sub(r"^\W*\[\s*(\S+)\s*\]\W*$", r"at \1", line) for line in lines
              if re.match(r"(?i)(warning|error)\b", line) or re.match(r"^\W*\[\s*\S+:\d+:\d+\s*\]", line)]
    summary = [line for line in lines if re.match(r"(?i)(aborted|\d+ issues? found)", line)]
    return "; ".join(wanted + summary or [line for line in lines if line][-5:]) or "no message"


def zensical_command() -> list[str]:
    """The command line that builds `mkdocs.yml` in the current folder with Zensical."""
    found = shutil.which("zensical", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                           os.environ.get("PATH", "")]))
    if found is None:
        raise OutputError("the zensical engine is not installed (pip install zensical)")
    return [found, "build", "--strict", "--config-file", "mkdocs.yml"]


def start(engine: str, work: Path, site_dir: Path, source_date: int, prepared: Prepared,
          bytecode: Path | None = None) -> Running:
    """Start building the docs tree and mkdocs.yml in `work` into `site_dir`: with MkDocs in the
    `prepared` process, with Zensical through its command (`bytecode`: where MkDocs keeps the
    theme's compiled templates)."""
    if engine == "material":
        if prepared.process is None:
            raise OutputError("the material engine was not prepared for this build")  # a bug, said aloud
        hooks = None
        if bytecode is not None:
            hooks = work / HOOKS
            hooks.write_text(_HOOKS_CODE.format(folder=str(bytecode)), encoding="utf-8")
        prepared.orders.send((str(work / "mkdocs.yml"), str(site_dir), source_date, str(hooks) if hooks else None))
        return Running(engine, work, site_dir, prepared=prepared)
    if engine != "zensical":
        raise OutputError(f"unknown site engine {engine!r}: choose one of {', '.join(ENGINES)}")
    import subprocess

    args = zensical_command()
    shutil.rmtree(work / "site", ignore_errors=True)
    environ = {**os.environ, "SOURCE_DATE_EPOCH": str(source_date), "PYTHONHASHSEED": "0", "NO_COLOR": "1"}
    process = subprocess.Popen(args, cwd=work, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, encoding="utf-8", errors="replace")
    return Running(engine, work, site_dir, process=process)
