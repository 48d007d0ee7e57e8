"""Worker processes: the same PDFs from a pool as in this process, errors that keep their problems."""

from __future__ import annotations

import pytest

from mentorkit.errors import FetchError
from mentorkit.resources import package_dirs
from mentorkit.workers import Pool, Unit, render

HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test</title>
<meta name="dcterms.created" content="2027-01-01T00:00:00Z"></head>
<body><h1 id="top">A page</h1><p style="break-before: page" id="second">Another page</p></body></html>"""


def _unit(html: str = HTML, label: str = "test") -> Unit:
    return Unit(label, html, "file:///nowhere/", tuple(str(p) for p in package_dirs()), False)


def _pages(rendered):
    return rendered.pages, rendered.anchors


@pytest.mark.slow
def test_a_pool_renders_the_same_bytes_as_this_process():
    here = render(_unit())
    with Pool(2) as pool:
        there = [f.result() for f in [pool.submit(render, _unit()) for _ in range(3)]]
    assert all(r.pdf == here.pdf for r in there)
    assert _pages(here) == (2, {"second": 1, "top": 0})


@pytest.mark.slow
def test_an_error_in_a_worker_reaches_the_caller_with_its_message():
    bad = _unit(HTML.replace("<body>", '<body><img src="https://example.org/x.png">'), label="bad.pdf")
    for jobs in (0, 1, 2):
        with Pool(jobs) as pool, pytest.raises(FetchError, match="bad.pdf: refused to fetch 'https://example.org"):
            pool.submit(render, bad).result()


def test_no_workers_runs_in_this_process_and_one_worker_in_another():
    """jobs=0 lays out in the caller's process; jobs=1 is one worker process, which lays out while
    the caller goes on writing HTML."""
    import os

    with Pool(0) as pool:
        assert pool.submit(os.getpid).result() == os.getpid()
    with Pool(1) as pool:
        assert pool.submit(os.getpid).result() != os.getpid()


def test_with_one_worker_the_joins_run_here_beside_it():
    """A join is run by the build's own process when there is a single worker, which meanwhile
    goes on laying out; with more workers (or none) it is a task like the others."""
    import os

    with Pool(1) as pool:
        assert pool.beside(os.getpid) == os.getpid()
    with Pool(2) as pool:
        assert pool.beside(os.getpid) != os.getpid()
    with Pool(0) as pool:
        assert pool.beside(os.getpid) == os.getpid()


def test_a_free_worker_takes_what_others_wait_for_first_then_the_heaviest():
    """Tasks wait in the pool until a worker is free: then the urgent first (a join, the contents
    laid out with the others' page numbers), then the longest, then in the order asked; the
    documents laid out whole, which nothing waits for, after all of them."""
    import time

    with Pool(1) as pool:
        busy = pool.submit(time.sleep, 0.5, urgent=True, weight=10**9)  # the one worker, taken meanwhile
        asked = {"whole": pool.submit(time.monotonic_ns, last=True, weight=10**6),
                 "light": pool.submit(time.monotonic_ns, weight=10),
                 "heavy": pool.submit(time.monotonic_ns, weight=1000),
                 "urgent": pool.submit(time.monotonic_ns, urgent=True),
                 "light too": pool.submit(time.monotonic_ns, weight=10),
                 "whole, lighter": pool.submit(time.monotonic_ns, last=True, weight=10)}
        busy.result()
        ran = sorted(asked, key=lambda name: asked[name].result())
    assert ran == ["urgent", "heavy", "light", "light too", "whole", "whole, lighter"]
