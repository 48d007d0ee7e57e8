"""Joining WeasyPrint PDFs keeps pages, text, form fields, bookmarks, links and the PDF/UA structure."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import REFERENCE, SHARED, copy_reference, need_tool
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from mentorkit import printing
from mentorkit.build import build
from mentorkit.pdfjoin import JoinError, join
from mentorkit.plan import documents
from mentorkit.project import load_program
from mentorkit.roster import read_roster

OPTIONS = {"pdf_forms": True, **printing.PDF_OPTIONS}


def pdf(body: str, title: str = "Part") -> bytes:
    html = f"<html lang='en'><head><title>{title}</title></head><body>{body}</body></html>"
    return HTML(string=html).write_pdf(**OPTIONS)


def outline_titles(reader: PdfReader) -> list[str]:
    def walk(items: list) -> list[str]:
        out: list[str] = []
        for item in items:
            out += walk(item) if isinstance(item, list) else [item.title]
        return out
    return walk(reader.outline)


def check_structure(data: bytes) -> tuple[int, int]:
    """Every page and annotation's marked content is in the parent tree, every element's page is in
    the document and every element's parent is right. Returns the number of structure elements
    below the one Document element, and of elements the parent tree names that are not below it
    (WeasyPrint 70 itself leaves a few such orphans; a join must not add any)."""
    r = PdfReader(io.BytesIO(data))
    root = r.trailer["/Root"]
    tree = root["/StructTreeRoot"]
    nums = tree["/ParentTree"]["/Nums"]
    keys = [int(k) for k in nums[0::2]]
    assert keys == sorted(keys) and len(keys) == len(set(keys)), "parent tree keys out of order or repeated"
    parents = dict(zip(keys, nums[1::2], strict=True))
    pages = {p.indirect_reference.idnum for p in r.pages}
    for page in r.pages:
        assert int(page["/StructParents"]) in parents, "a page's marked content has no parent"
        for annot in page.get("/Annots", []):
            if "/StructParent" in annot.get_object():
                assert int(annot.get_object()["/StructParent"]) in parents
    (document,) = tree["/K"]
    assert document.get_object()["/S"] == "/Document"
    seen: set[int] = set()

    def walk(ref) -> None:
        elem = ref.get_object()
        seen.add(ref.idnum)
        if "/Pg" in elem:
            assert elem.raw_get("/Pg").idnum in pages, "a structure element points at a page not in the PDF"
        kids = elem.get("/K")
        kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
        for kid in kids:
            if hasattr(kid, "idnum") and kid.get_object().get("/Type") == "/StructElem":
                assert kid.get_object().raw_get("/P").idnum == ref.idnum, "an element's parent is wrong"
                walk(kid)

    walk(tree["/K"][0].indirect_reference if hasattr(tree["/K"][0], "indirect_reference") else tree.raw_get("/K")[0])
    named = {elem.idnum for value in parents.values() for elem in (value if isinstance(value, list) else [value])
             if elem is not None and hasattr(elem, "idnum")}
    return len(seen), len(named - seen)


def test_joined_parts_keep_order_bookmarks_fields_links_and_structure(tmp_path):
    cover = pdf("<h1 id='cover'>Cover</h1><input type='text' name='person.name'>", title="Cover title")
    base = pdf("<h1 id='b'>Base one</h1><p><a href='#c'>to two</a></p><input type='checkbox' name='base.tick'>"
               "<h1 id='c' style='break-before: page'>Base two</h1>")
    tail = pdf("<h1 id='tail'>Tail</h1><textarea name='tail.notes'></textarea>")
    data = join(base, [cover], [tail], info_from=0)
    r = PdfReader(io.BytesIO(data))
    assert len(r.pages) == 4
    assert outline_titles(r) == ["Cover", "Base one", "Base two", "Tail"]
    assert set(r.get_fields()) == {"person.name", "base.tick", "tail.notes"}
    assert r.metadata.title == "Cover title" and r.xmp_metadata.dc_title["x-default"] == "Cover title"
    dests = r.named_destinations
    assert {"cover", "b", "c", "tail"} <= set(dests)
    assert r.get_destination_page_number(dests["tail"]) == 3
    assert r.get_destination_page_number(dests["c"]) == 2  # the base's own link target moved with its page
    reachable, orphans = check_structure(data)
    assert orphans == sum(check_structure(part)[1] for part in (cover, base, tail))
    assert reachable == sum(check_structure(part)[0] for part in (cover, base, tail)) - 2  # one Document, not three
    assert join(base, [cover], [tail], info_from=0) == data, "joining is not deterministic"
    if need_tool("qpdf"):
        path = tmp_path / "joined.pdf"
        path.write_bytes(data)
        done = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_clashing_field_names_are_refused_not_renamed():
    one = pdf("<input type='text' name='same'>")
    two = pdf("<input type='text' name='same'>")
    with pytest.raises(JoinError, match="same"):
        join(one, [two])


@pytest.fixture(scope="module")
def workbook_parts():
    project = load_program(REFERENCE)
    people = read_roster(SHARED / "design" / "roster.csv")
    ctx = printing._context(project)
    base, roots = project.root.as_uri() + "/", printing._roots(project)
    cover = ("cover", printing.workbook_cover_html(project, people[1], people, ctx), base, roots, True)
    body = ("body", printing.workbook_body_html(project, ctx), base, roots, True)
    return project, people, cover, body


@pytest.fixture(scope="module")
def built_workbooks(workbook_parts):
    """A personalised workbook (its body joined once, then the cover) and the build's generic one
    (cover and pieces joined at once), each with the same document laid out by WeasyPrint whole."""
    project, people, cover, body = workbook_parts
    personal = printing.render_workbooks(project, people[1:2], everyone=people, jobs=1)
    personal_pdf = next(iter(personal.values()))
    doc = next(d for d in documents(project.program) if d.kind == "workbook")
    generic_pdf = printing.render_documents(project, [doc], jobs=1)[doc.name]
    generic_cover, generic_body = printing.document_html(project, doc)
    base, roots = project.root.as_uri() + "/", printing._roots(project)
    generic_whole = printing._render_laid_out_together([("c", generic_cover, base, roots, True),
                                                        ("b", generic_body, base, roots, True)])
    return [(personal_pdf, printing._render_laid_out_together([cover, body]), people[1].name),
            (generic_pdf, generic_whole, project.program.program.title)]


def test_workbooks_from_pieces_match_one_laid_out_together(built_workbooks, tmp_path):
    """Pieces laid out apart, joined, numbered by the overlay, give the very pages WeasyPrint lays
    out for the whole document, with the same fields, bookmarks, title and structure."""
    need_tool("pdftoppm")
    for n, (fast, slow, name) in enumerate(built_workbooks):
        rf, rs = PdfReader(io.BytesIO(fast)), PdfReader(io.BytesIO(slow))
        assert len(rf.pages) == len(rs.pages) == 22
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
        assert len(pages) == 22
        for page in pages:
            assert (tmp_path / f"fast{n}-{page}").read_bytes() == (tmp_path / f"slow{n}-{page}").read_bytes(), page


def test_contents_links_and_page_numbers_of_a_pieced_workbook(built_workbooks):
    """The contents page links into other pieces through named destinations, with the right page
    numbers; "Page N of M" is on every page but the cover, drawn as a pagination artifact."""
    need_tool("pdftotext")
    fast = built_workbooks[1][0]
    r = PdfReader(io.BytesIO(fast))
    dests = r.named_destinations
    contents = r.pages[1]
    links = [a.get_object() for a in contents.get("/Annots", []) if a.get_object()["/Subtype"] == "/Link"]
    assert len(links) > 10
    for link in links:
        assert "/A" not in link, "a link between pieces was left as a URI"
        assert link["/Dest"] in dests and link["/Contents"] == link["/Dest"]
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=fast, capture_output=True, check=True).stdout.decode()
    pages = text.split("\f")
    printed = [int(line.split()[-1]) for line in pages[1].splitlines() if "...." in line]
    targets = list(dict.fromkeys(str(link["/Dest"]) for link in links))  # an entry's text and leader: one link each
    assert printed == [r.get_destination_page_number(dests[t]) for t in targets]  # the cover is page 0
    footers = [re.findall(r"Page (\d+) of (\d+)", page) for page in pages[:22]]
    assert footers[0] == [] and footers[1:] == [[(str(n), "21")] for n in range(1, 22)]
    for n, page in enumerate(r.pages[1:], start=1):
        stream = b"".join(c.get_object().get_data() for c in page["/Contents"])
        assert b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC /MkPageNumber Do EMC" in stream, n
    for name, number in (("journey", 2), ("meetings", 3)):
        assert r.get_destination_page_number(dests[name]) == number


def test_a_form_font_shared_by_pieces_is_embedded_once(built_workbooks):
    r = PdfReader(io.BytesIO(built_workbooks[1][0]))
    big = []
    for num in sorted({n for table in r.xref.values() for n in table} - set(r.xref_objStm)):
        obj = r.get_object(num)
        if hasattr(obj, "get_data") and int(obj.get("/Length1", 0)) > 100_000:
            big.append(num)
    assert len(big) == 1  # the full font form fields use: every piece with fields had its own copy
    assert len(built_workbooks[1][0]) < 1.8 * len(built_workbooks[1][1])


def test_fields_of_a_joined_workbook_fill_and_print(built_workbooks, tmp_path):
    need_tool("pdftotext")
    data = built_workbooks[0][0]
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.set_need_appearances_writer(True)
    page = next(p for p in writer.pages if "/Annots" in p and any(
        a.get_object().get("/T") == "meeting.1.notes" for a in p["/Annots"]))
    writer.update_page_form_field_values(page, {"meeting.1.notes": "We agreed a reading list"},
                                         auto_regenerate=False)
    out = tmp_path / "filled.pdf"
    with out.open("wb") as fh:
        writer.write(fh)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "We agreed a reading list" in text


def test_a_cover_whose_field_clashes_falls_back_to_laying_out_together(workbook_parts):
    project, _, cover, body = workbook_parts
    clashing = (cover[0], cover[1].replace("</section>", "<input type='text' name='meeting.1.notes'></section>"),
                *cover[2:])
    body_pieces = printing.split(body, printing.standalone_sections(project))
    for together in (True, False):
        plan = printing.Plan(None, clashing, body_pieces, together=together)
        with printing.Pending({"x.pdf": plan}, 1) as pending:
            out = pending.result()["x.pdf"]
        r = PdfReader(io.BytesIO(out))
        assert len(r.pages) == 22 and "meeting.1.notes" in r.get_fields()


def test_roster_workbooks_share_every_piece(tmp_path, monkeypatch):
    """The pieces of the shared pages are rendered once for a whole roster; each person costs only
    a cover."""
    project = load_program(REFERENCE)
    people = read_roster(SHARED / "design" / "roster.csv")
    rendered: list[str] = []
    real = printing._render
    monkeypatch.setattr(printing, "_render", lambda unit: rendered.append(unit[0]) or real(unit))
    printing.render_workbooks(project, people[:1], jobs=1)
    shared = len(rendered) - 1
    rendered.clear()
    out = printing.render_workbooks(project, people, jobs=1)
    assert len(rendered) == len(set(rendered)) == len(people) + shared
    for name, person in zip(printing.workbook_names(people), people, strict=True):
        r = PdfReader(io.BytesIO(out[name]))
        assert person.name in r.metadata.title
        assert person.name in r.pages[0].extract_text()
    Path(tmp_path / "one.pdf").write_bytes(out[printing.workbook_names(people)[0]])
    check_structure((tmp_path / "one.pdf").read_bytes())


def test_a_users_print_template_without_sections_is_laid_out_as_one_piece(tmp_path):
    """A team's own survey template need not follow mentorkit's `<section class="doc">` layout."""
    need_tool("pdftotext")
    program = copy_reference(tmp_path)
    (tmp_path / "templates" / "print").mkdir(parents=True)
    (tmp_path / "templates" / "print" / "survey.html.j2").write_text(
        '{% extends "print/base.html.j2" %}{% block body %}<h1>Our own {{ survey_moment.survey.title }}</h1>'
        '<p>Plain page.</p><p style="break-before: page">Second page.</p>{% endblock %}')
    build(program, tmp_path / "site", jobs=1)
    out = tmp_path / "site" / "print" / "survey-midpoint.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Our own Midpoint check-in" in text and "Page 2 of 2" in text
    workbook = subprocess.run(["pdftotext", str(tmp_path / "site" / "print" / "workbook-mentee.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
    assert "Survey: Midpoint check-in" in workbook  # the workbook keeps mentorkit's own survey pages


def test_text_that_looks_like_a_reference_survives_renumbering(tmp_path):
    """Objects are carried as bytes with their references renumbered; a user's text such as
    "12 0 R" in a field label, a link or an image description stays as it was."""
    tricky = "Rate 12 0 R (really) \\ 3 0 R"
    base = pdf("<h1 id='b'>Base</h1>" + "<p>filler</p>" * 5)
    part = pdf(f"<h1 id='p'>{tricky}</h1><label>{tricky}<input type='text' name='q.one' title='{tricky}'></label>"
               f"<a href='https://example.org/?q=12%200%20R'>{tricky}</a>")
    data = join(base, [], [part])
    r = PdfReader(io.BytesIO(data))
    field = r.get_fields()["q.one"]
    assert field.get("/TU") == tricky
    assert tricky in r.pages[1].extract_text()
    assert outline_titles(r) == ["Base", tricky]
    uris = [a.get_object()["/A"]["/URI"] for a in r.pages[1]["/Annots"] if "/A" in a.get_object()]
    assert uris == ["https://example.org/?q=12%200%20R"]
    check_structure(data)
    if need_tool("qpdf"):
        (tmp_path / "t.pdf").write_bytes(data)
        assert subprocess.run(["qpdf", "--check", str(tmp_path / "t.pdf")], capture_output=True).returncode == 0


def test_pieces_two_joins_share_are_written_once_and_the_same():
    """A build's two workbooks carry the same pieces after covers of equal size: the second join
    reuses how the first wrote them, and gives the bytes it gives on its own."""
    covers = [pdf(f"<h1 id='cover'>{who} workbook</h1><input type='text' name='person.name'>", title=f"{who} workbook")
              for who in ("Mentor", "Mentee")]
    base = pdf("<h1 id='b'>Goals</h1><p><a href='#tail'>to the log</a></p><input type='checkbox' name='goal.done'>")
    tail = pdf("<h1 id='tail'>Meeting log</h1><textarea name='log.notes'></textarea>")
    numbers = pdf("<p>1</p><p style='break-before: page'>2</p>")
    parsed: dict[bytes, Any] = {}
    shared = [join(base, [cover], [tail], info_from=0, numbers=numbers, unnumbered=1, _parsed=parsed) for cover in covers]
    alone = [join(base, [cover], [tail], info_from=0, numbers=numbers, unnumbered=1) for cover in covers]
    assert shared == alone and shared[0] != shared[1]
    (tail_parsed,) = [p for p in parsed.values() if p.reader.get_num_pages() == 1 and p.dests and "tail" in map(str, p.dests)]
    assert len(tail_parsed.rewritten) == 1  # written once, reused by the second join
    third = join(base, [pdf("<h1>Other</h1><p>a</p><p>b</p><input name='x'><input name='y'>")], [tail], _parsed=parsed)
    assert third == join(base, [pdf("<h1>Other</h1><p>a</p><p>b</p><input name='x'><input name='y'>")], [tail])


class _Store:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.hits = 0

    def get(self, key: str) -> bytes | None:
        found = self.data.get(key)
        self.hits += found is not None
        return found

    def put(self, key: str, data: bytes) -> None:
        self.data[key] = data


def test_pieces_are_taken_as_the_last_build_wrote_them_and_the_join_is_the_same():
    """After an edit to one piece, the next build's join takes the other pieces' objects as the
    last build wrote them (kept in the cache), and gives the bytes a join from scratch gives."""
    cover = pdf("<h1 id='cover'>Mentor workbook</h1><input type='text' name='person.name'>", title="Mentor workbook")
    base = pdf("<h1 id='b'>Goals</h1><p><a href='#tail'>to the log</a></p><input type='checkbox' name='goal.done'>")
    survey = [pdf(f"<h1 id='s'>Survey</h1><p>Have you met as often as you {word}?</p>") for word in ("agreed", "planned")]
    tail = pdf("<h1 id='tail'>Meeting log</h1><textarea name='log.notes'></textarea>")
    store = _Store()
    first = join(base, [cover], [survey[0], tail], info_from=0, _parsed={}, _kept=store)
    assert first == join(base, [cover], [survey[0], tail], info_from=0) and len(store.data) == 3
    edited = join(base, [cover], [survey[1], tail], info_from=0, _parsed={}, _kept=store)
    assert edited == join(base, [cover], [survey[1], tail], info_from=0)
    assert store.hits == 2  # the cover and the meeting log; the edited survey was written anew
    for key in store.data:
        store.data[key] = b"damaged"
    assert join(base, [cover], [survey[1], tail], info_from=0, _parsed={}, _kept=store) == edited
