"""PDF workers: rendering one unit of HTML, and the first worker, started as soon as a build
knows it has work to do.

Kept free of heavy imports on purpose: the worker is forked while the main process is still
small, before the program is loaded, and imports WeasyPrint (half a second) and the printing
module while the main process validates the program and starts MkDocs. One worker only: on a
small machine more processes importing at once just share the cores. `printing.Pending` starts
the rest when it knows how many documents are to be rendered.
"""

from __future__ import annotations

import gc
import importlib
import os
import re
import struct
import subprocess
import sys
import types
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import FetchError, MentorkitError

if TYPE_CHECKING:  # multiprocessing is imported only when work goes to other processes
    from concurrent.futures import ProcessPoolExecutor

PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
# what WeasyPrint renders: a label (for progress and tests), HTML, base_url, allowed roots, forms
Unit = tuple[str, str, str, list[str], bool]
Layout = tuple[int, dict[str, int]]  # pages, and the page (from 0) of each anchor


def _ldconfig_lookup() -> Callable[[str], str | None] | None:
    """`ctypes.util.find_library` as far as its first step goes, with `ldconfig -p` run once.

    WeasyPrint loads each of its libraries by trying a list of names, Windows and macOS names
    first. Every name that does not load makes cffi call `find_library`, which on Linux runs
    `ldconfig -p`, then `gcc` and `ld` (17 misses, 0.15-0.2 s of the 0.5 s WeasyPrint's import
    takes). The list always reaches the library's Linux file name (`libpango-1.0.so.0`), which the
    dynamic loader opens itself, so answering from the `ldconfig` cache alone (the very lookup
    `find_library` makes first, same pattern) loads the same libraries. None when this is not
    Linux or `ldconfig` cannot be run: then nothing is changed.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        listing = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, timeout=10, check=False,
                                 env={"LC_ALL": "C", "LANG": "C"}).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    if not listing:
        return None
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
           "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}.get(machine, "libc6")

    def lookup(name: str) -> str | None:
        found = re.search(rb"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(os.fsencode(name)), abi.encode()), listing)
        return os.fsdecode(found.group(1)) if found else None

    return lookup


@contextmanager
def imports() -> Iterator[None]:
    """Around big imports: no cyclic garbage collection while they run, and what they made is set
    aside from later collections (`gc.freeze`).

    An import makes hundreds of thousands of objects that live as long as the process, and the
    collector scanned them again and again as they were made: 15% of WeasyPrint's import.
    Nothing is set aside when nothing was imported (a preview's rebuilds, all imported before).
    """
    enabled, modules = gc.isenabled(), len(sys.modules)
    gc.disable()
    try:
        yield
    finally:
        if len(sys.modules) > modules:
            gc.freeze()
        if enabled:
            gc.enable()


# Modules WeasyPrint imports at once but uses only for fonts mentorkit's printables rarely meet:
# fontTools' subsetter (a fallback when HarfBuzz cannot subset a font) and its variable-font
# instancer (variable fonts), with the names WeasyPrint takes from them. A fifth of its import.
DEFERRED = (("fontTools.subset", ()), ("fontTools.varLib.instancer", ("instantiateVariableFont",)))


def deferred(name: str, functions: tuple[str, ...] = ()) -> types.ModuleType:
    """A stand-in for module `name`, put in sys.modules while another module is imported: the real
    module is imported the first time anything of it is used (an attribute, or one of
    `functions`, which the importer takes by name: they are stand-ins that call the real ones)."""
    stub = types.ModuleType(name)

    def real() -> types.ModuleType:
        if sys.modules.get(name) is stub:
            del sys.modules[name]
        return importlib.import_module(name)

    def __getattr__(attr: str) -> Any:  # noqa: N807 - a module's own __getattr__ (PEP 562)
        if attr.startswith("__"):  # the import system asking what kind of module this is
            raise AttributeError(attr)
        return getattr(real(), attr)

    setattr(stub, "__getattr__", __getattr__)  # noqa: B010
    for function in functions:
        def call(*args: Any, _function: str = function, **kwargs: Any) -> Any:
            return getattr(real(), _function)(*args, **kwargs)

        call.__name__ = call.__qualname__ = function
        setattr(stub, function, call)
    return stub


@contextmanager
def _deferring(modules: tuple[tuple[str, tuple[str, ...]], ...]) -> Iterator[None]:
    stubs = {name: deferred(name, functions) for name, functions in modules if name not in sys.modules}
    sys.modules.update(stubs)
    try:
        yield
    finally:
        for name, stub in stubs.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]


# where WeasyPrint's workers keep what later processes can reuse: its parsed C declarations
# (`cdefs`) and compressed fonts (`deflate`); set by a build that has a cache folder, before any
# worker is forked. None: nothing is kept (fonts are still compressed once per process).
KEPT: Path | None = None


def keep(folder: Path | None) -> None:
    """Keep what WeasyPrint's import and renders can reuse under `folder` (None: do not), for this
    process and the processes forked from it."""
    global KEPT  # noqa: PLW0603 - read by every process forked after this
    KEPT = folder


def load_weasyprint() -> None:
    """Import WeasyPrint (once per process), its libraries looked up by `_ldconfig_lookup`, the
    modules in `DEFERRED` imported only when first used, its C declarations read from `KEPT` when
    they were kept there (`cdefs`), and the fonts it embeds compressed once (`deflate`).

    Should that import fail, it is tried again the usual way, so these shortcuts can only save
    time, never make WeasyPrint unavailable.
    """
    if "weasyprint" in sys.modules:
        return
    import ctypes.util

    from .cdefs import declarations

    with imports():
        lookup, usual = _ldconfig_lookup(), ctypes.util.find_library
        try:
            with _deferring(DEFERRED), declarations(KEPT / "cffi" if KEPT is not None else None):
                if lookup is not None:
                    setattr(ctypes.util, "find_library", lookup)  # noqa: B010 - for the length of the import only
                import weasyprint  # noqa: F401
                _remember_fonts()
                return
        except Exception:  # noqa: BLE001 - tried again below, the usual way, where it fails for real
            for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
                del sys.modules[name]
        finally:
            ctypes.util.find_library = usual
        import weasyprint  # noqa: F401, F811
        _remember_fonts()


def _remember_fonts() -> None:
    import pydyf

    from . import deflate

    if getattr(pydyf, "zlib", None) is zlib:
        pydyf.zlib = deflate.stand_in(KEPT / "deflate" if KEPT is not None else None)


def render(unit: Unit) -> tuple[str, bytes, Layout]:
    """One HTML document -> PDF bytes and its layout (in a worker process, or in-process)."""
    load_weasyprint()
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
    load_weasyprint()  # for its side effect: ready before the first document
    import weasyprint.urls  # noqa: F401

    from . import fetch  # noqa: F401


def _ready() -> bool:
    return True


def start_warm(jobs: int | None) -> ProcessPoolExecutor | None:
    """A forked one-worker pool already importing WeasyPrint; None when PDFs render in-process."""
    if not parallel(jobs):
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

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


def parallel(jobs: int | None) -> bool:
    """Whether work goes to other processes: more than one job, and processes can be forked."""
    import multiprocessing

    return (jobs or os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


def _child(send: Any, fn: Callable[..., Any], args: tuple[Any, ...], nice: int,
           ready: Callable[[], Any] | None = None, orders: Any = None) -> None:
    try:
        if nice:
            os.nice(nice)
        if ready is not None:
            ready()
        if orders is not None:
            try:
                args, environ = orders.recv()
            except EOFError:  # the parent went on without this step (its build failed)
                return
            os.environ.update(environ)
        send.send(("ok", fn(*args)))
    except MentorkitError as exc:  # sent as its class and problems: its own pickling would flatten them
        send.send(("error", (type(exc), exc.problems)))
    except BaseException:  # noqa: BLE001 - a bug: its traceback goes to the parent
        import traceback

        send.send(("crash", traceback.format_exc()))


class Forked:
    """`fn(*args)` run in a forked child process while this one goes on (MkDocs builds the site
    while the PDFs are joined). `result()` waits and returns what `fn` returned, or raises the
    MentorkitError it raised. As a context manager, leaving early stops the child, so it never
    writes into a folder that is being cleaned up. The child ends with `os._exit`, as forked
    children of `multiprocessing` do: it never runs the parent's `finally` blocks or exit handlers.

    The parent may already run a worker pool's threads (Python 3.12+ warns about forking then, as
    a DeprecationWarning hidden by default). Those threads only pass work to the PDF workers; the
    child takes none of their locks, and the locks it does take (logging, imports, malloc) are
    reset in a forked child.

    With `nice`, the child runs at that much lower a priority: work that is not on the longest
    path of a build (the site, beside the PDFs) then takes the cores only when they are free.

    With `later`, the child is forked before its arguments are known: it runs `ready()` (its
    imports) at once, then waits for `start(*args)`. MkDocs' process is forked as a build starts,
    and imports MkDocs while this process loads the program.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any, nice: int = 0, ready: Callable[[], Any] | None = None,
                 later: bool = False):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        orders: Any = None
        self._orders: Any = None
        if later:
            orders, self._orders = context.Pipe(duplex=False)
        self._process = context.Process(target=_child, args=(send, fn, args, nice, ready, orders), daemon=True)
        self._process.start()
        send.close()
        if orders is not None:
            orders.close()
        self._outcome: tuple[str, Any] | None = None

    def lower_priority(self, by: int) -> None:
        """Run the child at `by` lower a priority than this process from now on."""
        try:
            os.setpriority(os.PRIO_PROCESS, self._process.pid or 0, min(os.getpriority(os.PRIO_PROCESS, 0) + by, 19))
        except (OSError, AttributeError):  # the child has ended; or no priorities here
            pass

    def start(self, *args: Any, environ: dict[str, str] | None = None) -> None:
        """With `later`: the child, forked early and made `ready` (its imports done), now runs
        `fn(*args)` with `environ` added to its environment (set here after it was forked)."""
        assert self._orders is not None, "start() is for a step forked with later=True"
        try:
            self._orders.send((args, environ or {}))
        except OSError:  # the child has ended already: result() tells why
            pass
        self._orders.close()

    def result(self) -> Any:
        if self._outcome is None:
            try:
                self._outcome = self._receive.recv()
            except EOFError:
                self._outcome = ("crash", f"the child process ended with exit code {self._process.exitcode}")
            self._process.join()
        kind: str = self._outcome[0]
        value: Any = self._outcome[1]
        if kind == "error":
            cls, problems = value
            raise cls(problems)
        if kind == "crash":
            raise RuntimeError(f"a forked build step failed:\n{value}")
        return value

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()
        if self._orders is not None:
            self._orders.close()
