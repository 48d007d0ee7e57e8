"""The orchestrating build: one line per stage, typed values passed from one to the next."""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import engines
from .cache import Cache, tree_digest
from .errors import Problem
from .output import staged, write_files
from .paths import referenced_files, resolve_inside
from .plan import CALENDAR, PRINT_DIR
from .resources import builtin_dir
from .stamp import last_commit_time, source_date_epoch

if TYPE_CHECKING:
    from .project import Project
    from .workers import Pool


@dataclass(frozen=True)
class BuildOptions:
    """How to build: what the command line or the caller asked for."""

    jobs: int | None = None  # worker processes rendering PDFs (None: one per core; 0: this process renders)
    strict: bool = False  # warnings are errors
    changelog: bool | None = None  # a "What changed" page (None: as program.yml says)
    engine: str | None = None  # site engine (None: as program.yml says, else Material)
    use_cache: bool = True


@dataclass(frozen=True)
class BuildResult:
    """What a build made."""

    out: Path
    files: int
    warnings: tuple[Problem, ...]
    cached: bool = False


def build(program: str | Path = "program.yml", out: str | Path = "site", *, jobs: int | None = None,
          strict: bool = False, changelog: bool | None = None, engine: str | None = None,
          use_cache: bool = True) -> BuildResult:
    """Build the handbook site, printables and calendar of `program` into `out`, atomically.

    Work whose inputs did not change is reused from the cache beside program.yml: the whole
    output when nothing changed, else the site and each piece of the PDFs that did not change.
    The output is the same bytes either way, and for any number of jobs.
    """
    program, out = Path(program), Path(out)
    options = BuildOptions(jobs, strict, changelog, engine, use_cache)
    cache = Cache.beside(program, use_cache)
    given = source_date_epoch() or (last_commit_time(program) if program.is_file() else None)
    key = whole_build_key(cache, program, options, given)
    done = _from_cache(cache, key, out, program) if key else None
    if done is not None:
        return done
    from .workers import Pool

    with Pool(jobs) as pool:  # first: its workers load WeasyPrint while the build's modules are imported
        return _build(program, out, options, cache, given, key, pool)


def _build(program: Path, out: Path, options: BuildOptions, cache: Cache | None, given: datetime | None,
           key: str | None, pool: Pool) -> BuildResult:
    """The build itself: load, plan, render the site, PDFs and calendar, write."""
    from . import ics, kit, printing, site
    from .context import Context
    from .plan import documents
    from .project import load_program
    from .runbook import ORGANISER_CALENDAR, RUNBOOK_PDF
    from .stamp import build_date

    with engines.Prepared(options.engine) as prepared, \
            tempfile.TemporaryDirectory(prefix="mentorkit-docs-") as work:
        project = load_program(program, strict=options.strict)  # load -> validate -> defaults -> timeline
        stamp = build_date(given, project.program.program.starts)  # the one build date
        context = Context.of(project, stamp, documents(project.program))  # what every template sees
        bytecode = cache.folder("jinja") if cache is not None else None
        docs = site.write_docs(project, context, Path(work), CALENDAR, _history(project, options), bytecode)
        with staged(out, project.root) as stage:
            engine = options.engine or project.program.site.engine
            site_job = _start_site(cache, engine, docs.config, stage, stamp, prepared, bytecode)  # builds while PDFs render
            try:
                checklist = kit.runbook_pdf(project, context, pool, cache, bytecode)  # the team's, beside the rest
                # made while the workers start, not after the PDFs, when this process alone is working
                calendars = {CALENDAR: ics.calendar_bytes(project, stamp),
                             ORGANISER_CALENDAR: ics.organiser_bytes(project, stamp)}
                pdfs = printing.render(project, context, pool=pool, cache=cache, bytecode=bytecode,
                                       site_pages=docs.book_pages())
                team = {RUNBOOK_PDF: checklist()}
                site_job.wait()
            finally:
                site_job.stop()
            if options.strict:  # what `terms:` could not write, heard as the texts were made, is a warning too
                from .i18n import strict_terms
                strict_terms(project.program, project.located)
            write_files(stage, {**calendars, **team, **{f"{PRINT_DIR}/{name}": data for name, data in pdfs.items()}})
            count = sum(1 for p in stage.rglob("*") if p.is_file())
            _remember(cache, key, stage, project, changelog=_wants_changelog(project, options))
    if cache is not None:
        cache.prune()
    return BuildResult(out, count, project.warnings)


def _wants_changelog(project: Project, options: BuildOptions) -> bool:
    return bool(options.changelog if options.changelog is not None else project.program.site.changelog)


