"""Join PDFs that WeasyPrint made into one, keeping what makes them usable (the only module that edits PDFs).

Why pikepdf (qpdf), measured with benchmarks/joins.py (2 shared, busy cores; best of 3 runs): joining
one personalised cover onto the shared 21-page workbook body (about 530 kB, 2,400 objects; what
`mentorkit workbooks` does once per person) takes 40-47 ms per join here. With pypdf's public API,
only inserting the cover's page and writing the file, with no structure tree, fields, bookmarks or
destinations (a lower bound for a pypdf join), takes 470-850 ms rewriting the file
(`PdfWriter(clone_from=...)`) and 470-700 ms as an incremental update (`incremental=True`, which
parses and hashes every object of the base to find what changed): ten times slower or more. Joining
a body's nine pieces and its page numbers takes 85-115 ms here. pikepdf's `copy_foreign` also
renumbers references and keeps one copy of an object several copied objects share, which is what
joining is. Only its public API is used: `Pdf.open`, `Pdf.copy_foreign`, `pages.insert/append`,
`NumberTree`, `NameTree`, `Page.as_form_xobject`, `Page.contents_add`, `Pdf.open_metadata`,
dictionary access, and `Pdf.save(deterministic_id=True)` with fixed object stream settings.

The base PDF is opened and the parts are copied into it; the result is written anew (qpdf cannot
append an incremental update), with object streams generated and streams kept as they are stored.

What survives a join: every page in order; the PDF/UA structure tree (the parts' elements become
children of the base's Document element, their marked-content keys moved past the base's); form
fields (names must stay unique: a clash is a JoinError, never a silent rename; the fonts of /DR
merged); bookmarks in page order; named destinations, so links keep working; title and language
metadata, taken from the base or from one of the parts, or given.

Two things a join adds, so that pieces of a document can be laid out (and cached) apart:
- links written as `mentorkit-dest:NAME` (WeasyPrint keeps them as URI links, since the anchor is
  in another piece) become links to the named destination NAME, as WeasyPrint writes an internal link;
- page numbers: the pages of a separately rendered *overlay* PDF (one page per page of the
  result, holding only the "Page N of M" footer) are drawn onto the pages, marked as pagination
  artifacts so screen readers skip them.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cached_property

from pikepdf import (
    Array,
    Dictionary,
    Name,
    NameTree,
    NumberTree,
    Object,
    ObjectStreamMode,
    Page,
    Pdf,
    Stream,
    StreamDecodeLevel,
    String,
)

from .plan import DEST_SCHEME

log = logging.getLogger("mentorkit")


class JoinError(ValueError):
    """These PDFs cannot be joined without losing something (a clash of names, an unexpected layout)."""


STAMP = Name("/MkPageNumber")
# drawn after a page's own content, whose graphics state is saved before it and restored here
STAMP_CONTENT = b"Q\nq /Artifact <</Type /Pagination /Subtype /Footer>> BDC /MkPageNumber Do EMC Q\n"
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
# a font file this large is worth carrying once when several inputs embed it (a form's full font)
SHARED_STREAM = 4096
# what a part's catalog may hold that a join carries or replaces; anything else is logged as left out
KNOWN_CATALOG = {"/Type", "/Pages", "/Lang", "/MarkInfo", "/Metadata", "/Names", "/Outlines",
                 "/StructTreeRoot", "/ViewerPreferences", "/AcroForm"}


def listed(value: object) -> list[Object]:
    """A PDF value that may be one item or an array of them, as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, Array) else [value]  # type: ignore[arg-type, list-item]


def same(a: object, b: object) -> bool:
    """Whether two values are the same indirect object of one PDF."""
    return (isinstance(a, Object) and isinstance(b, Object) and a.is_indirect and b.is_indirect
            and a.objgen == b.objgen)


def carried(out: Pdf, value: object) -> object:
    """A value of another PDF, usable in `out`: indirect objects copied (once: qpdf remembers what it
    copied from each PDF), direct containers rebuilt around them."""
    if isinstance(value, Object) and value.is_indirect:
        return out.copy_foreign(value)
    if isinstance(value, Array):
        return Array([carried(out, item) for item in value])
    if isinstance(value, Dictionary):
        return Dictionary({key: carried(out, item) for key, item in value.items()})
    return value


