"""Joining WeasyPrint PDFs keeps pages, text, form fields, bookmarks, links and the PDF/UA structure."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest
from conftest import REFERENCE, ROOT, context_of, need_tool, pdfua_reports, render_documents
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from mentorkit import printing
from mentorkit.pdfjoin import JoinError, join
from mentorkit.plan import DEST_SCHEME, documents
from mentorkit.project import load_program
from mentorkit.roster import read_roster
from mentorkit.workers import PDF_OPTIONS, Pool, Unit, render, render_together

OPTIONS = {"pdf_forms": True, **PDF_OPTIONS}
ROSTER = ROOT / "examples" / "roster.csv"
ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC /MkPageNumber Do EMC"


def pdf(body: str, title: str = "Part", lang: str = "en") -> bytes:
    html = f"<html lang='{lang}'><head><title>{title}</title></head><body>{body}</body></html>"
    return HTML(string=html).write_pdf(**OPTIONS)


def outline_titles(reader: PdfReader) -> list[str]:
    def walk(items: list) -> list[str]:
        out: list[str] = []
        for item in items:
            out += walk(item) if isinstance(item, list) else [item.title]
        return out
    return walk(reader.outline)


def text_pages(data: bytes) -> list[str]:
    done = subprocess.run([need_tool("pdftotext"), "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode().split("\f")


def qpdf_check(data: bytes, tmp_path: Path) -> None:
    if shutil.which("qpdf"):
        (tmp_path / "checked.pdf").write_bytes(data)
        done = subprocess.run(["qpdf", "--check", str(tmp_path / "checked.pdf")], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def pdfua_findings(pdfs: dict[str, bytes], tmp_path: Path) -> dict[str, Counter[tuple[str, str]]]:
    """The `pdfua check` findings of each PDF, counted by rule and severity (one run for all)."""
    for name, data in pdfs.items():
        (tmp_path / name).write_bytes(data)
    found = {}
    for name, report in pdfua_reports([tmp_path / name for name in pdfs]).items():
        found[name] = Counter((f["rule_id"], f["severity"]) for f in report["findings"])
        found[name].update((s["rule_id"] if isinstance(s, dict) else str(s), "skipped") for s in report.get("skipped", []))
    return found


def check_structure(data: bytes) -> tuple[int, int]:
    """Every page and annotation's marked content is in the parent tree, every element's page is in
    the document and every element's parent is right. Returns the number of structure elements
    below the one Document element, and of elements the parent tree names that are not below it
    (WeasyPrint itself leaves a few such orphans; a join must not add any)."""
    with pikepdf.Pdf.open(io.BytesIO(data)) as p:
        tree = p.Root.StructTreeRoot
        entries = list(pikepdf.NumberTree(tree.ParentTree).items())
        keys = [k for k, _ in entries]
        assert keys == sorted(keys) and len(keys) == len(set(keys)), "parent tree keys out of order or repeated"
        parents = dict(entries)
        pages = {page.obj.objgen for page in p.pages}
        for page in p.pages:
            assert int(page.obj.StructParents) in parents, "a page's marked content has no parent"
            for annot in page.obj.get("/Annots", []):
                if "/StructParent" in annot:
                    assert int(annot.StructParent) in parents, "an annotation's structure parent is missing"
        (document,) = list(tree.K)
        assert document.S == "/Document"
        seen: set[tuple[int, int]] = set()
        todo = [document]
        while todo:
            elem = todo.pop()
            seen.add(elem.objgen)
            if "/Pg" in elem:
                assert elem.Pg.objgen in pages, "a structure element points at a page not in the PDF"
            kids = elem.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                    assert kid.P.objgen == elem.objgen, "an element's parent is wrong"
                    todo.append(kid)
        named = {e.objgen for value in parents.values()
                 for e in (value if isinstance(value, pikepdf.Array) else [value]) if isinstance(e, pikepdf.Dictionary)}
        return len(seen) - 1, len(named - seen)


def test_joined_parts_keep_order_bookmarks_fields_links_and_structure(tmp_path):
    cover = pdf("<h1 id='cover'>Cover</h1><input type='text' name='person.name'>", title="Cover title", lang="fr")
    base = pdf("<h1 id='b'>Base one</h1><p><a href='#c'>to two</a></p><input type='checkbox' name='base.tick'>"
               "<h1 id='c' style='break-before: page'>Base two</h1>")
    tail = pdf("<h1 id='tail'>Tail</h1><textarea name='tail.notes'></textarea>")
    data = join(base, [cover], [tail], info_from=0)
    r = PdfReader(io.BytesIO(data))
    assert len(r.pages) == 4
    assert [re.findall(r"Cover|Base one|Base two|Tail", page) for page in text_pages(data)[:4]] == \
        [["Cover"], ["Base one"], ["Base two"], ["Tail"]]
    assert outline_titles(r) == ["Cover", "Base one", "Base two", "Tail"]
    assert set(r.get_fields()) == {"person.name", "base.tick", "tail.notes"}
    assert r.metadata.title == "Cover title" and r.xmp_metadata.dc_title["x-default"] == "Cover title"
    assert r.trailer["/Root"]["/Lang"] == "fr"  # the part the metadata comes from
    dests = r.named_destinations
    assert {"cover", "b", "c", "tail"} <= set(dests)
    assert r.get_destination_page_number(dests["tail"]) == 3
    assert r.get_destination_page_number(dests["c"]) == 2  # the base's own link target moved with its page
    (link,) = [a.get_object() for a in r.pages[1]["/Annots"] if a.get_object()["/Subtype"] == "/Link"]
    assert r.get_destination_page_number(dests[link["/Dest"]]) == 2  # the base's internal link still leads there
    reachable, orphans = check_structure(data)
    assert orphans == sum(check_structure(part)[1] for part in (cover, base, tail))
    assert reachable == sum(check_structure(part)[0] for part in (cover, base, tail))
    assert join(base, [cover], [tail], info_from=0) == data, "joining is not deterministic"
    qpdf_check(data, tmp_path)


def test_fields_and_destinations_named_twice_are_refused_not_renamed():
    with pytest.raises(JoinError, match="same"):
        join(pdf("<input type='text' name='same'>"), [pdf("<input type='text' name='same'>")])
    with pytest.raises(JoinError, match="twice: here"):
        join(pdf("<h1 id='here'>One</h1>"), [], [pdf("<h1 id='here'>Two</h1>")])


def test_links_between_pieces_become_internal_links():
    base = pdf(f"<h1 id='start'>Start</h1><p><a href='{DEST_SCHEME}log'>to the log</a></p>")
    tail = pdf("<h1 id='log'>Log</h1>")
    r = PdfReader(io.BytesIO(join(base, [], [tail])))
    (link,) = [a.get_object() for a in r.pages[0]["/Annots"] if a.get_object()["/Subtype"] == "/Link"]
    assert "/A" not in link and link["/Dest"] == "log" and link["/Contents"] == "log"
    assert r.get_destination_page_number(r.named_destinations["log"]) == 1
    with pytest.raises(JoinError, match="no piece has: log"):
        join(base, [], [pdf("<h1 id='other'>Other</h1>")])


def test_a_given_title_replaces_both_titles():
    data = join(pdf("<h1>Body</h1>", title="Body"), [pdf("<h1>Cover</h1>", title="Cover")], title="Given title")
    r = PdfReader(io.BytesIO(data))
    assert r.metadata.title == "Given title" and r.xmp_metadata.dc_title["x-default"] == "Given title"
    assert r.trailer["/Root"]["/Lang"] == "en"


def test_page_numbers_are_drawn_as_artifacts_after_the_cover(tmp_path):
    base = pdf("<h1>One</h1><h1 style='break-before: page'>Two</h1>")
    cover = pdf("<h1>Cover</h1>")
    numbers = pdf("<p>Number 1 of 2</p><p style='break-before: page'>Number 2 of 2</p>")
    data = join(base, [cover], numbers=numbers, unnumbered=1)
    pages = text_pages(data)
    assert [re.findall(r"Number \d of 2", page) for page in pages[:3]] == [[], ["Number 1 of 2"], ["Number 2 of 2"]]
    with pikepdf.Pdf.open(io.BytesIO(data)) as p:
        for n, page in enumerate(p.pages):
            drawn = b"".join(c.read_bytes() for c in pikepdf.Array(page.obj.Contents)
                             ) if isinstance(page.obj.Contents, pikepdf.Array) else page.obj.Contents.read_bytes()
            assert (ARTIFACT in drawn) == (n > 0)
    check_structure(data)
    qpdf_check(data, tmp_path)
    alone = join(base, numbers=numbers)  # a document of one piece is numbered too
    assert [re.findall(r"Number \d of 2", page) for page in text_pages(alone)[:2]] == [["Number 1 of 2"], ["Number 2 of 2"]]
    with pytest.raises(JoinError, match="2 pages for 3"):
        join(base, [cover], numbers=numbers)


def test_text_that_looks_like_a_reference_survives(tmp_path):
    """A user's text such as "12 0 R" in a field label, a link or an image description stays as it was."""
    tricky = "Rate 12 0 R (really) \\ 3 0 R"
    base = pdf("<h1 id='b'>Base</h1>" + "<p>filler</p>" * 5)
    part = pdf(f"<h1 id='p'>{tricky}</h1><label>{tricky}<input type='text' name='q.one' title='{tricky}'></label>"
               f"<a href='https://example.org/?q=12%200%20R'>{tricky}</a>")
    data = join(base, [], [part])
    r = PdfReader(io.BytesIO(data))
    assert r.get_fields()["q.one"].get("/TU") == tricky
    assert tricky in r.pages[1].extract_text()
    assert outline_titles(r) == ["Base", tricky]
    uris = [a.get_object()["/A"]["/URI"] for a in r.pages[1]["/Annots"] if "/A" in a.get_object()]
    assert uris == ["https://example.org/?q=12%200%20R"]
    check_structure(data)
    qpdf_check(data, tmp_path)


