"""PDF workers: rendering one unit of HTML, and the first worker, started as soon as a build
knows it has work to do.

Kept free of heavy imports on purpose: the worker is forked while the main process is still
small, before the program is loaded, and imports WeasyPrint (half a second) and the printing
module while the main process validates the program and starts MkDocs. One worker only: on a
small machine more processes importing at once just share the cores. `printing.Pending` starts
the rest when it knows how many documents are to be rendered.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .errors import FetchError

PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
# what WeasyPrint renders: a label (for progress and tests), HTML, base_url, allowed roots, forms
Unit = tuple[str, str, str, list[str], bool]
Layout = tuple[int, dict[str, int]]  # pages, and the page (from 0) of each anchor


def render(unit: Unit) -> tuple[str, bytes, Layout]:
    """One HTML document -> PDF bytes and its layout (in a worker process, or in-process)."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from .fetch import make_fetcher

    label, html, base_url, roots, forms = unit
    fetcher = make_fetcher([Path(r) for r in roots])
    options = {"pdf_forms": forms, **PDF_OPTIONS}  # forms and tags are decided at layout time
    try:
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(**options)
        anchors = {name: i for i, page in reversed(list(enumerate(document.pages))) for name in page.anchors}
        return label, document.write_pdf(**options), (len(document.pages), dict(sorted(anchors.items())))
    except FatalURLFetchingError as exc:
        raise FetchError(f"{label}: {exc}") from None


def _warm_up() -> None:
    import weasyprint  # noqa: F401 - imported for its side effect: ready before the first document
    import weasyprint.urls  # noqa: F401

    from . import fetch  # noqa: F401


def _ready() -> bool:
    return True


def start_warm(jobs: int | None) -> ProcessPoolExecutor | None:
    """A forked one-worker pool already importing WeasyPrint; None when PDFs render in-process."""
    if (jobs or os.cpu_count() or 1) <= 1:
        return None
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"), initializer=_warm_up)
    pool.submit(_ready)  # with fork, the first task starts the worker
    return pool


def stop(pool: ProcessPoolExecutor | None) -> None:
    """Stop a pool's workers at once (their results are in, or the build failed); no waiting for
    an idle worker to finish importing WeasyPrint."""
    if pool is None:
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
