"""Worker processes: print HTML -> PDF bytes, pieces joined into PDFs, and the pool that runs
many such tasks at once.

One document does not get faster with more cores; many documents do, so each unit of print
HTML is rendered in its own task, and each PDF is joined in its own (in a worker, or beside a
single worker in the build's own process, which would otherwise only wait). Workers come from a
fork server that has imported WeasyPrint and the join once (`multiprocessing`'s public
`set_forkserver_preload`): each worker starts with them loaded, and a process that builds again
and again (`mentorkit serve`) keeps that server between builds. The tasks live here, with what
they need and no more, so that a worker never imports the rest of mentorkit to run one.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import logging
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path
from typing import Any, TypeVar

from .errors import FetchError

log = logging.getLogger("mentorkit")
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
T = TypeVar("T")


@dataclass(frozen=True)
class Unit:
    """What WeasyPrint renders: print HTML, where its relative links point, what it may read."""

    label: str  # for progress, errors and tests
    html: str
    base_url: str
    roots: tuple[str, ...]  # folders whose files the HTML may use (the program's, the package's)
    forms: bool  # fillable form fields


@dataclass(frozen=True)
class Rendered:
    """A rendered unit: its PDF, its number of pages and the page (from 0) of each anchor."""

    pdf: bytes
    pages: int
    anchors: dict[str, int]


def render(unit: Unit) -> Rendered:
    """One unit of print HTML -> PDF (in a worker, or in this process)."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from .fetch import make_fetcher

    # forms and tags are decided at layout time; every unit is written compressed, a piece too: it is
    # compressed once, as it is laid out and kept, and the joins that hold it (every rebuild's) copy
    # its streams as they are instead of compressing them again
    options = {"pdf_forms": unit.forms, **PDF_OPTIONS}
    html, styles = _styles_apart(unit.html)
    try:
        sheets = [_stylesheet(text, unit.base_url, unit.roots) for text in styles]
        document = HTML(string=html, base_url=unit.base_url,
                        url_fetcher=make_fetcher([Path(r) for r in unit.roots])).render(stylesheets=sheets,
                                                                                         font_config=_fonts(),
                                                                                         **options)
    except FatalURLFetchingError as exc:
        raise FetchError(f"{unit.label}: {exc}") from None
    anchors = {name: i for i, page in reversed(list(enumerate(document.pages))) for name in page.anchors}
    return Rendered(document.write_pdf(**options), len(document.pages), dict(sorted(anchors.items())))


def join_pieces(parts: Sequence[bytes], numbers: bytes | None, title: str | None, whole: Sequence[Unit],
                cover: bytes | None = None, cover_pages: int = 0, dated: str | None = None) -> bytes:
    """A document's pieces as one PDF with its page numbers, behind its cover when it has one
    (`cover_pages` long, never numbered): one join, one write; `dated`: the document's date (the
    pieces have none). `whole`: the units that lay the same document out in one go (the cover's
    and the body's, or the body's, dated), the way taken, and logged, when the pieces cannot be
    joined."""
    from .pdfjoin import JoinError, join

    base = max(range(len(parts)), key=lambda i: (len(parts[i]), -i))  # the largest part is the base
    before = [*([cover] if cover is not None else []), *parts[:base]]
    try:
        return join(parts[base], before, parts[base + 1:], title=title, numbers=numbers,
                    unnumbered=cover_pages if cover is not None else 0, info_from=0 if cover is not None else None,
                    dated=dated)
    except JoinError as exc:
        log.warning("%s: its pieces could not be joined (%s); laid out as one document instead, more slowly",
                    whole[-1].label, exc)
        if len(whole) > 1:
            return render_together(whole, dated)
        return render(replace(whole[0], html=retitled(whole[0].html, title))).pdf


def join_cover(cover: bytes | Unit, body: bytes, whole: Sequence[Unit]) -> bytes:
    """A cover (a PDF, or a unit to lay out first) in front of a body already joined (a roster's
    workbooks share one body); laid out whole if they cannot be joined."""
    from .pdfjoin import JoinError, join

    if isinstance(cover, Unit):
        cover = render(cover).pdf
    try:
        return join(body, [cover], info_from=0)
    except JoinError as exc:
        log.warning("%s: its cover could not be joined (%s); laid out as one document instead, more slowly",
                    whole[0].label, exc)
        return render_together(whole)