@pytest.fixture(scope="module")
def workbook_parts():
    project = load_program(REFERENCE)
    people = read_roster(ROSTER)
    values = printing.print_values(project, context_of(project))
    base, roots, forms = project.root.as_uri() + "/", printing._roots(project), project.program.print.fillable
    cover = Unit("cover", printing.workbook_cover_html(project, people[1], people, values), base, roots, forms)
    body = Unit("body", printing.workbook_body_html(project, values), base, roots, forms)
    return project, people, values, cover, body


@pytest.fixture(scope="module")
def built_workbooks(workbook_parts):
    """A personalised workbook (its body joined once, then the cover) and the build's generic one,
    each with the same document laid out by WeasyPrint whole."""
    project, people, values, cover, body = workbook_parts
    with Pool(1) as pool:
        ((_, personal_pdf),) = printing.render_workbooks(project, context_of(project), people[1:2], everyone=people,
                                                          pool=pool)
    doc = next(d for d in documents(project.program) if d.kind == "workbook")
    generic_pdf = render_documents(project, [doc], jobs=0)[doc.name]
    generic_cover, generic_body = printing.document_html(project, doc, values)
    generic_whole = render_together([replace(cover, html=generic_cover), replace(body, html=generic_body)])
    return [(personal_pdf, render_together([cover, body]), people[1].name),
            (generic_pdf, generic_whole, project.program.program.title)]