@dataclass
class Input:
    """One PDF of a join, and what a join reads from it."""

    pdf: Pdf
    index: int  # place among before + base + after
    base: bool
    shift: int = 0  # added to its marked-content keys
    doc: Dictionary | None = None  # its one Document structure element
    fonts: dict[bytes, tuple[Dictionary, str]] = field(default_factory=dict)  # font file key -> holder

    @property
    def tree(self) -> Dictionary | None:
        return self.pdf.Root.get("/StructTreeRoot")  # type: ignore[return-value]

    def parent_tree(self) -> list[tuple[int, Object]]:
        """The marked-content keys and what they belong to, in order."""
        tree = self.tree
        if tree is None or "/ParentTree" not in tree:
            return []
        return list(NumberTree(tree.ParentTree).items())

    def next_key(self) -> int:
        """The first marked-content key this part does not use."""
        tree = self.tree
        stated = int(tree.get("/ParentTreeNextKey", 0)) if tree is not None else 0
        return max([stated, *(k + 1 for k, _ in self.parent_tree())])

    @cached_property
    def dests(self) -> dict[str, Object]:
        names = self.pdf.Root.get("/Names")
        if names is None or "/Dests" not in names:
            return {}
        return {str(name): dest for name, dest in NameTree(names.Dests).items()}

    @cached_property
    def fields(self) -> list[Dictionary]:
        acro = self.pdf.Root.get("/AcroForm")
        return listed(acro.get("/Fields")) if acro is not None else []  # type: ignore[return-value]

    def field_names(self) -> set[str]:
        """The fully qualified name of every field (a field named "a" with a kid "b" gives "a" and "a.b")."""
        # a set: WeasyPrint lists a radio button's widgets in /Fields as well as under their field
        names: set[str] = set()
        todo = [(f, "") for f in self.fields]
        while todo:
            node, prefix = todo.pop()
            if "/T" not in node:
                continue  # a widget of its parent field
            name = f"{prefix}.{node.T}" if prefix else str(node.T)
            names.add(name)
            todo += [(kid, name) for kid in listed(node.get("/Kids"))]  # type: ignore[misc]
        return names

    def outline_items(self) -> list[Dictionary]:
        """The top-level bookmarks, in order."""
        root = self.pdf.Root.get("/Outlines")
        items: list[Dictionary] = []
        seen: set[tuple[int, int]] = set()
        item = root.get("/First") if root is not None else None
        while isinstance(item, Dictionary) and item.objgen not in seen:  # a damaged chain may loop
            seen.add(item.objgen)
            items.append(item)
            item = item.get("/Next")
        return items


def document_element(inp: Input) -> Dictionary | None:
    """The one Document element under the structure tree root (None: an untagged PDF); a part's
    Document element must hold only structure elements, which are moved to the base's."""
    tree = inp.tree
    if tree is None:
        return None
    top = listed(tree.get("/K"))
    if len(top) != 1 or not isinstance(top[0], Dictionary) or not top[0].is_indirect or top[0].get("/S") != "/Document":
        raise JoinError("structure tree without one Document element")
    if not inp.base and any(not isinstance(kid, Dictionary) for kid in listed(top[0].get("/K"))):
        raise JoinError("marked content directly under the Document element")
    return top[0]


def font_key(stream: Stream) -> bytes | None:
    """A content key for a large font file, for carrying it once (its dictionary holds no references)."""
    if any(isinstance(v, Object) and v.is_indirect for _, v in stream.stream_dict.items()):
        return None
    raw = stream.read_raw_bytes()
    if len(raw) < SHARED_STREAM:
        return None
    head = sorted((k, repr(v)) for k, v in stream.stream_dict.items() if k != "/Length")
    return hashlib.sha256(repr(head).encode() + b"\0" + raw).digest()


