"""Join PDFs that WeasyPrint made into one, keeping what makes them usable (the only pypdf-aware module).

The base PDF's bytes are kept as they are; the parts' objects are appended to it, renumbered, as
an incremental update (PDF 32000-1, 7.5.6), together with new versions of the few base objects
that list pages, structure elements, form fields, bookmarks and destinations. So the cost of a
join grows with the parts, not with the base: a personalised workbook is the shared body, laid
out and written once, plus one person's cover.

What survives a join: every page in order; the PDF/UA structure tree (the parts' elements become
children of the base's Document element, their marked-content keys moved past the base's); form
fields (names must stay unique: a clash is a JoinError, never a silent rename); bookmarks in page
order; named destinations, so links keep working; title and language metadata, taken from the base
or from one of the parts.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
    create_string_object,
)


class JoinError(ValueError):
    """These PDFs cannot be joined without losing something (a clash of names, an unexpected layout)."""


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_STRUCT_KEYS = (b"/StructParents", b"/StructParent")


def _ref(obj: Any) -> int | None:
    return obj.idnum if isinstance(obj, IndirectObject) else None


def _get(d: DictionaryObject, key: str) -> Any:
    """A dictionary value with indirect references resolved (None when absent)."""
    value = dict.get(d, NameObject(key))
    return value.get_object() if value is not None else None


@dataclass
class _Pdf:
    """The objects of one WeasyPrint PDF that a join rewrites."""

    reader: PdfReader
    root_num: int
    catalog: Any
    pages_num: int
    kids: list[Any]
    count: int
    tree_num: int | None
    tree: Any
    parent_tree_num: int | None
    nums: list[Any]
    doc_num: int | None
    doc: Any
    doc_kids: list[Any]
    outlines_num: int | None
    outlines: Any
    fields: list[Any]
    field_names: set[str]
    dr_fonts: dict[str, Any]
    dests: list[Any]

    @property
    def next_key(self) -> int:
        keys = [int(k) for k in self.nums[0::2]]
        return max(keys) + 1 if keys else 0


def _parse(data: bytes) -> _Pdf:
    reader = PdfReader(io.BytesIO(data))
    root_ref: Any = dict.get(reader.trailer, NameObject("/Root"))
    catalog = root_ref.get_object()
    pages_ref: Any = dict.get(catalog, NameObject("/Pages"))
    pages = pages_ref.get_object()
    kids = list(list.__iter__(_get(pages, "/Kids")))
    if any(_get(k.get_object(), "/Type") != "/Page" for k in kids):
        raise JoinError("nested page tree")
    tree_ref = dict.get(catalog, NameObject("/StructTreeRoot"))
    tree = tree_ref.get_object() if tree_ref is not None else None
    parent_tree_num, nums, doc_num, doc, doc_kids = None, [], None, None, []
    if tree is not None:
        pt_ref = dict.get(tree, NameObject("/ParentTree"))
        parent_tree = pt_ref.get_object() if pt_ref is not None else DictionaryObject()
        if _ref(pt_ref) is None or _get(parent_tree, "/Kids") is not None:
            raise JoinError("unexpected parent tree")
        parent_tree_num = _ref(pt_ref)
        nums = list(list.__iter__(_get(parent_tree, "/Nums") or ArrayObject()))
        top = _get(tree, "/K")
        top = list(list.__iter__(top)) if isinstance(top, list) else [dict.get(tree, NameObject("/K"))]
        if len(top) != 1 or _ref(top[0]) is None or _get(top[0].get_object(), "/S") != "/Document":
            raise JoinError("structure tree without one Document element")
        doc_num, doc = top[0].idnum, top[0].get_object()
        k = _get(doc, "/K")
        doc_kids = list(list.__iter__(k)) if isinstance(k, list) else ([dict.get(doc, NameObject("/K"))] if k else [])
    outlines_ref: Any = dict.get(catalog, NameObject("/Outlines"))
    outlines = outlines_ref.get_object() if outlines_ref is not None else None
    if outlines is not None and _get(outlines, "/First") is None:
        outlines = None
    acro = _get(catalog, "/AcroForm")
    fields = list(list.__iter__(_get(acro, "/Fields") or ArrayObject())) if acro is not None else []
    names = {str(_get(f.get_object(), "/T")) for f in fields}
    dr = _get(acro, "/DR") if acro is not None else None
    fonts = _get(dr, "/Font") if dr is not None else None
    dr_fonts = dict(dict.items(fonts)) if fonts is not None else {}
    dests: list[Any] = []
    name_dict = _get(catalog, "/Names")
    if name_dict is not None and _get(name_dict, "/Dests") is not None:
        tree_dests = _get(name_dict, "/Dests")
        if _get(tree_dests, "/Kids") is not None:
            raise JoinError("nested destination tree")
        dests = list(list.__iter__(_get(tree_dests, "/Names") or ArrayObject()))
    return _Pdf(reader, root_ref.idnum, catalog, pages_ref.idnum, kids, len(kids), _ref(tree_ref), tree,
                parent_tree_num, nums, doc_num, doc, doc_kids, _ref(outlines_ref) if outlines else None,
                outlines, fields, names, dr_fonts, dests)


class _Writer:
    """Serialises pypdf objects with references renumbered, collecting the update's objects."""

    def __init__(self, start: int):
        self.next = start
        self.objects: dict[int, bytes] = {}

    def new(self) -> int:
        self.next += 1
        return self.next - 1

    def put(self, num: int, obj: Any, remap: dict[int, int] | None = None, key_shift: int = 0) -> None:
        out = io.BytesIO()
        self._write(obj, out, remap, key_shift)
        self.objects[num] = out.getvalue()

    def _write(self, obj: Any, out: io.BytesIO, remap: dict[int, int] | None, shift: int) -> None:
        if isinstance(obj, _Remapped):
            self._write(obj.value, out, obj.remap, 0)
        elif isinstance(obj, _Final):
            out.write(b"%d 0 R" % obj.num)
        elif isinstance(obj, _Text):
            create_string_object(obj.text).write_to_stream(out)
        elif isinstance(obj, IndirectObject):
            num = obj.idnum if remap is None else remap.get(obj.idnum)
            if num is None:
                raise JoinError(f"reference to an object that is not carried over ({obj.idnum})")
            out.write(b"%d 0 R" % num)
        elif isinstance(obj, StreamObject):
            data = obj._data  # the stream exactly as stored (still encoded)
            head = DictionaryObject({k: v for k, v in dict.items(obj) if k != "/Length"})
            head[NameObject("/Length")] = NumberObject(len(data))
            self._write_dict(head, out, remap, shift)
            out.write(b"\nstream\n")
            out.write(data)
            out.write(b"\nendstream")
        elif isinstance(obj, dict):
            self._write_dict(obj, out, remap, shift)
        elif isinstance(obj, list):
            out.write(b"[")
            for i, item in enumerate(list.__iter__(obj)):
                if i:
                    out.write(b" ")
                self._write(item, out, remap, shift)
            out.write(b"]")
        elif isinstance(obj, PdfObject):
            obj.write_to_stream(out)
        else:
            raise JoinError(f"cannot write {type(obj).__name__}")

    def _write_dict(self, obj: dict[Any, Any], out: io.BytesIO, remap: dict[int, int] | None, shift: int) -> None:
        out.write(b"<<")
        for key, value in dict.items(obj):
            NameObject(key).write_to_stream(out)
            out.write(b" ")
            if shift and key.encode() in _STRUCT_KEYS and isinstance(value, int):
                value = NumberObject(int(value) + shift)
            self._write(value, out, remap, shift)
        out.write(b">>")


