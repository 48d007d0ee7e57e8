"""The handbook site: golden pages, end-to-end builds, escaping, overrides, and a real browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REFERENCE, chromium_page, copy_reference, minimal, render_pages, serve_folder, visible

from mentorkit.build import build
from mentorkit.cli import main
from mentorkit.defaults import FIRST_MEETING
from mentorkit.errors import MentorkitError
from mentorkit.project import load_program

GOLDEN = Path(__file__).parent / "golden" / "site"
TYPES = ["one-on-one", "group", "peer", "reverse", "flash", "virtual"]
ENGINES = ["material", "zensical"]


def test_golden_markdown_of_the_reference_program(update_golden):
    project = load_program(REFERENCE)
    pages = render_pages(project)
    if update_golden:
        for old in GOLDEN.rglob("*.md"):
            old.unlink()
        for rel, text in pages.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text, encoding="utf-8")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*.md")}
    assert sorted(pages) == sorted(expected), "pages added or removed: run pytest --update-golden"
    for rel, text in pages.items():
        assert text == expected[rel], f"{rel} differs from its golden copy (pytest --update-golden to accept)"


@pytest.fixture(scope="module")
def reference_sites(tmp_path_factory) -> dict[str, Path]:
    """The reference program's site built by each engine, from one folder: each engine builds its
    own site; the second build takes the PDFs the first laid out from the cache beside program.yml
    (which gives the very bytes of a build without it: test_cache.py). Read only: copy to edit."""
    folder = tmp_path_factory.mktemp("ref")
    program = copy_reference(folder)
    for engine in ENGINES:
        build(program, folder / engine, jobs=2, engine=engine)
    return {engine: folder / engine for engine in ENGINES}


@pytest.fixture(scope="module", params=ENGINES)
def reference_site(request, reference_sites) -> Path:
    """The reference program's site, built by each engine."""
    return reference_sites[request.param]


def _page_texts(site: Path) -> dict[str, str]:
    """Each page's article text, as a reader sees it (the engines word the window title differently)."""
    out = {}
    for path in sorted(site.rglob("*.html")):
        article = re.search(r"<article[^>]*>(.*?)</article>", path.read_text(encoding="utf-8"), re.S)
        out[path.relative_to(site).as_posix()] = visible(article.group(1) if article else "")
    return out


@pytest.mark.slow
def test_both_engines_build_the_same_pages_and_navigation(reference_sites):
    """One generated docs tree and mkdocs.yml: Material and Zensical give the same pages, the same
    navigation, the brand colour, the logo and no request to the network."""
    material, zensical = reference_sites["material"], reference_sites["zensical"]
    pages = {p for p in _page_texts(material) if p != "404.html"}
    assert pages == {p for p in _page_texts(zensical) if p != "404.html"}
    for page in pages:
        words = lambda text: re.sub(r"[^\w ]", " ", text).split()  # noqa: E731 - permalink signs differ
        assert words(_page_texts(material)[page]) == words(_page_texts(zensical)[page]), page
    for site in (material, zensical):
        index = html(site, "index.html")
        nav = re.findall(r'class="md-tabs__link[^"]*"[^>]*>\s*([^<]+?)\s*<', index)
        assert nav == ["Home", "About mentoring", "The journey", "Growing together", "Measuring", "Help",
                       "Programme team"], (site, nav)
        assert "assets/logo.svg" in index and "assets/mentorkit.css" in index
        assert "Reverse Mentoring Programme 2027" in re.search(r"<title>(.*?)</title>", index, re.S).group(1)
        assert "#0b5cad" in html(site, "assets/mentorkit.css")
        assert sorted(p.name for p in (site / "print").iterdir()) == sorted(p.name for p in (material / "print").iterdir())
        for page in site.rglob("*.html"):
            assert not re.search(r'(src|href)="(https?:)?//', page.read_text(encoding="utf-8").replace(
                'href="https://', 'href-external="')), page  # links out are fine; nothing is loaded from outside


