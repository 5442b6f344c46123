"""Choosing the series of a batch run from the study database: a small selection grammar.

An expression is comparisons joined by ``and``, ``or``, ``not`` and parentheses::

    modality=PT and date>=20240101 and tracer~FDG
    (scanner~Discovery or scanner~Biograph) and not sex=F and age>=18
    description~"whole body" and date=2024      # date=2024 / 202403: that year / month

Comparison ``FIELD OP VALUE``; ``OP`` is one of ``=`` (``==``), ``!=``, ``<``, ``<=``, ``>``,
``>=``, ``~`` (contains, case-insensitive; ``*`` and ``?`` are wildcards) and ``!~`` (does not
contain). Text is compared without regard to case; a value with spaces is quoted ("..." or '...').
Fields:

============== ====== ===========================================================================
field          kind   from
============== ====== ===========================================================================
modality       text   series Modality (database)
date           date   series date, else study date (YYYYMMDD; 2024-01-31 is read as 20240131)
study_date     date   StudyDate
series_date    date   SeriesDate
description    text   SeriesDescription
study          text   StudyDescription
sex            text   PatientSex (M, F, O)
age            number years at the study (birth date and study date of the database)
instances      number files of the series
series_uid     text   Series Instance UID
study_uid      text   Study Instance UID
scanner        text   Manufacturer, ManufacturerModelName and StationName (read from the first file)
manufacturer   text   Manufacturer (first file)
model          text   ManufacturerModelName (first file)
tracer         text   Radiopharmaceutical and the radionuclide (first file), e.g. tracer~FDG
============== ====== ===========================================================================

``tracer~FDG`` also matches "Fluorodeoxyglucose" (and FLT "Fluorothymidine", PSMA, DOTATATE
are matched as written). The expression is parsed by a small recursive-descent parser, never
evaluated as Python; an unknown field or operator is a :class:`SelectError` that names it and
its position. Only image series are selected, and the batch tasks take PET (PT) series: without a
``modality`` comparison the selection is ``modality=PT``. The header fields (scanner, tracer, ...)
read one file per series, only for the series the database fields have not already ruled out.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

TEXT, DATE, NUMBER = "text", "date", "number"
FIELDS = {"modality": TEXT, "date": DATE, "study_date": DATE, "series_date": DATE, "description": TEXT,
          "study": TEXT, "sex": TEXT, "age": NUMBER, "instances": NUMBER, "series_uid": TEXT, "study_uid": TEXT,
          "scanner": TEXT, "manufacturer": TEXT, "model": TEXT, "tracer": TEXT}
HEADER_FIELDS = ("scanner", "manufacturer", "model", "tracer")
OPS = ("==", "!=", "<=", ">=", "!~", "=", "<", ">", "~")
#: tracer abbreviations -> words of the Radiopharmaceutical text they also match
TRACER_ALIASES = {"fdg": ("fluorodeoxyglucose", "fludeoxyglucose"), "flt": ("fluorothymidine",),
                  "fet": ("fluoroethyl",), "naf": ("sodium fluoride",), "fmiso": ("fluoromisonidazole",)}


class SelectError(ValueError):
    """The selection expression cannot be parsed or names an unknown field (the message says where)."""


_TOKEN = re.compile(r"\s*(?:(?P<paren>[()])|(?P<quoted>\"[^\"]*\"|'[^']*')|(?P<op>==|!=|<=|>=|!~|=|<|>|~)"
                    r"|(?P<word>[^\s()<>=!~\"']+))")


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    text = str(text)
    while pos < len(text):
        if not text[pos:].strip():
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise SelectError(f"--select: cannot read {text[pos:].strip()[:20]!r} at position {pos + 1}")
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "quoted":
            kind, value = "word", value[1:-1]
        elif kind == "word" and value.lower() in ("and", "or", "not"):
            kind, value = value.lower(), value.lower()
        out.append((kind, value, m.start(kind if kind in ("paren", "op", "word") else "quoted") + 1))
        pos = m.end()
    return out


@dataclass(frozen=True)
class Comparison:
    field: str
    op: str
    value: str

    def fields(self) -> set[str]:
        return {self.field}

    def __call__(self, rec: dict) -> bool:
        return _compare(FIELDS[self.field], rec.get(self.field), self.op, self.value, self.field)


@dataclass(frozen=True)
class Not:
    inner: object

    def fields(self) -> set[str]:
        return self.inner.fields()

    def __call__(self, rec: dict) -> bool:
        return not self.inner(rec)


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" / "or"
    parts: tuple

    def fields(self) -> set[str]:
        return set().union(*(p.fields() for p in self.parts))

    def __call__(self, rec: dict) -> bool:
        if self.op == "and":
            return all(p(rec) for p in self.parts)
        return any(p(rec) for p in self.parts)


class _Parser:
    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else ("end", "", 0)

    def take(self, kind=None, what="a value"):
        tok = self.peek()
        if kind is not None and tok[0] != kind:
            where = f"at position {tok[2]}" if tok[0] != "end" else "at the end"
            raise SelectError(f"--select: expected {what} {where}, found {tok[1] or 'nothing'!r}")
        self.i += 1
        return tok

    def parse(self):
        if not self.toks:
            raise SelectError("--select: the expression is empty (e.g. --select \"modality=PT and date>=20240101\")")
        node = self.expr()
        if self.peek()[0] != "end":
            tok = self.peek()
            raise SelectError(f"--select: unexpected {tok[1]!r} at position {tok[2]} (join comparisons with and / or)")
        return node

    def expr(self):
        parts = [self.conj()]
        while self.peek()[0] == "or":
            self.take()
            parts.append(self.conj())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def conj(self):
        parts = [self.neg()]
        while self.peek()[0] == "and":
            self.take()
            parts.append(self.neg())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def neg(self):
        if self.peek()[0] == "not":
            self.take()
            return Not(self.neg())
        if self.peek()[0] == "paren" and self.peek()[1] == "(":
            self.take()
            node = self.expr()
            tok = self.take("paren", "')'")
            if tok[1] != ")":
                raise SelectError(f"--select: expected ')' at position {tok[2]}")
            return node
        return self.comparison()

    def comparison(self):
        kind, name, pos = self.take("word", "a field name")
        field = name.lower()
        if field not in FIELDS:
            raise SelectError(f"--select: unknown field {name!r} at position {pos}; known: {', '.join(FIELDS)}")
        _, op, _ = self.take("op", f"an operator ({' '.join(OPS)}) after {name!r}")
        _, value, vpos = self.take("word", f"a value after {name}{op}")
        op = "=" if op == "==" else op
        kind = FIELDS[field]
        if kind == NUMBER:
            try:
                float(value)
            except ValueError:
                raise SelectError(f"--select: {field} needs a number, got {value!r} at position {vpos}") from None
        if kind == DATE:
            digits = re.sub(r"[-./]", "", value)
            if not (digits.isdigit() and len(digits) in (4, 6, 8)):
                raise SelectError(f"--select: {field} needs a date YYYYMMDD (or YYYY, YYYYMM), got {value!r} "
                                  f"at position {vpos}")
            value = digits
        return Comparison(field, op, value)


def parse(text: str):
    """The expression as a predicate over a record (dict of field -> value); SelectError if malformed."""
    return _Parser(text).parse()


def _compare(kind: str, have, op: str, want: str, field: str) -> bool:
    if kind == NUMBER:
        try:
            h = float(have)
        except (TypeError, ValueError):
            return op == "!=" or op == "!~"
        w = float(want)
        return {"=": h == w, "!=": h != w, "<": h < w, "<=": h <= w, ">": h > w, ">=": h >= w,
                "~": h == w, "!~": h != w}[op]
    h = str(have or "").strip()
    if kind == DATE:
        h = re.sub(r"[-./]", "", h)
        if op in ("=", "~"):
            return bool(h) and h.startswith(want)
        if op in ("!=", "!~"):
            return not (h and h.startswith(want))
        if not h:
            return False
        h8 = h[: len(want)]
        return {"<": h8 < want, "<=": h8 <= want, ">": h8 > want, ">=": h8 >= want}[op]
    hl, wl = h.lower(), want.lower()
    if op in ("~", "!~"):
        words = (wl,) + (TRACER_ALIASES.get(wl, ()) if field == "tracer" else ())
        hit = any(fnmatch.fnmatchcase(hl, f"*{w}*") for w in words)
        return hit if op == "~" else not hit
    if op == "=":
        return hl == wl
    if op == "!=":
        return hl != wl
    return {"<": hl < wl, "<=": hl <= wl, ">": hl > wl, ">=": hl >= wl}[op]


# ------------------------------------------------------------------------------ the database
def _age(birth: str, when: str) -> float | None:
    from workstation.batch.tasks import age_years

    return age_years(birth, when)


def _header_fields(path: str) -> dict:
    import pydicom

    try:
        ds = pydicom.dcmread(path, stop_before_pixels=True)
    except Exception:  # noqa: BLE001 - an unreadable file matches no header comparison; the task will say why
        return {}
    return _header_of(ds)


def _header_of(ds) -> dict:
    """The header fields (scanner, manufacturer, model, tracer) of one instance's dataset."""

    def txt(obj, kw):
        v = obj.get(kw) if obj is not None else None
        return " ".join(str(v).split()) if v is not None else ""

    manufacturer, model, station = txt(ds, "Manufacturer"), txt(ds, "ManufacturerModelName"), txt(ds, "StationName")
    tracer = []
    seq = ds.get("RadiopharmaceuticalInformationSequence")
    if seq:
        item = seq[0]
        tracer.append(txt(item, "Radiopharmaceutical"))
        code = item.get("RadionuclideCodeSequence")
        if code:
            tracer.append(txt(code[0], "CodeMeaning"))
        code = item.get("RadiopharmaceuticalCodeSequence")
        if code:
            tracer.append(txt(code[0], "CodeMeaning"))
    return {"manufacturer": manufacturer, "model": model, "scanner": " ".join(x for x in (manufacturer, model, station) if x),
            "tracer": " ".join(t for t in tracer if t)}