def _object_numbers(reader: PdfReader) -> list[int]:
    nums = set(reader.xref_objStm)
    for table in reader.xref.values():
        nums.update(table)
    return sorted(n for n in nums if n > 0)


@dataclass
class _Group:
    """One input's place in the joined PDF."""

    pdf: _Pdf
    remap: dict[int, int] | None  # old -> new object numbers; None for the base, whose numbers stay
    shift: int  # added to the keys of its marked content in the parent tree

    def num(self, ref: Any) -> int:
        return int(ref.idnum) if self.remap is None else self.remap[ref.idnum]

    def refs(self, items: list[Any]) -> list[Any]:
        return [_Final(self.num(item)) for item in items]


def _carried(p: _Pdf, w: _Writer, keep_info: bool) -> dict[int, int]:
    """New numbers for a part's objects; its catalog, page tree root, structure root, parent tree,
    Document element and outline root are replaced by the base's."""
    skip = {p.root_num, p.pages_num, p.tree_num, p.parent_tree_num, p.doc_num, p.outlines_num,
            _ref(dict.get(p.catalog, NameObject("/AcroForm"))), _ref(dict.get(p.catalog, NameObject("/Names")))}
    if not keep_info:
        skip |= {_ref(dict.get(p.reader.trailer, NameObject("/Info"))),
                 _ref(dict.get(p.catalog, NameObject("/Metadata")))}
    remap: dict[int, int] = {}
    for num in _object_numbers(p.reader):
        obj = p.reader.get_object(num)
        if num in skip or (isinstance(obj, StreamObject) and _get(obj, "/Type") in ("/ObjStm", "/XRef")):
            continue
        remap[num] = w.new()
    return remap