def test_workbooks_from_pieces_match_one_laid_out_together(built_workbooks, tmp_path):
    """Pieces laid out apart, joined, numbered by the overlay, give the very pages WeasyPrint lays
    out for the whole document, with the same fields, bookmarks, title and structure."""
    need_tool("pdftoppm")
    for n, (fast, slow, name) in enumerate(built_workbooks):
        rf, rs = PdfReader(io.BytesIO(fast)), PdfReader(io.BytesIO(slow))
        assert len(rf.pages) == len(rs.pages) > 15
        assert set(rf.get_fields()) == set(rs.get_fields()) and len(rf.get_fields()) > 100
        assert outline_titles(rf) == outline_titles(rs)
        assert rf.metadata.title == rs.metadata.title and name in rf.metadata.title
        assert rf.xmp_metadata.dc_title["x-default"] == rf.metadata.title
        assert check_structure(fast)[1] <= check_structure(slow)[1]
        for label, data in (("fast", fast), ("slow", slow)):
            (tmp_path / f"{label}{n}.pdf").write_bytes(data)
            subprocess.run(["pdftoppm", "-png", "-r", "30", str(tmp_path / f"{label}{n}.pdf"), str(tmp_path / f"{label}{n}")],
                           check=True)
        pages = sorted(p.name.split("-", 1)[1] for p in tmp_path.glob(f"fast{n}-*.png"))
        assert len(pages) == len(rs.pages)
        for page in pages:
            assert (tmp_path / f"fast{n}-{page}").read_bytes() == (tmp_path / f"slow{n}-{page}").read_bytes(), page