def render_together(units: Sequence[Unit], dated: str | None = None) -> bytes:
    """Several units laid out and written as one PDF (the slow way: no piece is shared), dated
    `dated` if given (else as the first unit is)."""
    from weasyprint import HTML

    from .fetch import make_fetcher

    fetcher = make_fetcher([Path(r) for r in units[0].roots])
    options = {"pdf_forms": units[0].forms, **PDF_OPTIONS}
    laid_out = [HTML(string=u.html, base_url=u.base_url, url_fetcher=fetcher).render(**options) for u in units]
    document = laid_out[-1].copy([page for d in laid_out for page in d.pages])
    document.metadata = laid_out[0].metadata  # the first part's title (a personal cover names the person)
    if dated is not None:
        document.metadata.created = document.metadata.modified = dated
    return document.write_pdf(**options)


_TITLE = re.compile(r"<title>.*?</title>", re.S)


def retitled(html: str, title: str | None) -> str:
    """The HTML with `title` as its document title (None: as it is)."""
    if title is None:
        return html
    return _TITLE.sub(lambda _: f"<title>{escape(title, quote=False)}</title>", html, count=1)


_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def _styles_apart(html: str) -> tuple[str, list[str]]:
    """The HTML without the `<style>` elements of its head, and their texts in order. Every piece
    of a document, and every document of a build, carries the same print stylesheet: parsed once
    per worker (`_stylesheet`) instead of once per unit, it lays out to the very same PDF."""
    end = html.find("</head>")
    if end < 0:
        return html, []
    head = html[:end]
    return _STYLE.sub("", head) + html[end:], _STYLE.findall(head)


@functools.lru_cache(maxsize=64)
def _stylesheet(text: str, base_url: str, roots: tuple[str, ...]) -> Any:
    """A stylesheet parsed by WeasyPrint (its public `CSS`, given to `render` as a user stylesheet:
    mentorkit's print HTML links no other stylesheet and marks nothing !important, so the cascade is
    the same as in the head), kept for the next unit that uses it."""
    from weasyprint import CSS

    from .fetch import make_fetcher

    return CSS(string=text, base_url=base_url, url_fetcher=make_fetcher([Path(r) for r in roots]))


@functools.lru_cache(maxsize=1)
def _fonts() -> Any:
    """The installed fonts as WeasyPrint finds them (its public `FontConfiguration`), gathered once
    per worker and given to every unit it lays out: gathering them for each unit took a tenth of
    the rendering, and the PDFs are the same bytes."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def _relay(outer: Future[Any], inner: Future[Any]) -> None:
    """What a worker's task came to, passed on to the future handed out for it."""
    if inner.cancelled():
        outer.set_exception(CancelledError())
    elif inner.exception() is not None:
        outer.set_exception(inner.exception())
    else:
        outer.set_result(inner.result())


def _ready() -> None:
    """Nothing: a first task, so that a worker starts."""