def prepare_part(part: Input, dests: Destinations) -> list[Dictionary]:
    """Edit a part (which only this join holds) so that copying it carries only what the result
    needs: marked-content keys shifted, links between pieces resolved, its own structure and outline
    roots cut off (their children are hung on the base's after copying). Returns the elements whose
    parent was the part's Document element."""
    doc, orphans = part.doc, []
    for obj in part.pdf.objects:
        if not isinstance(obj, (Dictionary, Stream)):  # a form XObject's /StructParents is in its stream's
            continue
        for key in ("/StructParent", "/StructParents"):
            if key in obj and part.shift:
                obj[key] = int(obj[key]) + part.shift
        if doc is not None and same(obj.get("/P"), doc):
            del obj["/P"]
            orphans.append(obj)
        if obj.get("/Type") == "/FontDescriptor":
            for key in FONT_FILES:
                if isinstance(obj.get(key), Stream):
                    found = font_key(obj[key])  # type: ignore[arg-type]
                    if found is not None:
                        part.fonts.setdefault(found, (obj, key))  # type: ignore[arg-type]
    for page in part.pdf.pages:
        relink(page, dests)
    for item in part.outline_items():
        del item["/Parent"]
    return orphans  # type: ignore[return-value]


class Destinations:
    """The named destinations of all inputs, read when a part has some or a link needs them."""

    def __init__(self, ordered: list[Input]):
        self.ordered = ordered

    @cached_property
    def names(self) -> set[str]:
        """Every destination name; one named twice is refused."""
        seen: set[str] = set()
        for inp in self.ordered:
            own = set(inp.dests)
            if seen & own:
                raise JoinError(f"destination names used twice: {', '.join(sorted(seen & own))}")
            seen |= own
        return seen


def relink(page: Page, dests: Destinations) -> None:
    """Links to `mentorkit-dest:NAME` as WeasyPrint writes an internal link to NAME."""
    for annot in listed(page.obj.get("/Annots")):
        if not isinstance(annot, Dictionary) or annot.get("/Subtype") != "/Link":
            continue
        action = annot.get("/A")
        uri = action.get("/URI") if isinstance(action, Dictionary) and action.get("/S") == "/URI" else None
        if uri is None or not str(uri).startswith(DEST_SCHEME):
            continue
        name = str(uri)[len(DEST_SCHEME):]
        if name not in dests.names:
            raise JoinError(f"link to a destination no piece has: {name}")
        del annot["/A"]
        annot.Contents = String(name)
        annot.Dest = String(name)


def check_fields(ordered: list[Input]) -> None:
    """Refuse form fields named twice (the base's are read only when a part has fields)."""
    if not any(inp.fields for inp in ordered if not inp.base):
        return
    seen: set[str] = set()
    for inp in ordered:
        own = inp.field_names()
        if seen & own:
            raise JoinError(f"form field names used twice: {', '.join(sorted(seen & own))}")
        seen |= own


def pdf_key(name: str) -> bytes:
    """A name tree key's bytes as the PDF stores them: name trees are sorted by them."""
    return bytes(String(name))


def join(base: bytes, before: Sequence[bytes] = (), after: Sequence[bytes] = (), *,
         info_from: int | None = None, title: str | None = None, numbers: bytes | None = None,
         unnumbered: int = 0, dated: str | None = None) -> bytes:
    """`before` + `base` + `after` as one PDF; `info_from` (an index into before + after) picks the metadata."""
    # `info_from`: None keeps the base's title and language, an index takes that part's (a
    # personalised cover names the person); `title`, if given, replaces the title in it. `numbers`
    # is an overlay PDF with as many pages as the result after the first `unnumbered` (a cover).
    # `dated` (a UTC time, 2027-03-01T09:00:00Z), if given, is when the document was created and
    # last modified: the parts are laid out without a date, so that a new date joins them again
    # instead of laying every one of them out again.
    with ExitStack() as stack:
        def opened(data: bytes) -> Pdf:
            return stack.enter_context(Pdf.open(io.BytesIO(data)))

        out = opened(base)
        parts = [opened(data) for data in [*before, *after]]
        inputs = [Input(p, i if i < len(before) else i + 1, False) for i, p in enumerate(parts)]
        b = Input(out, len(before), True)
        ordered = sorted([b, *inputs], key=lambda inp: inp.index)
        if info_from is not None and not 0 <= info_from < len(parts):
            raise JoinError(f"no part {info_from} to take the metadata from")
        _join(out, b, inputs, ordered)
        if numbers is not None:
            stamp(out, opened(numbers), unnumbered)
        metadata(out, inputs[info_from] if info_from is not None else None, title, dated)
        buffer = io.BytesIO()
        version = max([out.pdf_version, *(p.pdf_version for p in parts)])
        # fixed settings, no timestamps: the same inputs give the same bytes
        out.save(buffer, deterministic_id=True, object_stream_mode=ObjectStreamMode.generate,
                 compress_streams=True, stream_decode_level=StreamDecodeLevel.none, min_version=version)
        return buffer.getvalue()


