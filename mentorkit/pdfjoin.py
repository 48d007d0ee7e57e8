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
or from one of the parts, or given.

Two things a join adds, so that pieces of a document can be laid out (and cached) apart:
- links written as `mentorkit-dest:NAME` (WeasyPrint keeps them as URI links, since the anchor is
  in another piece) become links to the named destination NAME, exactly as WeasyPrint writes an
  internal link;
- page numbers: the pages of a separately rendered *overlay* PDF (one page per page of the
  result, holding only the "Page N of M" footer) are drawn onto the pages, marked as pagination
  artifacts so screen readers skip them.
"""

from __future__ import annotations

import hashlib
import io
import marshal
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

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
    read_object,
)

from .cache import unmarshal
from .plan import DEST_SCHEME


class JoinError(ValueError):
    """These PDFs cannot be joined without losing something (a clash of names, an unexpected layout)."""


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_STAMP = "MkPageNumber"
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
    _raw: dict[int, bytes] | None = None
    _streams: dict[bytes, int] | None = None
    _body: dict[int, tuple[bytes, bytes | None]] | None = None
    # this PDF's objects as a join wrote them, under everything that decided their bytes: a
    # build's two workbooks carry the same pieces, numbered alike, after covers of equal size
    rewritten: dict[tuple[Any, ...], dict[int, bytes]] = field(default_factory=dict)
    digest: bytes = b""  # of the PDF's bytes, when parsed through `_cached`

    @property
    def raw(self) -> dict[int, bytes]:
        """The bytes of each object kept in an object stream, by number, unparsed (most of a
        WeasyPrint PDF: structure elements, annotations, fonts' dictionaries)."""
        if self._raw is None:
            self._raw = _raw_objects(self.reader)
        return self._raw

    @property
    def body(self) -> dict[int, tuple[bytes, bytes | None]]:
        """The objects written in the file body (streams, mostly), unparsed: a dictionary's bytes and
        the stream's bytes as stored, or an object's bytes and None. Objects that cannot be sliced
        out with certainty are left to pypdf."""
        if self._body is None:
            self._body = _body_objects(self.reader, self.raw)
        return self._body

    @property
    def streams(self) -> dict[bytes, int]:
        """Large streams without references (font files) by content, for de-duplication."""
        if self._streams is None:
            self._streams = {}
            for num, (head, data) in sorted(self.body.items()):
                key = _stream_key(head, data)
                if key is not None:
                    self._streams.setdefault(key, num)
        return self._streams

    @property
    def next_key(self) -> int:
        keys = [int(k) for k in self.nums[0::2]]
        return max(keys) + 1 if keys else 0


def _reader(data: bytes) -> tuple[PdfReader, dict[int, bytes]]:
    """A pypdf reader that parses an object of an object stream only when it is asked for (pypdf
    parses every object of the stream at the first request: thousands, where a join needs dozens)."""
    reader = PdfReader(io.BytesIO(data))
    raw = _raw_objects(reader)
    whole = reader._get_object_from_stream

    def one(ref: IndirectObject) -> Any:
        piece = raw.get(ref.idnum)
        if piece is None:
            return whole(ref)
        obj: Any = read_object(io.BytesIO(piece), reader)  # typed more narrowly by newer pypdf
        reader.cache_indirect_object(0, ref.idnum, obj)
        return obj

    reader._get_object_from_stream = one  # type: ignore[method-assign,assignment]
    return reader, raw


_FIELD_NAME = re.compile(rb"\((?:[^\\()]|\\.)*\)|<[0-9A-Fa-f\s]*>|/T\s*(?=[(<])")


def _field_name(reader: PdfReader, raw: dict[int, bytes], field: Any) -> str:
    """A form field's name, read from its unparsed bytes where it can be (a widget's dictionary is
    long: appearance streams, colours, flags)."""
    data = raw.get(field.idnum) if isinstance(field, IndirectObject) else None
    if data is not None:
        tokens = _FIELD_NAME.finditer(data)
        for token in tokens:
            if token.group(0).startswith(b"/T"):
                value = next(tokens, None)
                if value is not None:
                    return str(read_object(io.BytesIO(value.group(0)), reader))
                break
    return str(_get(field.get_object(), "/T"))


def _parse(data: bytes) -> _Pdf:
    reader, raw = _reader(data)
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
    names = {_field_name(reader, raw, f) for f in fields}
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
                outlines, fields, names, dr_fonts, dests, raw)


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
        elif isinstance(obj, (StreamObject, _Stream)):
            data = obj.data if isinstance(obj, _Stream) else obj._data  # as stored (still encoded)
            head = DictionaryObject({k: v for k, v in dict.items(obj.head if isinstance(obj, _Stream) else obj)
                                     if k != "/Length"})
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