def select_series(db, expression: str | None) -> list:
    """The image series of the study database ``db`` (a StudyDB) that the expression selects, as
    :class:`~workstation.batch.tasks.SeriesRef` (files from the database), in database order."""
    from workstation.batch.tasks import SeriesRef

    pred = parse(expression) if expression and expression.strip() else None
    wanted = pred.fields() if pred is not None else set()
    if "modality" not in wanted:
        modality_pt = Comparison("modality", "=", "PT")
        pred = modality_pt if pred is None else BoolOp("and", (modality_pt, pred))
    sex = {p.patient_key: (p.sex or "") for p in db.patients()}
    studies = {s.study_uid: s for s in db.studies()}
    needs_header = bool(wanted & set(HEADER_FIELDS))
    out = []
    for se in db.series():
        if not se.is_image:
            continue
        st = studies.get(se.study_uid)
        study_date = st.study_date if st else ""
        rec = {"modality": se.modality, "series_date": se.series_date, "study_date": study_date,
               "date": se.series_date or study_date, "description": se.description,
               "study": st.description if st else "", "sex": sex.get(st.patient_key, "") if st else "",
               "age": _age(st.patient_birth_date, study_date) if st else None, "instances": se.n_instances,
               "series_uid": se.series_uid, "study_uid": se.study_uid}
        files = None
        if needs_header:
            # rule out on the database fields first (header fields unknown -> compare as empty)
            if not _maybe(pred, rec):
                continue
            files = db.series_files(se.series_uid)
            rec.update(_header_fields(files[0]) if files else {})
        if pred(rec):
            files = files if files is not None else db.series_files(se.series_uid)
            out.append(SeriesRef(se.series_uid, tuple(files), se.study_uid))
    return out


