"""mentorkit package: the zip opened from disk in Chromium with the network blocked, and the SCORM
package run in Chromium under the scorm-again runtime (npm, tests/scorm/) standing in for an LMS."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import IN_CI, ROOT, chromium_page, copy_reference, serve_folder

from mentorkit.cli import main
from mentorkit.package import manifest, offline_index, package
from mentorkit.project import load_program
from mentorkit.site import PAGES

pytestmark = pytest.mark.slow
SCORM_AGAIN = ROOT / "tests" / "scorm" / "node_modules" / "scorm-again" / "dist"
# the navigation's top level: Home, then each section
NAV = list(dict.fromkeys(section or title for section, title, _ in PAGES))


def need_scorm_again() -> Path:
    """scorm-again's browser builds; skip without them locally, fail without them in CI."""
    if not (SCORM_AGAIN / "scorm12.min.js").is_file():
        if IN_CI:
            pytest.fail("scorm-again is required in CI (.ci/run: npm ci --prefix tests/scorm)")
        pytest.skip("scorm-again not installed (npm ci --prefix tests/scorm)")
    return SCORM_AGAIN


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    return copy_reference(tmp_path_factory.mktemp("ref"))


@pytest.fixture(scope="module", params=["material", "zensical"])
def unzipped(request, reference, tmp_path_factory) -> Path:
    """The reference handbook packaged as a zip by each engine, unzipped."""
    folder = tmp_path_factory.mktemp(f"zip-{request.param}")
    result = package(reference, "zip", folder / "handbook.zip", engine=request.param, jobs=2)
    with zipfile.ZipFile(result.path) as archive:
        archive.extractall(folder / "out")
    (top,) = (folder / "out").iterdir()  # one folder, named after the program
    return top


def test_offline_index_is_the_engines_index_as_a_script():
    files = {"search/search_index.json": b'{"docs": [{"location": "a.html", "title": "\xc3\xa9"}]}', "x.html": b""}
    assert offline_index(files) == {"search/search_index.js": 'var __index = {"docs":[{"location":"a.html","title":"é"}]};\n'.encode()}
    assert list(offline_index({"search.json": b"{}"})) == ["search.js"]


def test_zip_is_the_same_bytes_every_time_and_sorted(reference, tmp_path):
    first = package(reference, "zip", tmp_path / "a.zip", jobs=2).path.read_bytes()
    again = CliRunner().invoke(main, ["package", str(reference), "--to", "zip", "-o", str(tmp_path / "b.zip")])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "b.zip").read_bytes() == first
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        names = archive.namelist()
        assert names == sorted(names) and len({i.date_time for i in archive.infolist()}) == 1
        assert "northwind-reverse-2027/print/handbook.pdf" in names
        assert "northwind-reverse-2027/search/search_index.js" in names
        assert not any(n.endswith(".mentorkit-output.json") for n in names)


def test_package_refuses_a_name_that_is_not_a_zip(reference, tmp_path):
    done = CliRunner().invoke(main, ["package", str(reference), "-o", str(tmp_path / "handbook.tar")])
    assert done.exit_code == 2 and ".zip" in done.output


@pytest.mark.browser
def test_zip_opened_from_disk_works_with_the_network_blocked(unzipped):
    outside: list[str] = []
    errors: list[str] = []
    with chromium_page("file://") as page:
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:", "about:", "blob:"))
                else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((unzipped / "index.html").as_uri())
        tabs = [t.strip() for t in page.locator(".md-tabs__link").all_inner_texts()]
        assert tabs == NAV
        links = page.eval_on_selector_all("nav.md-nav--primary a.md-nav__link[href]", "els => els.map(e => e.href)")
        pages = sorted({link.split("#")[0] for link in links if link.startswith("file:")})
        assert len(pages) >= 16
        for url in pages:
            page.goto(url)
            assert page.locator("article h1").count() == 1, url
        page.goto((unzipped / "downloads.html").as_uri())
        downloads = page.eval_on_selector_all("article a[href]", "els => els.map(e => e.href)")
        files = [d for d in downloads if re.search(r"\.(pdf|ics)$", d)]
        assert any(d.endswith("print/handbook.pdf") for d in files)
        for url in files:
            assert Path(url.removeprefix("file://")).is_file(), url
        # the engine's own search box in the header finds pages
        page.goto((unzipped / "index.html").as_uri())
        if page.locator("button.md-search__button").count():
            page.locator("button.md-search__button").first.click()
        else:
            page.locator("input.md-search__input").click()
        # the whole query at once, then a key: Zensical's box selects its text when results arrive, so
        # on a busy machine each key typed quickly replaced the one before (seen here under load)
        box = page.locator('input[aria-label="Search"]:visible').first
        box.fill("strategy workstream")
        box.press("End")
        page.wait_for_selector('a[href*="goals.html?h="]', state="attached", timeout=20000)
        result = page.locator('a[href*="goals.html?h="]').first.get_attribute("href")
        page.goto(result if result.startswith("file:") else f"{page.url.rsplit('/', 1)[0]}/{result}")
        assert page.url.startswith("file:") and "goals.html" in page.url
    assert not outside, outside
    assert not errors, errors