def _context() -> Any:
    """Fork server where the platform has one (Linux, macOS): workers start with WeasyPrint
    imported; else spawn, which imports it in each worker."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["weasyprint", "mentorkit.fetch", "mentorkit.workers", "mentorkit.pdfjoin"])
        return context
    return multiprocessing.get_context("spawn")


def cores(jobs: int | None) -> int:
    """How many worker processes render: `jobs`, or one per core (None); 0: none, this process renders."""
    return (os.cpu_count() or 1) if jobs is None else max(0, jobs)


class Pool:
    """Renders units in worker processes, or in this process with none (jobs=0: slower, for
    debugging and profiling).

    Started as soon as a build knows it has PDFs to make, so the workers start while the program
    is turned into HTML: even one worker lays out while this process writes the rest of the HTML.
    Tasks wait here, not in the workers' queue, until a worker is free, so that the one handed out
    next is the one that matters most (`submit`). With a single worker, the joins run in this
    process beside it (`beside`). A context manager: leaving it stops the workers.
    """

    def __init__(self, jobs: int | None):
        self.workers = cores(jobs)
        self._executor: ProcessPoolExecutor | None = None
        self._starting: threading.Thread | None = None
        self._lock = threading.Lock()  # guards the waiting tasks, the count running, `_ready`
        self._beside = threading.Lock()  # one task at a time in this process (`beside`)
        self._waiting: list[tuple[int, int, int, Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
        self._order = itertools.count()
        self._running = 0
        self._ready = False
        self._closed = False
        if self.workers > 0:
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=_context())
            # start the workers now, so that WeasyPrint loads while the program is read; from a
            # thread, as starting one waits until the fork server has loaded WeasyPrint
            self._starting = threading.Thread(target=self._start, args=(self._executor,), daemon=True)
            self._starting.start()

    def _start(self, executor: ProcessPoolExecutor) -> None:
        try:
            for _ in range(self.workers):
                executor.submit(_ready)
        finally:
            with self._lock:
                self._ready = True
            self._dispatch()

    def submit(self, fn: Callable[..., T], *args: Any, urgent: bool = False, last: bool = False,
               weight: int = 0, **kwargs: Any) -> Future[T]:
        """Run `fn(*args, **kwargs)` in a worker; in this process, at once, with no workers.

        A free worker takes the urgent tasks first (what other tasks wait for: a join, the pieces
        laid out with the others' page numbers), then the tasks that something will follow (a
        piece, which its document's contents, page numbers and join wait for), and the tasks
        `last` (nothing follows them: a document laid out whole) only then, so that what follows
        the others runs beside them rather than after them. Within each, the heaviest first
        (`weight`, such as the length of a unit's HTML: the longest first keeps every worker
        busy to the end), then the first asked. Never waits for the workers to start: this
        process goes on turning the program into HTML meanwhile."""
        if self.workers == 0:
            done: Future[T] = Future()
            try:
                done.set_result(fn(*args, **kwargs))
            except Exception as exc:  # noqa: BLE001 - handed to whoever asks for the result, as a pool does
                done.set_exception(exc)
            return done
        outer: Future[T] = Future()
        with self._lock:
            if self._closed:  # asked for by a thread of a build that stopped
                outer.set_exception(RuntimeError("the workers have stopped"))
                return outer
            rank = 0 if urgent else 2 if last else 1
            heapq.heappush(self._waiting, (rank, -weight, next(self._order), outer, fn, args, kwargs))
        self._dispatch()
        return outer

    def beside(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(*args, **kwargs)`'s result (a join): run in this process, one at a time, when the
        pool has a single worker, which meanwhile goes on laying out while this process would
        only wait; else an urgent task like the others."""
        if self.workers == 1:
            with self._beside:
                return fn(*args, **kwargs)
        return self.submit(fn, *args, urgent=True, **kwargs).result()

    def _dispatch(self) -> None:
        """Hand waiting tasks to the workers while one is free (never holding the lock while the
        executor takes one: its own thread calls back here when a task ends)."""
        while True:
            with self._lock:
                executor = self._executor
                if executor is None or not self._ready or self._running >= self.workers or not self._waiting:
                    return
                *_, outer, fn, args, kwargs = heapq.heappop(self._waiting)
                if not outer.set_running_or_notify_cancel():
                    continue  # cancelled meanwhile: the build stopped
                self._running += 1
            try:
                inner = executor.submit(fn, *args, **kwargs)
            except RuntimeError as exc:  # shut down meanwhile
                with self._lock:
                    self._running -= 1
                outer.set_exception(exc)
                continue
            inner.add_done_callback(functools.partial(self._ended, outer))

    def _ended(self, outer: Future[Any], inner: Future[Any]) -> None:
        with self._lock:
            self._running -= 1
        self._dispatch()  # the next task first, then the news of this one
        _relay(outer, inner)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            waiting, self._waiting, self._closed = self._waiting, [], True
        for *_, outer, _, _, _ in waiting:
            outer.cancel()  # never handed to a worker: never will be
        if self._starting is not None:
            self._starting.join()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