def html(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


@pytest.mark.slow
def test_reference_site_pages_hold_the_programs_data(reference_site):
    site = reference_site
    for page in ["index", "mentoring", "program-type", "roles", "matching", "journey", "schedule", "first-meeting",
                 "goals", "feedback", "surveys", "challenges", "impact", "faq", "downloads", "pages/charter"]:
        assert (site / f"{page}.html").is_file(), page
    home = visible(html(site, "index.html"))
    assert "Monday 1 February 2027 to Friday 29 October 2027" in home
    assert "Priya Raman" in home and "mentoring@northwind.example" in home
    schedule = html(site, "schedule.html")
    assert len(re.findall(r"<tr>\s*<td[^>]*>\d+</td>", schedule)) == 17
    assert 'href="calendar.ics"' in schedule
    goals = visible(html(site, "goals.html"))
    assert "Lead a strategy workstream" in goals and "Practice session two" in goals
    roles = visible(html(site, "roles.html"))
    assert "Reverse mentor" in roles and "Executive mentee" in roles
    checklist = html(site, "first-meeting.html")
    assert checklist.count('<li><label><input type="checkbox"') == sum(map(len, FIRST_MEETING.values())) + 3
    assert "Read the programme charter together with your line manager" in checklist
    journey = visible(html(site, "journey.html"))
    assert "Monday 30 August 2027 to Sunday 10 October 2027" in journey
    downloads = html(site, "downloads.html")
    for doc in ["print/workbook-mentee.pdf", "print/survey-midpoint.pdf", "calendar.ics"]:
        assert f'href="{doc}"' in downloads and (site / doc).is_file()
    assert "Programme charter" in visible(html(site, "pages/charter.html"))
    assert (site / "assets" / "logo.svg").is_file()
    assert "--md-primary-fg-color: #0b5cad" in (site / "assets" / "mentorkit.css").read_text()
    assert "fonts.googleapis" not in html(site, "index.html")


@pytest.fixture(scope="module")
def five_line_folder(tmp_path_factory) -> Path:
    """One folder for the five-line program of every type, each written over the last (as a team
    that changes its program's type does): a build takes what an earlier type laid out the same
    from the cache beside program.yml, which gives the very bytes of a build without it."""
    return tmp_path_factory.mktemp("five-line")


@pytest.mark.slow
@pytest.mark.parametrize("kind", TYPES)
def test_five_line_program_builds_a_complete_handbook(five_line_folder, tmp_path, kind):
    program = five_line_folder / "program.yml"
    program.write_text(minimal(kind, "1 day" if kind == "flash" else "9 months"), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(program), "-o", str(tmp_path / "site"), "--jobs", "0"])
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    assert len(list((site / "print").glob("*.pdf"))) >= 6
    home = visible(html(site, "index.html"))
    assert "Minimal program" in home
    type_page = visible(html(site, "program-type.html"))
    assert type_page.count("mentoring") > 3
    schedule = html(site, "schedule.html")
    rows = len(re.findall(r"<tr>\s*<td[^>]*>\d+</td>", schedule))
    assert rows == (1 if kind == "flash" else len(load_program(program).plan.meetings)) and rows > 0


def test_user_overrides_of_content_and_templates(tmp_path):
    program = copy_reference(tmp_path)
    (tmp_path / "content" / "faq.md").write_text("### Our own question\n\nOur own answer.\n")
    (tmp_path / "templates" / "site").mkdir(parents=True)
    (tmp_path / "templates" / "site" / "index.md.j2").write_text(
        '{% extends "builtin/site/index.md.j2" %}\n')
    (tmp_path / "templates" / "site" / "matching.md.j2").write_text("# Matching\n\nDone by hand: {{ roles.mentor|md }}\n")
    project = load_program(program)
    pages = render_pages(project)
    assert "Our own question" in pages["faq.md"]
    assert pages["matching.md"] == "# Matching\n\nDone by hand: Reverse mentor\n"
    assert pages["index.md"].startswith("# Reverse Mentoring Programme 2027")


def test_override_templates_run_in_a_sandbox(tmp_path):
    program = copy_reference(tmp_path)
    (tmp_path / "templates" / "site").mkdir(parents=True)
    (tmp_path / "templates" / "site" / "faq.md.j2").write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    project = load_program(program)
    with pytest.raises(Exception, match="unsafe|not safely"):
        render_pages(project)


def test_extra_page_through_symlink_is_refused(tmp_path):
    program = copy_reference(tmp_path / "p")
    (tmp_path / "secret.md").write_text("# secret")
    (tmp_path / "p" / "content" / "charter.md").unlink()
    (tmp_path / "p" / "content" / "charter.md").symlink_to(tmp_path / "secret.md")
    with pytest.raises(MentorkitError) as info:
        load_program(program)
    assert f"{program}:153:5: error: pages[0]: 'content/charter.md' resolves outside" in str(info.value)


def test_raw_html_in_team_pages_is_neutralised(tmp_path):
    program = copy_reference(tmp_path)
    (tmp_path / "content" / "charter.md").write_text("# Charter\n\n<script>alert(1)</script>\n<a onclick=\"x()\">a</a>\n")
    project = load_program(program)
    page = render_pages(project)["pages/charter.md"]
    assert "<script" not in page and "onclick" not in page


# --- real browser -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(reference_site):
    with serve_folder(reference_site) as base:
        yield base


@pytest.fixture(scope="module")
def browser_page(served):
    with chromium_page(served) as page:
        yield page


@pytest.mark.browser
@pytest.mark.slow
def test_navigation_search_and_no_console_errors(served, browser_page):
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{served}/index.html")
    links = page.eval_on_selector_all("nav.md-nav--primary a.md-nav__link[href]", "els => els.map(e => e.href)")
    targets = sorted({link.split("#")[0] for link in links if link.startswith(served)})
    assert len(targets) >= 16
    for url in targets:
        page.goto(url)
        assert page.locator("article h1").count() == 1, url
    page.goto(f"{served}/index.html")
    page.wait_for_load_state("networkidle")
    # the engine's own search box in the header (Zensical opens it from a button)
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
    results = page.locator('a[href*="?h="]').evaluate_all("els => els.map(e => e.href)")
    assert any("goals.html" in r for r in results), results
    assert not errors, errors


@pytest.mark.browser
@pytest.mark.slow
def test_every_page_is_accessible(served, browser_page):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser_page
    page.goto(f"{served}/index.html")
    links = page.eval_on_selector_all("nav.md-nav--primary a.md-nav__link[href]", "els => els.map(e => e.href)")
    problems = []
    for url in sorted({link.split("#")[0] for link in links if link.startswith(served)}):
        page.goto(url)
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                problems.append(f"{url}: {violation['id']} ({violation['impact']}): {violation['help']}")
    assert not problems, "\n".join(problems)