# --- SCORM ---------------------------------------------------------------------------------

def test_manifest_has_one_sco_item_per_section_and_lists_every_file(reference):
    project = load_program(reference)
    seen: set[str] = set()
    firsts = list(dict.fromkeys(page.removesuffix(".md") + ".html" for section, _, page in PAGES
                                if section not in seen and not seen.add(section)))
    files = {**dict.fromkeys(firsts, b""), "assets/x.js": b"", "print/handbook.pdf": b""}
    root = ET.fromstring(manifest(project, files, "1.2"))
    ns = {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2", "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2"}
    assert root.find("cp:metadata/cp:schemaversion", ns).text == "1.2"
    items = root.findall("cp:organizations/cp:organization/cp:item", ns)
    assert [i.find("cp:title", ns).text for i in items] == NAV
    scos = [r for r in root.findall("cp:resources/cp:resource", ns)
            if r.get("{http://www.adlnet.org/xsd/adlcp_rootv1p2}scormtype") == "sco"]
    assert [r.get("href") for r in scos] == firsts
    listed = {f.get("href") for f in root.findall("cp:resources/cp:resource[@identifier='files']/cp:file", ns)}
    assert listed == set(files)
    v2004 = ET.fromstring(manifest(project, files, "2004"))
    assert v2004.find("{http://www.imsglobal.org/xsd/imscp_v1p1}metadata/{http://www.imsglobal.org/xsd/imscp_v1p1}"
                      "schemaversion").text == "2004 4th Edition"


LMS = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>LMS</title>
<script src="{runtime}"></script>
<script>
  window.calls = [];
  var api = new {api_class}({{logLevel: 5, autocommit: false}});
  ["{init}", "{finish}", "{commit}"].forEach(function (name) {{
    api.on(name, function () {{ window.calls.push(name); }});
  }});
  api.on("{set}", function (element, value) {{ window.calls.push(element + "=" + value); }});
  window.{api_name} = api;
</script></head>
<body><iframe id="sco" title="course" src="{launch}" style="width:100%;height:600px"></iframe></body></html>
"""


def _scorm_package(reference: Path, tmp_path: Path, target: str, complete: str | None = None) -> Path:
    if complete:
        text = reference.read_text(encoding="utf-8") + f"publish:\n  scorm:\n    complete: {complete}\n"
        reference = reference.parent / "program-all.yml"
        reference.write_text(text, encoding="utf-8")
    result = package(reference, target, tmp_path / "scorm.zip", engine="material", jobs=2)  # type: ignore[arg-type]
    folder = tmp_path / "lms" / "course"
    with zipfile.ZipFile(result.path) as archive:
        assert archive.namelist()[0] != "northwind-reverse-2027/" and "imsmanifest.xml" in archive.namelist()
        archive.extractall(folder)
    return folder


def _lms(folder: Path, runtime: Path, v2004: bool) -> Path:
    names = ({"api_class": "Scorm2004API", "api_name": "API_1484_11", "init": "Initialize", "finish": "Terminate",
              "commit": "Commit", "set": "SetValue", "runtime": runtime / "scorm2004.min.js"} if v2004 else
             {"api_class": "Scorm12API", "api_name": "API", "init": "LMSInitialize", "finish": "LMSFinish",
              "commit": "LMSCommit", "set": "LMSSetValue", "runtime": runtime / "scorm12.min.js"})
    launch = ET.fromstring((folder / "imsmanifest.xml").read_bytes())
    first = next(r.get("href") for r in launch.iter() if r.tag.endswith("resource") and r.get("href"))
    shutil.copy(names["runtime"], folder.parent / "runtime.js")  # the LMS serves its runtime and the course
    names["runtime"] = "runtime.js"
    lms = folder.parent / "lms.html"
    lms.write_text(LMS.format(launch=f"course/{first}", **names), encoding="utf-8")
    return lms


@pytest.mark.browser
@pytest.mark.parametrize("target", ["scorm", "scorm2004"])
def test_scorm_package_reports_to_the_lms_when_opened(reference, tmp_path, target):
    runtime = need_scorm_again()
    folder = _scorm_package(reference, tmp_path, target)
    v2004 = target == "scorm2004"
    status = "cmi.completion_status" if v2004 else "cmi.core.lesson_status"
    lms = _lms(folder, runtime, v2004)
    with serve_folder(lms.parent) as base, chromium_page(base) as page:
        page.goto(f"{base}/lms.html")
        frame = page.frame_locator("#sco")
        frame.locator("article h1").wait_for()
        page.wait_for_function("window.calls.length >= 3")
        calls = page.evaluate("window.calls")
        assert calls[0] == ("Initialize" if v2004 else "LMSInitialize")
        assert f"{status}=completed" in calls and ("Commit" if v2004 else "LMSCommit") in calls
        # the learner leaves: the session ends
        page.evaluate("document.getElementById('sco').src = 'about:blank'")
        page.wait_for_function(f"window.calls.indexOf('{'Terminate' if v2004 else 'LMSFinish'}') >= 0")
        assert page.evaluate(f"window.{'API_1484_11' if v2004 else 'API'}.getCMIValue('{status}')") == "completed"


@pytest.mark.browser
def test_all_pages_completes_once_every_page_was_seen(reference, tmp_path):
    runtime = need_scorm_again()
    folder = _scorm_package(reference, tmp_path, "scorm", complete="all-pages")
    lms = _lms(folder, runtime, False)
    with serve_folder(lms.parent) as base, chromium_page(base) as page:
        page.goto(f"{base}/lms.html")
        frame = page.frame_locator("#sco")
        frame.locator("article h1").wait_for()
        page.wait_for_function("window.calls.indexOf('LMSCommit') >= 0")
        assert "cmi.core.lesson_status=incomplete" in page.evaluate("window.calls")
        sco = page.frame(url=re.compile(r"index\.html"))
        links = sco.eval_on_selector_all("nav.md-nav--primary a.md-nav__link[href]", "els => els.map(e => e.href)")
        for url in sorted({link.split("#")[0] for link in links if link.startswith(base)}):
            # following the handbook's own links: the session goes on from page to page
            # (a link of another section's collapsed navigation is not visible: follow it as its click would)
            page.frame_locator("#sco").locator(f'nav.md-nav--primary a.md-nav__link[href$="{url.rsplit("/", 1)[-1]}"]'
                                               ).first.evaluate("a => a.click()")
            # the next page once it has run its scripts (so recorded itself as seen): on a busy machine
            # its heading showed before that, and clicking on at once left the page unrecorded
            page.wait_for_function("(() => { const w = document.getElementById('sco').contentWindow; "
                                   f"return w.location.href.indexOf('{url.rsplit('/', 1)[-1]}') >= 0 "
                                   "&& w.document.readyState === 'complete'; })()")
            page.frame_locator("#sco").locator("article h1").wait_for()
        page.wait_for_function("window.API.getCMIValue('cmi.core.lesson_status') === 'completed'", timeout=10000)
        assert "LMSFinish" not in page.evaluate("window.calls")


def test_without_an_lms_the_pages_work_as_the_offline_copy(reference, tmp_path):
    folder = _scorm_package(reference, tmp_path, "scorm")
    errors: list[str] = []
    with chromium_page("file://") as page:
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((folder / "index.html").as_uri())
        assert [t.strip() for t in page.locator(".md-tabs__link").all_inner_texts()] == NAV
    assert not errors