_TOKEN = re.compile(rb"\((?:[^\\()]|\\.)*\)|<[0-9A-Fa-f\s]*>|(/StructParents?)(\s+)(\d+)|(\d+)\s+(\d+)\s+R")


def _raw_objects(reader: PdfReader) -> dict[int, bytes]:
    """Objects of the object streams, sliced out of the decoded streams; only those whose one
    version is there (an object also listed in a cross-reference table is left to pypdf)."""
    listed = {num for table in reader.xref.values() for num in table}
    streams: dict[int, list[tuple[int, int]]] = {}
    for num, (holder, index) in reader.xref_objStm.items():
        if num not in listed:
            streams.setdefault(holder, []).append((index, num))
    raw: dict[int, bytes] = {}
    for stream_num in sorted(streams):
        stream: Any = reader.get_object(stream_num)
        data, first = stream.get_data(), int(_get(stream, "/First"))
        numbers = [int(x) for x in data[:first].split()]
        offsets = {numbers[i]: numbers[i + 1] for i in range(0, len(numbers), 2)}
        order = sorted(offsets.values())
        ends = dict(zip(order, [*order[1:], len(data) - first], strict=True))
        wanted = {num for _, num in streams[stream_num]}
        for num, offset in offsets.items():
            if num in wanted:
                raw[num] = data[first + offset:first + ends[offset]].strip()
    return raw


def _renumber(raw: bytes, remap: dict[int, int], shift: int) -> bytes:
    """An object's bytes with references renumbered and marked-content keys shifted (strings,
    where a user's text could look like a reference, are left alone)."""
    def sub(m: re.Match[bytes]) -> bytes:
        if m.group(4) is not None:
            num = remap.get(int(m.group(4)))
            if num is None or m.group(5) != b"0":
                raise JoinError(f"reference to an object that is not carried over ({int(m.group(4))})")
            return b"%d 0 R" % num
        if m.group(1) is not None and shift:
            return m.group(1) + m.group(2) + b"%d" % (int(m.group(3)) + shift)
        return m.group(0)
    return _TOKEN.sub(sub, raw)


_OBJECT = re.compile(rb"(\d+)\s+(\d+)\s+obj\b\s*")
_DICT_TOKEN = re.compile(rb"\((?:[^\\()]|\\.)*\)|<<|>>|<[0-9A-Fa-f\s]*>|[^()<>]+|.", re.S)
_STREAM = re.compile(rb"\s*stream(?:\r\n|\n)")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")


def _body_objects(reader: PdfReader, raw: dict[int, bytes]) -> dict[int, tuple[bytes, bytes | None]]:
    data: bytes = reader.stream.getvalue()  # type: ignore[union-attr]
    out: dict[int, tuple[bytes, bytes | None]] = {}
    for num, offset in reader.xref.get(0, {}).items():
        head = _OBJECT.match(data, offset)
        if num in raw or head is None or int(head.group(1)) != num or head.group(2) != b"0":
            continue
        start = head.end()
        if data.startswith(b"<<", start):
            depth, end = 0, -1
            for token in _DICT_TOKEN.finditer(data, start):
                depth += {b"<<": 1, b">>": -1}.get(token.group(0), 0)
                if depth == 0:
                    end = token.end()
                    break
            stream = _STREAM.match(data, end) if end > 0 else None
            if end > 0 and stream is not None:
                length = _LENGTH.search(data, start, end)
                if length is None:
                    continue
                body_start = stream.end()
                body = data[body_start:body_start + int(length.group(1))]
                if not re.match(rb"\s*endstream", data[body_start + len(body):body_start + len(body) + 16]):
                    continue
                out[num] = (data[start:end], body)
                continue
        close = data.find(b"endobj", start)
        if close > 0:
            out[num] = (data[start:close].strip(), None)
    return out