def test_contents_links_and_page_numbers_of_a_pieced_workbook(built_workbooks):
    """The contents page links into other pieces through named destinations, with the right page
    numbers; "Page N of M" is on every page but the cover, drawn as a pagination artifact."""
    fast = built_workbooks[1][0]
    r = PdfReader(io.BytesIO(fast))
    dests = r.named_destinations
    links = [a.get_object() for a in r.pages[1].get("/Annots", []) if a.get_object()["/Subtype"] == "/Link"]
    assert len(links) > 10
    for link in links:
        assert "/A" not in link, "a link between pieces was left as a URI"
        assert link["/Dest"] in dests and link["/Contents"] == link["/Dest"]
    pages = text_pages(fast)
    printed = [int(line.split()[-1]) for line in pages[1].splitlines() if re.search(r"\.(\s*\.){3,}\s*\d+\s*$", line)]
    targets = list(dict.fromkeys(str(link["/Dest"]) for link in links))  # an entry's text and leader: one link each
    assert printed == [r.get_destination_page_number(dests[t]) for t in targets]  # the cover is page 0
    count = len(r.pages)
    footers = [re.findall(r"Page (\d+) of (\d+)", page) for page in pages[:count]]
    assert footers[0] == [] and footers[1:] == [[(str(n), str(count - 1))] for n in range(1, count)]
    for n, page in enumerate(r.pages[1:], start=1):
        assert ARTIFACT in b"".join(c.get_object().get_data() for c in page["/Contents"]), n
    assert printed == sorted(printed) and "meetings" in targets  # the contents lists the sections in page order


def test_a_form_font_shared_by_pieces_is_embedded_once(built_workbooks):
    fast, slow, _ = built_workbooks[1]
    with pikepdf.Pdf.open(io.BytesIO(fast)) as p:
        big = [obj for obj in p.objects if isinstance(obj, pikepdf.Stream) and int(obj.get("/Length1", 0)) > 100_000]
    assert len(big) == 1  # the full font form fields use: every piece with fields had its own copy
    assert len(fast) < 1.8 * len(slow)


def test_fields_of_a_joined_workbook_fill_and_print(built_workbooks, tmp_path):
    writer = PdfWriter(clone_from=io.BytesIO(built_workbooks[0][0]))
    writer.set_need_appearances_writer(True)
    page = next(p for p in writer.pages if "/Annots" in p and any(
        a.get_object().get("/T") == "meeting.1.notes" for a in p["/Annots"]))
    writer.update_page_form_field_values(page, {"meeting.1.notes": "We agreed a reading list"},
                                         auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    assert "We agreed a reading list" in "".join(text_pages(out.getvalue()))


def test_joined_workbooks_are_no_less_accessible_than_their_pieces(workbook_parts, tmp_path):
    """`pdfua check` finds nothing in a joined workbook that it does not find in the PDFs joined."""
    project, people, values, cover, body = workbook_parts
    cover_pdf, body_pdf = render(cover).pdf, render(body).pdf
    numbers = pdf("".join(f"<p style='break-before: page'>Page {n}</p>" for n in range(1, len(PdfReader(
        io.BytesIO(body_pdf)).pages) + 1)))
    joined = join(body_pdf, [cover_pdf], info_from=0, numbers=numbers, unnumbered=1)
    found = pdfua_findings({"cover.pdf": cover_pdf, "body.pdf": body_pdf, "numbers.pdf": numbers, "joined.pdf": joined},
                           tmp_path)
    assert found["joined.pdf"] - (found["cover.pdf"] + found["body.pdf"] + found["numbers.pdf"]) == Counter()


def test_roster_workbooks_name_their_person(tmp_path):
    """Each workbook of a roster carries its person's cover, title and a valid structure."""
    project = load_program(REFERENCE)
    people = read_roster(ROSTER)[:3]
    with Pool(1) as pool:
        out = dict(printing.render_workbooks(project, context_of(project), people, pool=pool))
    for name, person in zip(printing.workbook_names(people), people, strict=True):
        r = PdfReader(io.BytesIO(out[name]))
        assert person.name in r.metadata.title and person.name in r.xmp_metadata.dc_title["x-default"]
        assert person.name in r.pages[0].extract_text()
        check_structure(out[name])