def _history(project: Project, options: BuildOptions) -> list[Any] | None:
    """The program's versions from git, when a "What changed" page is wanted."""
    if not _wants_changelog(project, options):
        return None
    from .versions import history

    return list(history(project.path))


class _SiteJob:
    """The site: built by its engine in another process, or copied from the cache. A thread
    waits for the engine and keeps its site in the cache as soon as it is done, while the PDFs
    are still rendering."""

    def __init__(self, running: engines.Running | None, done: Path | None, cache: Cache | None, key: str | None):
        self.running, self.done, self.cache, self.key = running, done, cache, key
        self.failed: BaseException | None = None
        self.thread: threading.Thread | None = None
        if running is not None:
            self.thread = threading.Thread(target=self._collect, args=(running,), daemon=True)
            self.thread.start()

    def _collect(self, running: engines.Running) -> None:
        try:
            running.wait()
            if self.cache is not None and self.key is not None:
                self.cache.put_tree("site", self.key, running.site_dir)
        except BaseException as exc:  # noqa: BLE001 - raised again by wait(), in the build's thread
            self.failed = exc

    def wait(self) -> None:
        """Until the site is built (and kept); what went wrong is raised here."""
        if self.thread is not None:
            self.thread.join()
        if self.failed is not None:
            raise self.failed

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()
        if self.thread is not None:
            self.thread.join()


def _start_site(cache: Cache | None, engine: str, config: Path, stage: Path, stamp: datetime,
                prepared: engines.Prepared, bytecode: Path | None) -> _SiteJob:
    """Start building the site into `stage`, unless the same docs tree was built before."""
    key = cache.key("site", engine, tree_digest(config.parent), stamp.isoformat()) if cache is not None else None
    if cache is not None and key is not None and cache.get_tree("site", key, stage):
        return _SiteJob(None, stage, cache, key)
    running = engines.start(engine, config.parent, stage, int(stamp.timestamp()), prepared, bytecode)
    return _SiteJob(running, None, cache, key)


def whole_build_key(cache: Cache | None, program: Path, options: BuildOptions, given: datetime | None) -> str | None:
    """A key for the entire output, from the raw inputs alone: program.yml's bytes, the content and
    template folders, the options, the build date. Nothing is parsed. The files program.yml
    names (logo, extra pages) are known only once it is read, so the entry kept under this key
    lists them with their hashes, and is used only while they are unchanged (`_from_cache`).

    None without a cache, or when the output depends on more than the files (a changelog reads
    git history; the engine or the changelog setting may come from program.yml, which is hashed).
    """
    if cache is None or not program.is_file() or options.changelog:
        return None
    from .i18n import locales_dir, team_catalogues

    root = program.resolve().parent
    parts: list[bytes | str] = [program.read_bytes(), str(options.strict), str(options.changelog),
                                str(options.engine), given.isoformat() if given else "program-start"]
    for folder in (builtin_dir("content"), builtin_dir("templates"), locales_dir(), root / "content",
                   root / "templates"):
        parts.append(tree_digest(folder) if folder.is_dir() else "-")
    return cache.key("build", *parts, *team_catalogues(root))


def _file_hash(root: Path, value: str) -> str | None:
    path, _ = resolve_inside(root, value)
    if path is None or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _remember(cache: Cache | None, key: str | None, stage: Path, project: Project, changelog: bool) -> None:
    """Keep the whole output under the whole-build key, with the files program.yml names and
    their hashes, and the warnings; never an output made from git history."""
    if cache is None or key is None or changelog:
        return
    named = {value: _file_hash(project.root, value) for _, value in referenced_files(project.program)}
    if any(sha is None for sha in named.values()):
        return
    cache.put_tree("build", key, stage)
    entry = {"named": dict(sorted(named.items())), "warnings": [w.as_dict() for w in project.warnings]}
    cache.put("build", f"{key}.json", json.dumps(entry, sort_keys=True).encode())


def _from_cache(cache: Cache | None, key: str, out: Path, program: Path) -> BuildResult | None:
    """The output of an earlier build with the same key, while the files it names are unchanged."""
    if cache is None:
        return None
    raw = cache.get("build", f"{key}.json")
    if raw is None:
        return None
    root = program.resolve().parent
    try:
        entry = json.loads(raw)
        if any(_file_hash(root, value) != sha for value, sha in entry["named"].items()):
            return None  # a logo or page that program.yml names has changed
        warnings = tuple(Problem(**w) for w in entry["warnings"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not cache.has_tree("build", key):
        return None
    with staged(out, root) as stage:
        cache.get_tree("build", key, stage)
        count = sum(1 for p in stage.rglob("*") if p.is_file())
    return BuildResult(out, count, warnings, cached=True)