def _maybe(node, rec: dict) -> bool:
    """False only when the database fields alone already rule the record out (three-valued logic:
    a header field not yet read is unknown)."""
    return _tri(node, rec) is not False


def _tri(node, rec):
    if isinstance(node, Comparison):
        return None if node.field in HEADER_FIELDS else node(rec)
    if isinstance(node, Not):
        v = _tri(node.inner, rec)
        return None if v is None else not v
    vals = [_tri(p, rec) for p in node.parts]
    if node.op == "and":
        return False if False in vals else (None if None in vals else True)
    return True if True in vals else (None if None in vals else False)


# ------------------------------------------------------------------------------ a DICOMweb server
def select_dicomweb(url: str, expression: str | None, auth: dict | None = None) -> list:
    """The image series of a DICOMweb server that the expression selects, as SeriesRefs with the
    server's ``url`` and no files (the workers retrieve them by WADO-RS). The fields come from QIDO-RS:
    studies (StudyDate, StudyDescription, PatientSex, PatientBirthDate), then the series of each study
    (Modality, SeriesDate, SeriesDescription, NumberOfSeriesRelatedInstances); the header fields
    (scanner, tracer, ...) from the WADO-RS metadata of one instance per series, read only for the
    series the QIDO fields have not already ruled out. Raises ``net.web.WebError`` when the server
    cannot be asked."""
    from workstation.batch.tasks import SeriesRef
    from workstation.net.web import find, first_instance_header

    pred = parse(expression) if expression and expression.strip() else None
    wanted = pred.fields() if pred is not None else set()
    if "modality" not in wanted:
        modality_pt = Comparison("modality", "=", "PT")
        pred = modality_pt if pred is None else BoolOp("and", (modality_pt, pred))
    needs_header = bool(wanted & set(HEADER_FIELDS))
    out = []
    for st in find(url, "STUDY", auth=auth):
        study_uid = st.get("StudyInstanceUID", "")
        if not study_uid:
            continue
        study_date = _text(st.get("StudyDate"))
        for se in find(url, "SERIES", study_uid=study_uid, auth=auth):
            series_uid = se.get("SeriesInstanceUID", "")
            if not series_uid:
                continue
            series_date = _text(se.get("SeriesDate"))
            try:
                n = int(_text(se.get("NumberOfSeriesRelatedInstances")) or 0)
            except ValueError:
                n = 0
            rec = {"modality": _text(se.get("Modality")), "series_date": series_date, "study_date": study_date,
                   "date": series_date or study_date, "description": _text(se.get("SeriesDescription")),
                   "study": _text(st.get("StudyDescription")), "sex": _text(st.get("PatientSex")),
                   "age": _age(_text(st.get("PatientBirthDate")), study_date), "instances": n,
                   "series_uid": series_uid, "study_uid": study_uid}
            if needs_header:
                if not _maybe(pred, rec):
                    continue
                ds = first_instance_header(url, study_uid, series_uid, auth)
                rec.update(_header_of(ds) if ds is not None else {})
            if pred(rec):
                out.append(SeriesRef(series_uid, (), study_uid, url=url))
    return out


def _text(v) -> str:
    if isinstance(v, list):
        v = v[0] if v else ""
    return "" if v is None else str(v)
