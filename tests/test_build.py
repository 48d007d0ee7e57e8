"""Whole builds: byte-identical output, nothing lost when a build dies, no network, a valid calendar, preview."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, copy_reference

from mentorkit.build import build
from mentorkit.errors import OutputError
from mentorkit.output import MARKER

pytestmark = pytest.mark.slow


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def offline_build(tmp_path_factory) -> tuple[Path, Path, list[object]]:
    """The reference program built into site/ from a fresh folder (nothing cached) with every
    connection but to this machine, and every name lookup, refused. The folder it was built in, a
    copy of that folder as the build left it (read only), and the connections tried."""
    folder = tmp_path_factory.mktemp("offline")
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def guarded(self, address):  # type: ignore[no-untyped-def]
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "::1", "localhost") and not str(host).startswith("/"):
            attempts.append(address)
            raise OSError("network disabled in this test")
        return real_connect(self, address)

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # dated from the program's start
        monkeypatch.setattr(socket.socket, "connect", guarded)
        monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(OSError("no DNS")))
        program = copy_reference(folder)
        build(program, folder / "site", jobs=0)
    kept = folder.with_name(f"{folder.name}-as-built")
    shutil.copytree(folder, kept, symlinks=True)
    return folder, kept, attempts


@pytest.fixture
def built(offline_build) -> Path:
    """The program.yml of a folder just as `build(program, folder / "site", jobs=0)` of the
    reference left it (its files, the output in site/, the cache), in the folder it was built in
    (the cache's PDFs are kept for that folder): put back before each test that uses it."""
    folder, kept, _ = offline_build
    shutil.rmtree(folder)
    shutil.copytree(kept, folder, symlinks=True)
    return folder / "program.yml"


def test_two_builds_are_byte_identical(built, tmp_path, monkeypatch):
    """Two folders, each built from nothing with its own cache, at different times: the same
    bytes, from Material and then from Zensical. Material's PDFs are laid out in the build's own
    process in one folder (`built`'s, jobs=0) and by two workers in the other (built here).
    Zensical's builds take the PDFs each folder's cache kept from its Material build (which gives
    the very bytes of a build without it: test_cache.py); the site each engine builds from nothing."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # as `built` was built
    first, second = copy_reference(tmp_path / "a"), built
    build(first, tmp_path / "a" / "material", jobs=2)
    build(first, tmp_path / "a" / "zensical", jobs=1, engine="zensical")
    time.sleep(1.1)  # a different wall-clock second must not show in the output
    build(second, second.parent / "zensical", jobs=2, engine="zensical")
    outputs = {"material": (tmp_path / "a" / "material", second.parent / "site", "search/search_index.json"),
               "zensical": (tmp_path / "a" / "zensical", second.parent / "zensical", "search.json")}
    for engine, (one, other, index) in outputs.items():
        a, b = digest(one), digest(other)
        assert a.keys() == b.keys()
        assert [name for name in a if a[name] != b[name]] == [], engine
        assert {"sitemap.xml", index, "calendar.ics", "print/workbook-mentee.pdf"} <= a.keys()
        for out, folder in ((one, tmp_path / "a"), (other, second.parent)):
            for path in out.rglob("*"):
                if path.is_file() and path.suffix in (".html", ".json", ".xml", ".ics"):
                    assert str(folder) not in path.read_text(encoding="utf-8"), f"absolute path in {path.name}"


@pytest.fixture(scope="module")
def dated(tmp_path_factory) -> Path:
    """The reference program, with a site URL (the sitemap lists its pages), built with
    SOURCE_DATE_EPOCH=1800000000 as `mentorkit serve` builds: in one process, a build after each
    edit, its fork server kept. Built into preview/, then a survey question reworded and built
    again (a worker per core); then the edited program built without the cache, by one worker, into
    clean/. The folder."""
    folder = tmp_path_factory.mktemp("dated")
    program = copy_reference(folder)
    program.write_text(program.read_text() + "site:\n  url: https://mentoring.northwind.example/\n")
    script = (
        "import sys\nfrom pathlib import Path\nfrom mentorkit.build import build\n"
        "p = Path(sys.argv[1])\nbuild(p, sys.argv[2])\n"
        "p.write_text(p.read_text().replace('as often as you agreed', 'as often as you planned'))\n"
        "build(p, sys.argv[2])\n")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # 2027-01-15
        subprocess.run([sys.executable, "-c", script, str(program), str(folder / "preview")], check=True, cwd=ROOT)
        build(program, folder / "clean", jobs=1, use_cache=False)
    return folder


def test_source_date_epoch_sets_the_dates(dated):
    for site in (dated / "clean", dated / "preview"):
        assert b"DTSTAMP:20270115T080000Z" in (site / "calendar.ics").read_bytes()
        assert "<lastmod>2027-01-15</lastmod>" in (site / "sitemap.xml").read_text()


def test_killed_build_leaves_previous_output_byte_identical(built):
    program = built
    folder = program.parent
    out = folder / "site"
    before = digest(out)
    # the summary: on the home page and in the handbook's opening chapter, so the build after the kill is short
    program.write_text(program.read_text().replace("Early-career colleagues mentor", "Changed summary. Colleagues mentor"))
    proc = subprocess.Popen([sys.executable, "-m", "mentorkit", "build", str(program), "-o", str(out), "-j", "1"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(folder.glob(".mentorkit-staging-site-*")):
        time.sleep(0.02)
    assert list(folder.glob(".mentorkit-staging-site-*")), "the build never started writing"
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert digest(out) == before
    build(program, out, jobs=0)  # the next build cleans up and succeeds
    assert "Changed summary. Colleagues mentor" in (out / "index.html").read_text()
    assert not list(folder.glob(".mentorkit-staging-*"))


def test_failed_build_writes_nothing(built):
    program = built
    folder = program.parent
    before = digest(folder / "site")
    (folder / "templates" / "site").mkdir(parents=True)
    (folder / "templates" / "site" / "faq.md.j2").write_text("{{ no_such_variable }}")
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        build(program, folder / "site", jobs=0)
    assert digest(folder / "site") == before
    assert MARKER in before


def test_site_error_in_a_parallel_build_reports_and_keeps_the_old_output(built):
    program = built  # the same output and cache for any number of jobs
    folder = program.parent
    before = digest(folder / "site")
    charter = folder / "content" / "charter.md"
    charter.write_text(charter.read_text() + "\nSee [the missing page](missing.md).\n")
    for engine, said in (("material", "pages/charter.md.*missing.md"),
                         ("zensical", "page does not exist; at pages/charter.md:17:24")):
        with pytest.raises(OutputError, match=rf"could not be built \({engine}\): .*{said}"):
            build(program, folder / "site", jobs=2, engine=engine)  # the engine runs in its own process
        assert digest(folder / "site") == before
        assert not list(folder.glob(".mentorkit-staging-*"))


def test_rebuilds_in_one_process_match_a_clean_build(dated):
    # what `mentorkit serve` does: one process, a build after each edit (its fork server kept)
    assert "as often as you planned" in (dated / "clean" / "surveys.html").read_text()
    assert digest(dated / "preview") == digest(dated / "clean")


def test_no_network_during_a_build(offline_build):
    _, kept, attempts = offline_build  # a build from nothing: WeasyPrint and the engine ran
    assert attempts == []
    for html_file in (kept / "site").rglob("*.html"):
        text = html_file.read_text()
        assert "fonts.googleapis.com" not in text and "cdn.jsdelivr" not in text and "unpkg.com" not in text


def test_calendar_is_valid_and_stable(offline_build):
    from icalendar import Calendar

    _, kept, _ = offline_build
    raw = (kept / "site" / "calendar.ics").read_bytes()
    cal = Calendar.from_ical(raw)
    assert cal["METHOD"] == "PUBLISH" and cal["VERSION"] == "2.0" and "PRODID" in cal
    events = list(cal.walk("VEVENT"))
    meetings = [e for e in events if str(e["UID"]).startswith("northwind-reverse-2027-meeting-")]
    assert len(meetings) == 17
    assert len({str(e["UID"]) for e in events}) == len(events)
    assert all("DTSTAMP" in e for e in events)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    assert meetings[4].decoded("DTSTART").isoformat() == "2027-03-30T10:00:00+01:00"
    deadlines = [str(e["SUMMARY"]) for e in events if "deadline" in str(e["UID"])]
    assert "Goal deadline: Lead a strategy workstream" in deadlines
    assert b"\r\n" in raw and all(len(line) <= 75 for line in raw.split(b"\r\n"))


def test_serve_binds_loopback_and_refuses_traversal(built):
    program = built  # its first preview comes from the cache; the edit below is built again
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "mentorkit", "serve", str(program), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        import urllib.error
        import urllib.request

        deadline = time.monotonic() + 60
        while True:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=5).read()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):  # not listening yet, or building
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        assert b"Reverse Mentoring Programme 2027" in body
        for path in ["/../program.yml", "/%2e%2e/program.yml", "/..%2f..%2fetc/passwd", "/print/../../program.yml"]:
            with socket.create_connection(("127.0.0.1", port)) as conn:
                conn.sendall(f"GET {path} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
                response = b""
                while chunk := conn.recv(65536):
                    response += chunk
            assert response.split(b"\r\n")[0].split()[1] == b"404", (path, response[:100])
        # listening sockets on our port: only 127.0.0.1 (0100007F in /proc/net/tcp), none in tcp6
        # editing program.yml rebuilds the preview
        program.write_text(program.read_text().replace("Early-career colleagues mentor", "Edited while serving"))
        deadline = time.monotonic() + 60
        while True:
            try:  # a request waits while the preview rebuilds
                if b"Edited while serving" in urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html",
                                                                     timeout=10).read():
                    break
            except TimeoutError:
                pass
            assert time.monotonic() < deadline, "the preview did not rebuild"
            time.sleep(0.5)
        listening = [line.split()[1] for name in ("/proc/net/tcp", "/proc/net/tcp6")
                     for line in Path(name).read_text().splitlines()[1:]
                     if line.split()[3] == "0A" and line.split()[1].endswith(f":{port:04X}")]
        assert listening == [f"0100007F:{port:04X}"], listening
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()