def _join(out: Pdf, b: Input, inputs: list[Input], ordered: list[Input]) -> None:
    """Copy the parts into the base `out`, hanging their structure, fields, bookmarks and destinations on its own."""
    b.doc = document_element(b)
    for inp in inputs:
        inp.doc = document_element(inp)
        if inp.doc is not None and b.doc is None:
            raise JoinError("a tagged part cannot join an untagged base")
        for key in sorted(set(inp.pdf.Root.keys()) - KNOWN_CATALOG):
            log.warning("joining PDFs: a part's %s is not carried over", key)
        names = inp.pdf.Root.get("/Names")
        if names is not None and set(names.keys()) - {"/Dests"}:
            raise JoinError(f"a part has names a join does not carry: {', '.join(sorted(names.keys()))}")
    check_fields(ordered)
    dests = Destinations(ordered)
    if any(inp.dests for inp in inputs):
        dests.names  # noqa: B018 (refuses a name used twice)
    for page in out.pages:  # before the parts' pages join them: those are relinked in their own PDF
        relink(page, dests)
    if not inputs:
        return
    nums = flat_parent_tree(out, b)
    shift = base_next_key(b, nums)
    orphans: dict[int, list[Dictionary]] = {}
    for inp in inputs:
        inp.shift = shift
        shift += inp.next_key()
        orphans[inp.index] = prepare_part(inp, dests)
    # the base's font files are indexed (before the parts' join them) only if a part has one to share
    known = font_files(out) if any(inp.fonts for inp in inputs) else {}

    # pages first: whatever is copied later and refers to a page (structure, destinations,
    # bookmarks) is then given the copy rather than a second one
    position = 0
    for inp in ordered:
        if inp.base:
            position += len(out.pages)
            continue
        for page in inp.pdf.pages:
            if position < len(out.pages):
                out.pages.insert(position, page)
            else:
                out.pages.append(page)
            position += 1

    structure(out, b, inputs, orphans, nums)
    share_fonts(out, known, inputs)
    forms(out, b, ordered)
    outlines(out, ordered)
    destinations(out, ordered)
    if b.tree is not None and "/ParentTreeNextKey" in b.tree:
        b.tree.ParentTreeNextKey = shift


def flat_parent_tree(out: Pdf, b: Input) -> Array | None:
    """The base's parent tree as one /Nums array, as WeasyPrint writes it (a nested tree is flattened)."""
    tree = b.tree
    if tree is None:
        return None
    parent_tree = tree.get("/ParentTree")
    if parent_tree is None or "/Kids" in parent_tree or "/Nums" not in parent_tree:
        pairs = b.parent_tree()
        tree.ParentTree = out.make_indirect(Dictionary(Nums=Array([x for pair in pairs for x in pair])))
    return tree.ParentTree.Nums  # type: ignore[return-value]


def base_next_key(b: Input, nums: Array | None) -> int:
    """The first marked-content key the base does not use: after its last (a number tree is sorted)."""
    tree = b.tree
    stated = int(tree.get("/ParentTreeNextKey", 0)) if tree is not None else 0
    return max(stated, int(nums[-2]) + 1 if nums is not None and len(nums) >= 2 else 0)