def _stream_key(head: bytes, data: bytes | None) -> bytes | None:
    """A content key for a large stream with no references in its dictionary (a font file)."""
    if data is None or len(data) < 4096 or _TOKEN_REF.search(head) or re.search(rb"/Type\s*/(ObjStm|XRef)\b", head):
        return None
    return hashlib.sha256(_LENGTH.sub(b"", head) + b"\0" + data).digest()


_TOKEN_REF = re.compile(rb"\d+\s+\d+\s+R\b")


def _carried(p: _Pdf, w: _Writer, keep_info: bool, streams: dict[bytes, int]) -> tuple[dict[int, int], set[int]]:
    """New numbers for a part's objects; its catalog, page tree root, structure root, parent tree,
    Document element and outline root are replaced by the base's. A font file some input already
    has is not carried again: its number is the earlier copy's (returned in the set)."""
    skip = {p.root_num, p.pages_num, p.tree_num, p.parent_tree_num, p.doc_num, p.outlines_num,
            _ref(dict.get(p.catalog, NameObject("/AcroForm"))), _ref(dict.get(p.catalog, NameObject("/Names")))}
    if not keep_info:
        skip |= {_ref(dict.get(p.reader.trailer, NameObject("/Info"))),
                 _ref(dict.get(p.catalog, NameObject("/Metadata")))}
    remap: dict[int, int] = {}
    aliased: set[int] = set()
    raw = p.raw
    for num in _object_numbers(p.reader):
        if num in skip:
            continue
        if num not in raw:  # in the file body: a stream (never inside an object stream)
            sliced = p.body.get(num)
            if sliced is not None:
                if re.search(rb"/Type\s*/(ObjStm|XRef)\b", sliced[0]):
                    continue
                key = _stream_key(*sliced)
            else:
                obj = p.reader.get_object(num)
                if isinstance(obj, StreamObject) and _get(obj, "/Type") in ("/ObjStm", "/XRef"):
                    continue
                key = None
            if key is not None and key in streams:
                remap[num] = streams[key]
                aliased.add(num)
                continue
            remap[num] = w.new()
            if key is not None:
                streams[key] = remap[num]
            continue
        remap[num] = w.new()
    return remap, aliased


def _cached(data: bytes, cache: dict[bytes, _Pdf]) -> _Pdf:
    key = hashlib.sha256(data).digest()
    if key not in cache:
        if len(cache) > 64:
            cache.clear()
        cache[key] = _parse(data)
        cache[key].digest = key
    return cache[key]


