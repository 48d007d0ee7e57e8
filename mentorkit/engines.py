"""Site engines: a docs folder and its mkdocs.yml in, a site folder out (the only module that runs one).

Two engines build the same generated tree, each through its own command line, its public door:
- `material`: MkDocs with Material for MkDocs (`mkdocs build`), the default. Material gets
  critical fixes only until its end of life; MkDocs 1.x is unmaintained.
- `zensical`: Zensical (`zensical build`), Material's successor from the same team, which reads
  the same mkdocs.yml and Material's settings (`theme.variant: classic` keeps Material's look).

An engine runs in its own process, started as soon as the pages are written, so it builds while
the PDFs render. The build date reaches it as `SOURCE_DATE_EPOCH`, which both read for the
sitemap's dates. Warnings fail the build (`strict`), with the engine's own words.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError

ENGINES = ("material", "zensical")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Running:
    """An engine building a site in another process; `wait()` collects it."""

    engine: str
    process: subprocess.Popen[str]
    work: Path
    site_dir: Path

    def wait(self) -> None:
        """Wait for the engine; raise OutputError with its messages when it failed."""
        out, err = self.process.communicate()
        if self.process.returncode != 0:
            raise OutputError(f"the handbook site could not be built ({self.engine}): {_messages(out + err)}")
        if self.engine == "zensical":  # it writes where mkdocs.yml says (a relative site_dir)
            shutil.copytree(self.work / "site", self.site_dir, dirs_exist_ok=True)

    def stop(self) -> None:
        """Stop the engine (the build failed elsewhere)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def _messages(text: str) -> str:
    """The engine's warnings and errors (with Zensical's file:line:column), the summary last."""
    lines = [_ANSI.sub("", line).strip() for line in text.splitlines()]
    wanted = [re.sub(r"^\W*\[\s*(\S+)\s*\]\W*$", r"at \1", line) for line in lines
              if re.match(r"(?i)(warning|error)\b", line) or re.match(r"^\W*\[\s*\S+:\d+:\d+\s*\]", line)]
    summary = [line for line in lines if re.match(r"(?i)(aborted|\d+ issues? found)", line)]
    return "; ".join(wanted + summary or [line for line in lines if line][-5:]) or "no message"


def command(engine: str) -> list[str]:
    """The command line that builds `mkdocs.yml` in the current folder."""
    if engine == "material":
        # not --quiet: it hides the warnings that strict mode counts
        return [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", "mkdocs.yml"]
    if engine == "zensical":
        found = shutil.which("zensical", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                               os.environ.get("PATH", "")]))
        if found is None:
            raise OutputError("the zensical engine is not installed (pip install zensical)")
        return [found, "build", "--strict", "--config-file", "mkdocs.yml"]
    raise OutputError(f"unknown site engine {engine!r}: choose one of {', '.join(ENGINES)}")


def start(engine: str, work: Path, site_dir: Path, source_date: int) -> Running:
    """Start building the docs tree and mkdocs.yml in `work` into `site_dir`."""
    args = command(engine)
    if engine == "material":
        args += ["--site-dir", str(site_dir)]
    else:
        shutil.rmtree(work / "site", ignore_errors=True)
    environ = {**os.environ, "SOURCE_DATE_EPOCH": str(source_date), "NO_MKDOCS_2_WARNING": "1",
               "PYTHONHASHSEED": "0", "NO_COLOR": "1"}
    process = subprocess.Popen(args, cwd=work, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, encoding="utf-8", errors="replace")
    return Running(engine, process, work, site_dir)