def structure(out: Pdf, b: Input, inputs: list[Input], orphans: dict[int, list[Dictionary]], nums: Array | None) -> None:
    """Every part's structure elements under the base's Document element, in page order; one parent tree."""
    if b.doc is None or nums is None:
        return
    if not isinstance(b.doc.get("/K"), Array):
        b.doc.K = Array(listed(b.doc.get("/K")))
    kids: Array = b.doc.K  # type: ignore[assignment]
    position = 0
    for inp in inputs:
        own = [carried(out, kid) for kid in listed(inp.doc.get("/K"))] if inp.doc is not None else []
        if inp.index < b.index:
            for kid in own:
                kids.insert(position, kid)
                position += 1
        else:
            kids.extend(own)  # type: ignore[arg-type]
        for elem in orphans[inp.index]:
            out.copy_foreign(elem).P = b.doc  # type: ignore[union-attr]
    # the parts' keys follow the base's, in order, so the parent tree stays sorted when they are appended
    for inp in inputs:
        for key, value in inp.parent_tree():
            items = [b.doc if same(item, inp.doc) else carried(out, item) for item in listed(value)]
            nums.extend([key + inp.shift, Array(items) if isinstance(value, Array) else items[0]])  # type: ignore[list-item]


def font_files(pdf: Pdf) -> dict[bytes, Stream]:
    """The large font files of a PDF, by content."""
    found: dict[bytes, Stream] = {}
    for obj in pdf.objects:
        if isinstance(obj, Dictionary) and obj.get("/Type") == "/FontDescriptor":
            for key in FONT_FILES:
                if isinstance(obj.get(key), Stream):
                    digest = font_key(obj[key])  # type: ignore[arg-type]
                    if digest is not None:
                        found.setdefault(digest, obj[key])  # type: ignore[arg-type]
    return found


def share_fonts(out: Pdf, known: dict[bytes, Stream], inputs: list[Input]) -> None:
    """A large font file that several inputs embed (WeasyPrint embeds a form's font whole) carried
    once: the copied font descriptors point at the first copy (the others are then not written)."""
    for inp in inputs:
        for digest, (holder, key) in inp.fonts.items():
            copy = out.copy_foreign(holder)
            if digest in known:
                copy[key] = known[digest]
            else:
                known[digest] = copy[key]  # type: ignore[assignment]


def font_size(font: object) -> int:
    """The stored size of a font's embedded file (0: none found)."""
    if not isinstance(font, Dictionary):
        return 0
    descendants = listed(font.get("/DescendantFonts"))
    descriptor = (descendants[0] if descendants and isinstance(descendants[0], Dictionary) else font).get("/FontDescriptor")
    if not isinstance(descriptor, Dictionary):
        return 0
    files = [descriptor[key] for key in FONT_FILES if isinstance(descriptor.get(key), Stream)]
    return len(files[0].read_raw_bytes()) if files else 0  # type: ignore[union-attr]


def forms(out: Pdf, b: Input, ordered: list[Input]) -> None:
    """Every input's form fields in page order, with the fonts they may use."""
    if not any(inp.fields for inp in ordered if not inp.base):
        return
    acro = out.Root.get("/AcroForm")
    if acro is None:
        acro = out.Root.AcroForm = out.make_indirect(Dictionary())
    fields: list[object] = []
    dr_fonts: dict[str, object] = {}
    for inp in ordered:
        acro_in = inp.pdf.Root.get("/AcroForm")
        if acro_in is None:
            continue
        fields += inp.fields if inp.base else [carried(out, f) for f in inp.fields]
        dr = acro_in.get("/DR")
        for name, font in (dr.get("/Font", {}) if dr is not None else {}).items():
            # one name may be a subset in one input and the whole font (a text field's) in another:
            # keep the larger, which shows whatever is typed
            if name not in dr_fonts or font_size(font) > font_size(dr_fonts[name]):
                dr_fonts[name] = font if inp.base else carried(out, font)
        if "/NeedAppearances" in acro_in and "/NeedAppearances" not in acro:
            acro.NeedAppearances = acro_in.NeedAppearances
    acro.Fields = Array(fields)
    if dr_fonts:
        # a new dictionary: WeasyPrint's /DR is its pages' /Resources, which must keep their own fonts
        dr = Dictionary(dict(acro.get("/DR", Dictionary()).items()))
        dr.Font = Dictionary({name: dr_fonts[name] for name in sorted(dr_fonts)})
        acro.DR = dr