class Kept(Protocol):
    """Where a join keeps how it wrote each piece, for the next build's joins (`join`'s `_kept`)."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...


def _kept_rewrite(data: bytes | None) -> dict[int, bytes] | None:
    """A kept rewrite, or None when there is none or it is damaged."""
    value = unmarshal(data)
    if not isinstance(value, dict) or not all(isinstance(k, int) and isinstance(v, bytes) for k, v in value.items()):
        return None
    return value


def prepare(data: bytes, parsed: dict[bytes, _Pdf]) -> None:
    """Parse a PDF ahead of the joins that will take it as a part, given the same `_parsed`."""
    _cached(data, parsed)


def layout(data: bytes) -> tuple[int, dict[str, int]]:
    """The number of pages of a PDF, and the page (from 0) each named destination is on."""
    p = _parse(data)
    index = {ref.idnum: i for i, ref in enumerate(p.kids)}
    anchors: dict[str, int] = {}
    for name, value in zip(p.dests[0::2], p.dests[1::2], strict=True):
        target = value.get_object()
        if isinstance(target, list) and target and _ref(target[0]) in index:
            anchors[str(name)] = index[target[0].idnum]
    return p.count, anchors


def join(base: bytes, before: Sequence[bytes] = (), after: Sequence[bytes] = (), *,
         info_from: int | None = None, title: str | None = None, numbers: bytes | None = None,
         unnumbered: int = 0, _parsed: dict[bytes, _Pdf] | None = None, _kept: Kept | None = None) -> bytes:
    """`before` + `base` + `after` as one PDF. `info_from` picks the title metadata: None keeps the
    base's, an index into before + after takes that part's (a personalised cover names the person);
    `title`, if given, replaces the title in it. `numbers` is an overlay PDF with as many pages as
    the result after the first `unnumbered` (a cover), drawn onto them: the page numbers.
    `_parsed` keeps parsed inputs between calls that share them, and how each part was written;
    `_kept` keeps the latter from one build to the next (after an edit to one piece, the others
    are numbered as they were, and their objects are taken as they were written).
    """
    cache = _parsed if _parsed is not None else {}
    b = _cached(base, cache)
    size = int(dict.get(b.reader.trailer, NameObject("/Size")))  # type: ignore[arg-type]
    w = _Writer(size)
    parts = [_cached(data, cache) if _parsed is not None else _parse(data) for data in [*before, *after]]
    if b.doc is None and any(p.doc is not None for p in parts):
        raise JoinError("a tagged part cannot join an untagged base")
    outline_root = b.outlines_num
    if outline_root is None and any(p.outlines is not None for p in parts):
        outline_root = w.new()
    part_groups: list[_Group] = []
    shift = b.next_key
    streams = dict(b.streams)
    aliases: dict[int, set[int]] = {}
    for index, p in enumerate(parts):
        remap, aliases[index] = _carried(p, w, index == info_from, streams)
        remap[p.pages_num] = b.pages_num
        if p.doc_num is not None and p.tree_num is not None and b.doc_num is not None and b.tree_num is not None:
            remap[p.doc_num], remap[p.tree_num] = b.doc_num, b.tree_num
        if p.outlines_num is not None and outline_root is not None:
            remap[p.outlines_num] = outline_root
        part_groups.append(_Group(p, remap, shift))
        shift += p.next_key
    groups = [*part_groups[:len(before)], _Group(b, None, 0), *part_groups[len(before):]]
    fonts = _unique_names(groups)
    names = {str(n) for g in groups for n in g.pdf.dests[0::2]}
    total = sum(g.pdf.count for g in groups)
    stamps = _stamp_forms(_cached(numbers, cache), w, total - unnumbered) if numbers else []
    page_stamp: dict[tuple[int, int], int] = {}
    position = 0
    for i, g in enumerate(groups):
        for ref in g.pdf.kids:
            if stamps and position >= unnumbered:
                page_stamp[(i, ref.idnum)] = stamps[position - unnumbered]
            position += 1
    brackets = _brackets(w) if stamps else (0, 0)
    base_index = len(before)

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

    def edited(obj: Any, index: int, old: int) -> Any:
        obj = _relinked(obj, names)
        form = page_stamp.get((index, old))
        return _stamped(obj, form, brackets) if form is not None else obj

    marker = DEST_SCHEME.encode()
    all_names = tuple(sorted(names))
    for index, g in enumerate(groups):
        if g.remap is None:
            continue
        skipped = aliases[index if index < base_index else index - 1]
        numbered = sorted(g.remap.items(), key=lambda item: item[1])
        written = tuple(new for _, new in numbered)
        memo = (tuple(numbered), g.shift, tuple(sorted(skipped)), size, brackets, all_names,
                tuple(sorted((num, tuple(sorted(patches[num].items()))) for num in written if num in patches)),
                tuple(sorted((old, form) for (i, old), form in page_stamp.items() if i == index)))
        kept_key = hashlib.sha256(g.pdf.digest + repr(memo).encode()).hexdigest() \
            if _kept is not None and g.pdf.digest else None
        if memo not in g.pdf.rewritten and kept_key is not None and _kept is not None:
            found = _kept_rewrite(_kept.get(kept_key))
            if found is not None and set(found) == {new for old, new in numbered if new >= size and old not in skipped}:
                g.pdf.rewritten[memo] = found
        if memo in g.pdf.rewritten:
            w.objects.update(g.pdf.rewritten[memo])
            continue
        raw = g.pdf.raw
        for old, new in numbered:
            if new < size or old in skipped:  # one of the base's objects, or a font file carried already
                continue
            data = raw.get(old)
            sliced = g.pdf.body.get(old) if data is None else None
            plain = new not in patches and (index, old) not in page_stamp
            if data is not None and plain and marker not in data:
                w.objects[new] = _renumber(data, g.remap, g.shift)  # as it is, renumbered: no parsing
            elif sliced is not None and plain and marker not in sliced[0]:
                head = _renumber(sliced[0], g.remap, g.shift)
                w.objects[new] = head if sliced[1] is None else head + b"\nstream\n" + sliced[1] + b"\nendstream"
            else:
                w.put(new, patched(edited(g.pdf.reader.get_object(old), index, old), new), g.remap, g.shift)
        g.pdf.rewritten[memo] = {new: w.objects[new] for old, new in numbered
                                 if new >= size and old not in skipped and new in w.objects}
        if kept_key is not None and _kept is not None:
            _kept.put(kept_key, marshal.dumps(g.pdf.rewritten[memo]))
    base_edits = set(patches) | {ref.idnum for ref in b.kids if (base_index, ref.idnum) in page_stamp}
    for ref in b.kids:  # the base's links to other pieces
        for annot in list.__iter__(_get(ref.get_object(), "/Annots") or ArrayObject()):
            data = b.raw.get(annot.idnum) if _ref(annot) is not None else None
            if data is not None and marker not in data:
                continue
            if _ref(annot) is not None and _relinked(annot.get_object(), names) is not annot.get_object():
                base_edits.add(annot.idnum)
    for num in sorted(n for n in base_edits if n < size):  # base objects with new versions
        w.put(num, patched(edited(b.reader.get_object(num), base_index, num), num))

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
    source = _Group(b, None, 0)
    if info_from is not None:
        g = source = part_groups[info_from]
        meta = dict.get(g.pdf.catalog, NameObject("/Metadata"))
        if meta is not None:
            catalog[NameObject("/Metadata")] = _Final(g.num(meta))
        part_info = dict.get(g.pdf.reader.trailer, NameObject("/Info"))
        info = g.num(part_info) if part_info is not None else info
    if title is not None:
        info, meta_num = _retitled(source, w, title)
        if meta_num is not None:
            catalog[NameObject("/Metadata")] = _Final(meta_num)
    w.put(b.root_num, catalog)
    return _update(base, w, b.root_num, info, b.reader.trailer)


def _relinked(obj: Any, names: set[str]) -> Any:
    """A link annotation to `mentorkit-dest:NAME` as WeasyPrint writes an internal link to NAME."""
    if not isinstance(obj, DictionaryObject) or isinstance(obj, StreamObject) or _get(obj, "/Subtype") != "/Link":
        return obj
    action = _get(obj, "/A")
    if action is None or _get(action, "/S") != "/URI" or not str(_get(action, "/URI")).startswith(DEST_SCHEME):
        return obj
    name = str(_get(action, "/URI"))[len(DEST_SCHEME):]
    if name not in names:
        raise JoinError(f"link to a destination no piece has: {name}")
    copy = DictionaryObject((k, v) for k, v in dict.items(obj) if k not in ("/A", "/Contents"))
    copy[NameObject("/Contents")] = _Text(name)
    copy[NameObject("/Dest")] = _Text(name)
    if "/StructParent" in obj:  # keep WeasyPrint's key order: the structure key comes last
        copy[NameObject("/StructParent")] = copy.pop(NameObject("/StructParent"))
    return copy


def _reachable(p: _Pdf, starts: list[Any]) -> list[int]:
    """Object numbers reachable from `starts`, not following links back to pages or structure."""
    seen: set[int] = set()
    todo = list(starts)
    while todo:
        obj = todo.pop()
        if isinstance(obj, IndirectObject):
            if obj.idnum in seen:
                continue
            seen.add(obj.idnum)
            obj = p.reader.get_object(obj.idnum)
        if isinstance(obj, dict):
            todo += [v for k, v in dict.items(obj) if k not in ("/Parent", "/P", "/Pg", "/StructParent", "/StructParents")]
        elif isinstance(obj, list):
            todo += list(list.__iter__(obj))
    return sorted(seen)


def _stamp_forms(ov: _Pdf, w: _Writer, pages: int) -> list[int]:
    """Each overlay page as a form XObject in the update; their numbers, in page order."""
    if ov.count != pages:
        raise JoinError(f"page-number overlay has {ov.count} pages for {pages}")
    sources = []
    for ref in ov.kids:
        page = ref.get_object()
        contents: Any = dict.get(page, NameObject("/Contents"))
        if _ref(contents) is None or not isinstance(contents.get_object(), StreamObject):
            raise JoinError("page-number overlay page without one content stream")
        sources.append((page, contents.get_object()))
    remap = {num: w.new() for num in _reachable(ov, [dict.get(page, NameObject("/Resources")) for page, _ in sources])}
    for old, new in sorted(remap.items(), key=lambda item: item[1]):
        w.put(new, ov.reader.get_object(old), remap)
    forms = []
    for page, stream in sources:
        head = DictionaryObject({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                                 NameObject("/BBox"): dict.get(page, NameObject("/MediaBox"))})
        head[NameObject("/Resources")] = _Remapped(dict.get(page, NameObject("/Resources")), remap)
        for key in ("/Filter", "/DecodeParms"):
            if key in stream:
                head[NameObject(key)] = dict.get(stream, NameObject(key))
        num = w.new()
        w.put(num, _Stream(head, stream._data), remap)
        forms.append(num)
    return forms


def _brackets(w: _Writer) -> tuple[int, int]:
    """Two content streams put around a page's own: save the graphics state before it, and after it
    restore the state and draw the page number as a pagination artifact."""
    before, after = w.new(), w.new()
    w.put(before, _Stream(DictionaryObject(), b"q\n"))
    w.put(after, _Stream(DictionaryObject(), b"Q\nq /Artifact <</Type /Pagination /Subtype /Footer>> BDC /%s Do EMC Q\n"
                         % _STAMP.encode()))
    return before, after


def _stamped(page: Any, form: int, brackets: tuple[int, int]) -> Any:
    """A new version of a page that also draws the overlay form `form`."""
    copy = DictionaryObject(dict.items(page))
    contents: Any = dict.get(page, NameObject("/Contents"))
    if _ref(contents) is not None and isinstance(contents.get_object(), StreamObject):
        own: list[Any] = [contents]
    elif isinstance(contents, list):
        own = list(list.__iter__(contents))
    else:
        raise JoinError("page contents of an unexpected kind")
    copy[NameObject("/Contents")] = ArrayObject([_Final(brackets[0]), *own, _Final(brackets[1])])
    resources = DictionaryObject(dict.items(_get(page, "/Resources") or DictionaryObject()))
    xobjects = DictionaryObject(dict.items(_get(resources, "/XObject") or DictionaryObject()))
    if NameObject("/" + _STAMP) in xobjects:
        raise JoinError("page already has a page-number overlay")
    xobjects[NameObject("/" + _STAMP)] = _Final(form)
    resources[NameObject("/XObject")] = xobjects
    copy[NameObject("/Resources")] = resources
    return copy


def _retitled(g: _Group, w: _Writer, title: str) -> tuple[int, int | None]:
    """New document information and XMP metadata objects carrying `title`."""
    info = DictionaryObject(dict.items(_get(g.pdf.reader.trailer, "/Info") or DictionaryObject()))
    info[NameObject("/Title")] = _Text(title)
    info_num = w.new()
    w.put(info_num, info, g.remap)
    meta = _get(g.pdf.catalog, "/Metadata")
    if meta is None:
        return info_num, None
    xmp = meta.get_data().decode("utf-8")
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    xmp, count = re.subn(r"(<dc:title>\s*<rdf:Alt>\s*<rdf:li[^>]*>).*?(</rdf:li>)",
                         lambda m: m.group(1) + escaped + m.group(2), xmp, count=1, flags=re.S)
    if not count:
        raise JoinError("metadata without a title to replace")
    head = DictionaryObject({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    meta_num = w.new()
    w.put(meta_num, _Stream(head, xmp.encode("utf-8")))
    return info_num, meta_num


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


class _Stream(PdfObject):
    """A stream to write: its dictionary (without /Length) and its bytes, as stored."""

    def __init__(self, head: DictionaryObject, data: bytes):
        self.head, self.data = head, data


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