def join(base: bytes, before: Sequence[bytes] = (), after: Sequence[bytes] = (), *,
         info_from: int | None = None, _parsed: dict[bytes, _Pdf] | None = None) -> bytes:
    """`before` + `base` + `after` as one PDF. `info_from` picks the title metadata: None keeps the
    base's, an index into before + after takes that part's (a personalised cover names the person).
    `_parsed` keeps the parsed base between calls that share it.
    """
    cache = _parsed if _parsed is not None else {}
    key = hashlib.sha256(base).digest()
    if key not in cache:
        cache.clear()
        cache[key] = _parse(base)
    b = cache[key]
    size = int(dict.get(b.reader.trailer, NameObject("/Size")))  # type: ignore[arg-type]
    w = _Writer(size)
    parts = [_parse(data) for data in [*before, *after]]
    if b.doc is None and any(p.doc is not None for p in parts):
        raise JoinError("a tagged part cannot join an untagged base")
    outline_root = b.outlines_num
    if outline_root is None and any(p.outlines is not None for p in parts):
        outline_root = w.new()
    part_groups: list[_Group] = []
    shift = b.next_key
    for index, p in enumerate(parts):
        remap = _carried(p, w, index == info_from)
        remap[p.pages_num] = b.pages_num
        if p.doc_num is not None and p.tree_num is not None and b.doc_num is not None and b.tree_num is not None:
            remap[p.doc_num], remap[p.tree_num] = b.doc_num, b.tree_num
        if p.outlines_num is not None and outline_root is not None:
            remap[p.outlines_num] = outline_root
        part_groups.append(_Group(p, remap, shift))
        shift += p.next_key
    groups = [*part_groups[:len(before)], _Group(b, None, 0), *part_groups[len(before):]]
    fonts = _unique_names(groups)

    # bookmarks: the top-level items of every input, chained in page order
    patches: dict[int, dict[str, int]] = {}
    chained = [g for g in groups if g.pdf.outlines is not None]
    for g1, g2 in zip(chained, chained[1:], strict=False):
        last, first = g1.num(dict.get(g1.pdf.outlines, NameObject("/Last"))), \
            g2.num(dict.get(g2.pdf.outlines, NameObject("/First")))
        patches.setdefault(last, {})["/Next"] = first
        patches.setdefault(first, {})["/Prev"] = last

    def patched(obj: Any, num: int) -> Any:
        if num not in patches:
            return obj
        copy = DictionaryObject(dict.items(obj))
        for k, v in patches[num].items():
            copy[NameObject(k)] = _Final(v)
        return copy

    for g in part_groups:
        assert g.remap is not None
        for old, new in sorted(g.remap.items(), key=lambda item: item[1]):
            if new >= size:  # not one of the base objects it was mapped onto
                w.put(new, patched(g.pdf.reader.get_object(old), new), g.remap, g.shift)
    for num in sorted(n for n in patches if n < size):  # base bookmarks next to a part's
        w.put(num, patched(b.reader.get_object(num), num))

    pages = DictionaryObject(dict.items(b.reader.get_object(b.pages_num)))  # type: ignore[arg-type]
    kids = [k for g in groups for k in g.refs(g.pdf.kids)]
    pages[NameObject("/Kids")] = ArrayObject(kids)
    pages[NameObject("/Count")] = NumberObject(len(kids))
    w.put(b.pages_num, pages)

    if b.doc is not None and b.doc_num is not None and b.parent_tree_num is not None:
        doc = DictionaryObject(dict.items(b.doc))
        doc[NameObject("/K")] = ArrayObject([k for g in groups for k in g.refs(g.pdf.doc_kids)])
        w.put(b.doc_num, doc)
        pairs = sorted(((int(k) + g.shift, _Remapped(v, g.remap)) for g in groups
                        for k, v in zip(g.pdf.nums[0::2], g.pdf.nums[1::2], strict=True)), key=lambda kv: kv[0])
        parent_tree = DictionaryObject(dict.items(b.reader.get_object(b.parent_tree_num)))  # type: ignore[arg-type]
        parent_tree[NameObject("/Nums")] = ArrayObject([x for k, v in pairs for x in (NumberObject(k), v)])
        w.put(b.parent_tree_num, parent_tree)

    catalog = DictionaryObject(dict.items(b.catalog))
    fields = [_Remapped(f, g.remap) for g in groups for f in g.pdf.fields]
    if fields:
        acro = DictionaryObject(dict.items(_get(b.catalog, "/AcroForm") or DictionaryObject()))
        acro[NameObject("/Fields")] = ArrayObject(fields)
        if fonts:
            dr = DictionaryObject(dict.items(_get(acro, "/DR") or DictionaryObject()))
            dr[NameObject("/Font")] = DictionaryObject({NameObject(n): fonts[n] for n in sorted(fonts)})
            acro[NameObject("/DR")] = dr
        for g in groups:
            part_acro = _get(g.pdf.catalog, "/AcroForm")
            if "/NeedAppearances" not in acro and part_acro is not None and "/NeedAppearances" in part_acro:
                acro[NameObject("/NeedAppearances")] = dict.get(part_acro, NameObject("/NeedAppearances"))
        catalog[NameObject("/AcroForm")] = acro
    dests = sorted(((str(k), _Remapped(v, g.remap)) for g in groups
                    for k, v in zip(g.pdf.dests[0::2], g.pdf.dests[1::2], strict=True)),
                   key=lambda d: d[0].encode("utf-16-be"))
    if dests:
        name_dict = DictionaryObject(dict.items(_get(b.catalog, "/Names") or DictionaryObject()))
        flat = ArrayObject([x for name, value in dests for x in (_Text(name), value)])
        name_dict[NameObject("/Dests")] = DictionaryObject({NameObject("/Names"): flat})
        catalog[NameObject("/Names")] = name_dict
    if chained and outline_root is not None:
        root = DictionaryObject(dict.items(b.outlines)) if b.outlines is not None else DictionaryObject()
        root[NameObject("/First")] = _Final(chained[0].num(dict.get(chained[0].pdf.outlines, NameObject("/First"))))
        root[NameObject("/Last")] = _Final(chained[-1].num(dict.get(chained[-1].pdf.outlines, NameObject("/Last"))))
        root[NameObject("/Count")] = NumberObject(sum(int(_get(g.pdf.outlines, "/Count") or 0) for g in chained))
        w.put(outline_root, root)
        catalog[NameObject("/Outlines")] = _Final(outline_root)
    info = _ref(dict.get(b.reader.trailer, NameObject("/Info")))
    if info_from is not None:
        g = part_groups[info_from]
        meta = dict.get(g.pdf.catalog, NameObject("/Metadata"))
        if meta is not None:
            catalog[NameObject("/Metadata")] = _Final(g.num(meta))
        part_info = dict.get(g.pdf.reader.trailer, NameObject("/Info"))
        info = g.num(part_info) if part_info is not None else info
    w.put(b.root_num, catalog)
    return _update(base, w, b.root_num, info, b.reader.trailer)


