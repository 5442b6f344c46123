"""Where a batch run's results go: a journal written as tasks finish, then Parquet and CSV tables.

For ``--out results.parquet`` a run writes, beside it:

* ``results.journal.jsonl``: one JSON line per finished task (its series row and lesion rows),
  appended and flushed to disk (fsync) as each result arrives, so an interruption (Ctrl-C, a
  crash, a power cut) loses at most the tasks in flight. A half-written last line is ignored.
  This file is what ``--resume`` reads: a series whose result key (series, task, parameters,
  software version) is in the journal is not run again (failed ones too, unless
  ``--retry-failed``; a rerun's row then replaces the failed one).
* ``results.parquet`` (series level) and ``results.lesions.parquet`` (lesion level), and the same
  two tables as ``results.csv`` and ``results.lesions.csv`` (and, for the brain task, the region level
  ``results.regions.parquet`` / ``.csv``; for the dosimetry task, the VOI level ``results.vois.parquet``
  / ``.csv``), rebuilt from the journal at the end of
  every run (also an interrupted one), each written to a temporary file and moved into place;
* ``results.run.json``: the run metadata (task, parameters, software and engine versions,
  counts, times, workers, scheduler and dashboard addresses), one entry per run or resume.

An existing result set is never overwritten silently: a new run into it needs ``--resume`` (go on)
or ``--force`` (start over: the old journal and tables are removed first).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from workstation.batch.extra import require_cohort
from workstation.batch.schema import (LESION_COLUMNS, LESION_NAMES, REGION_COLUMNS, SERIES_COLUMNS, SERIES_NAMES,
                                      VOI_COLUMNS, arrow_table)

#: the levels below the series that only some tasks write: name -> columns (brain regions, dosimetry VOIs)
EXTRA_LEVELS = {"regions": REGION_COLUMNS, "vois": VOI_COLUMNS}
from workstation.batch.tasks import BatchError


def output_paths(out) -> dict[str, Path]:
    out = Path(out)
    if out.suffix.lower() != ".parquet":
        raise BatchError(f"--out {out}: give a file name ending in .parquet (the CSV files are written beside it)")
    stem = out.with_suffix("")
    return {"series": out, "lesions": stem.with_name(stem.name + ".lesions.parquet"),
            "series_csv": stem.with_name(stem.name + ".csv"), "lesions_csv": stem.with_name(stem.name + ".lesions.csv"),
            "regions": stem.with_name(stem.name + ".regions.parquet"),
            "regions_csv": stem.with_name(stem.name + ".regions.csv"),
            "vois": stem.with_name(stem.name + ".vois.parquet"), "vois_csv": stem.with_name(stem.name + ".vois.csv"),
            "journal": stem.with_name(stem.name + ".journal.jsonl"), "meta": stem.with_name(stem.name + ".run.json")}


def read_journal(path) -> dict[str, dict]:
    """Result key -> the last result recorded for it (a torn last line is skipped)."""
    out: dict[str, dict] = {}
    path = Path(path)
    if not path.is_file():
        return out
    with open(path, "rb") as fh:
        for line in fh:
            try:
                rec = json.loads(line)
                key = rec["series"]["result_key"]
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by an interruption
            out[key] = rec
    return out


class ResultStore:
    """The journal and the tables of one ``--out`` (see the module docstring)."""

    def __init__(self, out, *, resume: bool = False, force: bool = False):
        require_cohort()  # before anything is touched: the tables are written with pyarrow
        self.paths = output_paths(out)
        exists = [p for p in self.paths.values() if p.exists()]
        if exists and not resume and not force:
            raise BatchError(f"{self.paths['series']}: results exist ({exists[0].name}); --resume to go on with "
                             "them, or --force to start over")
        if force and not resume:
            for p in exists:
                p.unlink()
        self.paths["series"].parent.mkdir(parents=True, exist_ok=True)
        self._fh = None

    def done(self) -> dict[str, str]:
        """Result key -> status ("ok" / "failed") of every task already in the journal."""
        return {k: r["series"].get("status", "") for k, r in read_journal(self.paths["journal"]).items()}

    def append(self, result: dict) -> None:
        """Record one finished task (flushed and synced before returning)."""
        if self._fh is None:
            self._fh = open(self.paths["journal"], "ab")
            # a torn last line of an interrupted run: start ours on a fresh line
            if self._fh.tell() > 0:
                with open(self.paths["journal"], "rb") as r:
                    r.seek(-1, os.SEEK_END)
                    if r.read(1) != b"\n":
                        self._fh.write(b"\n")
        rec = {"series": result["series"], "lesions": result.get("lesions", [])}
        for level in EXTRA_LEVELS:
            if result.get(level):
                rec[level] = result[level]
        line = json.dumps(rec, default=_json_default, allow_nan=True)
        self._fh.write(line.encode("utf-8") + b"\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def write_tables(self, run_meta: dict | None = None) -> tuple[int, int]:
        """Rebuild the Parquet and CSV tables (and append ``run_meta`` to the run file) from the
        journal; returns (series rows, lesion rows)."""
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        self.close()
        results = read_journal(self.paths["journal"])
        series = sorted((r["series"] for r in results.values()),
                        key=lambda s: (s.get("series_uid") or "", s.get("source") or "", s["result_key"]))
        order = {s["result_key"]: n for n, s in enumerate(series)}
        lesions = sorted((les for r in results.values() for les in r.get("lesions", [])),
                         key=lambda x: (order.get(x["result_key"], 0), x.get("lesion") or 0))
        extra = {level: [{k: x.get(k) for k, _t, _d in cols} for s in series
                         for x in results[s["result_key"]].get(level, [])] for level, cols in EXTRA_LEVELS.items()}
        series = [{k: s.get(k) for k in SERIES_NAMES} for s in series]
        lesions = [{k: x.get(k) for k in LESION_NAMES} for x in lesions]
        st, lt = arrow_table(series, SERIES_COLUMNS), arrow_table(lesions, LESION_COLUMNS)
        meta = {} if run_meta is None else dict(run_meta)
        tables = [(st, "series", "series_csv"), (lt, "lesions", "lesions_csv")]
        for level, rows in extra.items():  # brain regions, dosimetry VOIs: written when the run has them
            if rows:
                tables.append((arrow_table(rows, EXTRA_LEVELS[level]), level, f"{level}_csv"))
        for table, pkey, ckey in tables:
            if meta:
                md = dict(table.schema.metadata or {})
                md[b"workstation.batch.run"] = json.dumps(meta, default=str).encode("utf-8")
                table = table.replace_schema_metadata(md)
            _atomic(self.paths[pkey], lambda tmp, t=table: pq.write_table(t, tmp))
            _atomic(self.paths[ckey], lambda tmp, t=table: pacsv.write_csv(t, tmp))
        if run_meta is not None:
            runs = []
            if self.paths["meta"].is_file():
                try:
                    runs = json.loads(self.paths["meta"].read_text(encoding="utf-8")).get("runs", [])
                except ValueError:
                    runs = []
            runs.append(run_meta)
            text = json.dumps({"runs": runs}, indent=1, default=str)
            _atomic(self.paths["meta"], lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        return len(series), len(lesions)


def _atomic(target: Path, write) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write(str(tmp))
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _json_default(obj):
    try:
        return obj.item()  # numpy scalars
    except AttributeError:
        return str(obj)


def load_level(path, level: str) -> list[dict]:
    """The rows of a level below the series (``regions``: brain task, ``vois``: dosimetry task) of a
    result set, from ``results.<level>.parquet`` beside ``results.parquet``; [] when the run had none."""
    import pyarrow.parquet as pq

    if level not in EXTRA_LEVELS:
        raise ValueError(f"level {level!r}: one of {', '.join(EXTRA_LEVELS)}")
    p = output_paths(path)[level]
    return pq.read_table(p).to_pylist() if p.is_file() else []


def load_results(path) -> tuple[list[dict], list[dict], dict]:
    """(series rows, lesion rows, run metadata) of a result set, from ``results.parquet`` (the
    lesions and run files beside it are read when present)."""
    require_cohort("reading batch results")
    import pyarrow.parquet as pq

    paths = output_paths(path)
    if not paths["series"].is_file():
        raise BatchError(f"{paths['series']}: no such results file (write one with `workstation batch run`)")
    series = pq.read_table(paths["series"]).to_pylist()
    lesions = pq.read_table(paths["lesions"]).to_pylist() if paths["lesions"].is_file() else []
    meta = {}
    if paths["meta"].is_file():
        try:
            meta = json.loads(paths["meta"].read_text(encoding="utf-8"))
        except ValueError:
            meta = {}
    return series, lesions, meta