def outlines(out: Pdf, ordered: list[Input]) -> None:
    """The top-level bookmarks of every input, chained in page order under one outline root."""
    if not any(inp.outline_items() for inp in ordered if not inp.base):
        return
    chains = [(inp, inp.outline_items() if inp.base else [carried(out, i) for i in inp.outline_items()])
              for inp in ordered]
    chains = [(inp, items) for inp, items in chains if items]
    root = out.Root.get("/Outlines")
    if root is None:
        root = out.Root.Outlines = out.make_indirect(Dictionary(Type=Name.Outlines))
    count = 0
    for (_, items), (_, following) in zip(chains, chains[1:], strict=False):
        items[-1].Next = following[0]  # type: ignore[attr-defined, union-attr]
        following[0].Prev = items[-1]  # type: ignore[attr-defined, union-attr]
    for inp, items in chains:
        for item in items:
            item.Parent = root  # type: ignore[attr-defined, union-attr]
        own = inp.pdf.Root.Outlines
        count += int(own.get("/Count", 0))
    root.First, root.Last, root.Count = chains[0][1][0], chains[-1][1][-1], count


def destinations(out: Pdf, ordered: list[Input]) -> None:
    """One name tree of every input's named destinations (their names were made distinct above)."""
    if not any(inp.dests for inp in ordered if not inp.base):
        return
    entries = sorted(((name, value if inp.base else carried(out, value))
                      for inp in ordered for name, value in inp.dests.items()), key=lambda e: pdf_key(e[0]))
    names = out.Root.get("/Names")
    if names is None:
        names = out.Root.Names = Dictionary()
    names.Dests = out.make_indirect(Dictionary(Names=Array([x for name, value in entries for x in (String(name), value)])))


def stamp(out: Pdf, overlay: Pdf, unnumbered: int) -> None:
    """Draw each overlay page onto a page of `out` after the first `unnumbered`, as a pagination artifact."""
    pages = len(out.pages) - unnumbered
    if len(overlay.pages) != pages:
        raise JoinError(f"page-number overlay has {len(overlay.pages)} pages for {pages}")
    before, after = Stream(out, b"q\n"), Stream(out, STAMP_CONTENT)
    for page, source in zip(list(out.pages)[unnumbered:], overlay.pages, strict=True):
        form = out.copy_foreign(source.as_form_xobject())
        # a page's resources may be shared with other pages, each of which draws its own number
        resources = Dictionary(dict(page.obj.get("/Resources", Dictionary()).items()))
        xobjects = Dictionary(dict(resources.get("/XObject", Dictionary()).items()))
        if STAMP in xobjects:
            raise JoinError("page already has a page-number overlay")
        xobjects[STAMP] = form
        resources.XObject = xobjects
        page.obj.Resources = resources
        page.contents_add(before, prepend=True)
        page.contents_add(after, prepend=False)


def metadata(out: Pdf, source: Input | None, title: str | None, dated: str | None = None) -> None:
    """Title and language from `source` (a part), or the base's kept; then `title`, and `dated` as
    the dates of creation and modification, put in both the document information and the XMP
    metadata."""
    if source is not None:
        info = source.pdf.trailer.get("/Info")
        if info is not None:
            out.trailer.Info = carried(out, info)
        else:
            log.warning("joining PDFs: the part to take metadata from has no document information; the base's kept")
        meta = source.pdf.Root.get("/Metadata")
        if meta is not None:
            out.Root.Metadata = carried(out, meta)
        else:
            log.warning("joining PDFs: the part to take metadata from has no XMP metadata; the base's kept")
        if "/Lang" in source.pdf.Root:
            out.Root.Lang = source.pdf.Root.Lang
    if title is None and dated is None:
        return
    if title is not None:
        out.docinfo[Name.Title] = String(title)
    if dated is not None:  # as WeasyPrint writes a document's dates: D:20270301090000Z in the information
        out.docinfo[Name.CreationDate] = out.docinfo[Name.ModDate] = String("D:" + re.sub(r"[-:T]", "", dated))
    if "/Metadata" not in out.Root:
        log.warning("joining PDFs: no XMP metadata to put the title or the dates in; only the document information "
                    "has them")
        return
    # not marking pikepdf as the editor: that would stamp the current time into the metadata
    with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        if title is not None:
            xmp["dc:title"] = title
        if dated is not None:
            xmp["xmp:CreateDate"] = xmp["xmp:ModifyDate"] = dated