def _unique_names(groups: list[_Group]) -> dict[str, Any]:
    """Refuse form fields and destinations named twice; the fonts every form field may use."""
    fields: set[str] = set()
    dests: set[str] = set()
    fonts: dict[str, Any] = {}
    for g in groups:
        clash = fields & g.pdf.field_names
        if clash:
            raise JoinError(f"form field names used twice: {', '.join(sorted(clash))}")
        fields |= g.pdf.field_names
        names = {str(n) for n in g.pdf.dests[0::2]}
        if dests & names:
            raise JoinError(f"destination names used twice: {', '.join(sorted(dests & names))}")
        dests |= names
        for font, ref in g.pdf.dr_fonts.items():
            # WeasyPrint names a form font after the font file, so one name is one font: keep the first
            fonts.setdefault(font, _Remapped(ref, g.remap))
    return fonts


class _Remapped(PdfObject):
    """A value from one input, written with that input's renumbering (None: the base's numbers)."""

    def __init__(self, value: Any, remap: dict[int, int] | None):
        self.value, self.remap = value, remap


class _Final(PdfObject):
    """A reference by its number in the joined PDF."""

    def __init__(self, num: int):
        self.num = num


class _Text(PdfObject):
    def __init__(self, text: str):
        self.text = text


def _update(base: bytes, w: _Writer, root: int, info: int | None, trailer: DictionaryObject) -> bytes:
    match = _STARTXREF.search(base[-64:])
    if match is None:
        raise JoinError("base PDF has no startxref")
    prev = int(match.group(1))
    out = io.BytesIO()
    out.write(base)
    if not base.endswith(b"\n"):
        out.write(b"\n")
    offsets: dict[int, int] = {}
    for num in sorted(w.objects):
        offsets[num] = out.tell()
        out.write(b"%d 0 obj\n" % num)
        out.write(w.objects[num])
        out.write(b"\nendobj\n")
    xref_num = w.new()
    offsets[xref_num] = out.tell()
    nums = sorted(offsets)
    index: list[int] = []
    for num in nums:
        if index and index[-2] + index[-1] == num:
            index[-1] += 1
        else:
            index += [num, 1]
    rows = b"".join(b"\x01" + offsets[n].to_bytes(4, "big") + b"\x00\x00" for n in nums)
    head = (b"<</Type /XRef /Size %d /W [1 4 2] /Index [%s] /Prev %d /Root %d 0 R"
            % (xref_num + 1, " ".join(map(str, index)).encode(), prev, root))
    if info is not None:
        head += b" /Info %d 0 R" % info
    ident = dict.get(trailer, NameObject("/ID"))
    if ident is not None:
        first = bytes(ident[0].original_bytes if hasattr(ident[0], "original_bytes") else ident[0])
        second = hashlib.md5(out.getvalue()[len(base):], usedforsecurity=False).digest()
        head += b" /ID [<%s> <%s>]" % (first.hex().encode(), second.hex().encode())
    out.write(b"%d 0 obj\n" % xref_num + head + b" /Length %d>>\nstream\n" % len(rows) + rows + b"\nendstream\nendobj\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % offsets[xref_num])
    return out.getvalue()
