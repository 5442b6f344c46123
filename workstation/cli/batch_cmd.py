"""`workstation batch run|report`: cohort quantification on Dask distributed, and its cohort report.

``batch run`` takes the series from the study database (``--select EXPR``), from a list file
(``--from-list FILE``: one folder or Series Instance UID per line) or from folders, runs one task
per series on a Dask cluster (local by default, ``--scheduler ADDR`` for a running one), and
writes the series and lesion tables as Parquet and CSV (``workstation.batch.store``). Dask is
imported only when a run starts, so ``workstation --help`` stays quick.
"""

from __future__ import annotations

import sys
import time

from workstation.cli.common import UserError


def add_parser(sub):
    p = sub.add_parser("batch", help="cohort batch quantification on Dask (run) and its cohort report (report)",
                       description="Quantify many PET series at once on a Dask cluster (local or remote) and "
                                   "summarise the results in a cohort report.")
    bsub = p.add_subparsers(dest="batch_command", metavar="BATCH_COMMAND")

    r = bsub.add_parser("run", help="run one task per series and write results.parquet / .csv",
                        description="Run one task per PET series on Dask distributed: lesions[:METHOD] (whole-body "
                                    "lesions, TMTV, TLG, liver reference), suv (factor, trail, QC flags), references "
                                    "(liver and blood pool found automatically) or qa (uniform cylinder). Results "
                                    "are written as tasks finish; a failure is a row with its reason. Selection "
                                    "grammar: comparisons FIELD OP VALUE (fields modality, date, study_date, "
                                    "series_date, description, study, sex, age, instances, series_uid, study_uid, "
                                    "scanner, manufacturer, model, tracer; operators = != < <= > >= ~ !~) joined by "
                                    "and / or / not and parentheses, e.g. "
                                    "\"modality=PT and date>=20240101 and tracer~FDG\".")
    r.add_argument("--select", metavar="EXPR", help="series of the study database (or, with --dicomweb, of the "
                                                    "DICOMweb server) chosen by an expression")
    r.add_argument("--from-list", metavar="FILE", help="text file: one series folder or Series Instance UID per "
                                                       "line (# comments)")
    r.add_argument("paths", nargs="*", default=[], metavar="PATH", help="folders holding PET series")
    r.add_argument("--dicomweb", metavar="URL", help="take the series from a DICOMweb server (QIDO-RS; with --select "
                                                     "to choose): each worker retrieves its series by WADO-RS into a "
                                                     "temporary folder of its own and removes it after the task, for "
                                                     "workers that share no disk. URL: the service root or a "
                                                     "configured node name")
    r.add_argument("--user", help="--dicomweb: user (or WORKSTATION_WEB_USER)")
    r.add_argument("--password", help="--dicomweb: password (or WORKSTATION_WEB_PASSWORD)")
    r.add_argument("--token", help="--dicomweb: bearer token (or WORKSTATION_WEB_TOKEN)")
    r.add_argument("--wado-attempts", type=int, default=2, metavar="N",
                   help="--dicomweb: tries to retrieve a series whole before its row is a failure (default 2)")
    r.add_argument("--wado-deadline", type=float, default=600.0, metavar="S",
                   help="--dicomweb: deadline of the retrieve of one series, all tries together (default 600 s)")
    r.add_argument("--task", required=True, metavar="TASK", help="lesions[:METHOD] | suv | references | qa | brain | dosimetry "
                                                                 "(METHOD as for `workstation lesions`, default fixed:2.5; "
                                                                 "brain: regional SUVR table, see --brain-*; "
                                                                 "dosimetry: one task per therapy, VOI rows)")
    r.add_argument("--out", default="results.parquet", metavar="FILE.parquet",
                   help="series table (default results.parquet); the lesion table, CSV copies, journal and run "
                        "metadata are written beside it")
    r.add_argument("--workers", type=int, default=None, metavar="N",
                   help="local cluster of N worker processes, one thread each (default: one per CPU); "
                        "0 runs a plain loop in this process without Dask")
    r.add_argument("--scheduler", metavar="ADDR", help="address of a running Dask scheduler (tcp://host:8786); "
                                                       "its workers must see the series' files (or use --dicomweb)")
    r.add_argument("--cluster", choices=("slurm", "pbs"), help="start the workers as jobs of a SLURM or PBS batch "
                                                              "system (dask-jobqueue, optional: pip install "
                                                              "dask-jobqueue); --workers N worker processes in all")
    r.add_argument("--cluster-option", action="append", default=[], metavar="KEY=VALUE",
                   help="--cluster: a keyword of the dask-jobqueue cluster, repeatable: cores=8, memory=16GB "
                        "(both required), walltime=02:00:00, queue=short, account=proj, "
                        "job_extra_directives='[\"--gres=gpu:1\"]' (JSON values are read as JSON)")
    r.add_argument("--print-job-script", action="store_true",
                   help="--cluster: print the job script dask-jobqueue would submit, and submit nothing")
    r.add_argument("--memory-limit", default="auto", metavar="BYTES",
                   help="memory limit per local worker (Dask syntax: 4GB, auto = the machine's memory / N)")
    r.add_argument("--resume", action="store_true", help="go on with an existing result set: skip every series "
                                                         "already done with the same task, parameters and version")
    r.add_argument("--retry-failed", action="store_true", help="with --resume: run the failed series again")
    r.add_argument("--force", action="store_true", help="start over, removing an existing result set at --out")
    r.add_argument("--suv", default="bw", metavar="TYPE", help="SUV type (default bw)")
    r.add_argument("--min-volume", type=float, default=0.5, metavar="ML",
                   help="lesions: smallest lesion kept, mL (default 0.5)")
    r.add_argument("--no-exclude", action="store_true", help="lesions: keep the brain and bladder")
    r.add_argument("--brain-reference", default="pons", choices=("pons", "cerebellum", "global"),
                   help="brain: reference region of the SUVRs (default pons)")
    r.add_argument("--brain-db", default="", metavar="NAME|DIR",
                   help="brain: normal database for z-scores (`workstation brain normals`; the workers must see "
                        "it); without it SUVR and asymmetry only")
    r.add_argument("--brain-grid", type=float, default=4.0, metavar="MM",
                   help="brain without a database: MNI grid spacing (default 4 mm)")
    r.add_argument("--dosimetry-method", default="led", choices=("led", "dvk"),
                   help="dosimetry: absorbed dose by local energy deposition or a dose voxel kernel (default led)")
    r.add_argument("--db", metavar="FILE", help="study database file (default: in the user data directory)")
    r.add_argument("--quiet", action="store_true", help="no progress line")
    r.set_defaults(func=run_batch_cmd)

    rep = bsub.add_parser("report", help="cohort PDF of a results file: distributions, outliers, failures",
                          description="Write the cohort report of a batch result set: histograms of SUVmax, TMTV and "
                                      "liver SUVmean, outliers (Tukey fences), failures and QC flags, run metadata.")
    rep.add_argument("results", metavar="RESULTS.parquet")
    rep.add_argument("--out", required=True, metavar="FILE.pdf")
    rep.add_argument("--force", action="store_true", help="overwrite an existing PDF")
    rep.set_defaults(func=run_report_cmd)
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def _refs(args):
    """The SeriesRefs the arguments name, and a description of the inputs (for the run metadata)."""
    from pathlib import Path

    from workstation.batch.tasks import SeriesRef

    if (args.dicomweb or args.select is not None) and args.task.strip().lower() == "dosimetry":
        raise UserError("--task dosimetry takes folders (PATH... or folders in --from-list), not --select or --dicomweb")
    if args.dicomweb:
        from workstation.batch.select import select_dicomweb
        from workstation.batch.tasks import strip_credentials
        from workstation.net.web import WebError

        try:
            return (select_dicomweb(args.dicomweb, args.select, _web_auth(args)),
                    {"dicomweb": strip_credentials(args.dicomweb), "select": args.select or ""})
        except WebError as exc:
            raise UserError(str(exc)) from None
    if args.select is not None:
        from workstation.batch.select import select_series
        from workstation.io.db import StudyDB

        with StudyDB(args.db) as db:
            return select_series(db, args.select), {"select": args.select}
    lines = []
    if args.from_list:
        try:
            text = Path(args.from_list).read_text(encoding="utf-8")
        except OSError as exc:
            raise UserError(f"--from-list {args.from_list}: {exc.strerror or exc}") from None
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        if not lines:
            raise UserError(f"--from-list {args.from_list}: no folder or UID in the file")
    paths = [ln for ln in lines if Path(ln).exists()] + list(args.paths)
    uids = [ln for ln in lines if not Path(ln).exists()]
    bad = [u for u in uids if not all(c.isdigit() or c == "." for c in u)]
    if bad:
        raise UserError(f"--from-list: {bad[0]!r} is neither an existing folder nor a Series Instance UID")
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise UserError(f"{missing[0]}: no such file or folder")
    refs = []
    if args.task.strip().lower() == "dosimetry":
        if uids or not paths:
            raise UserError("--task dosimetry takes folders (PATH... or folders in --from-list): their scans are "
                            "grouped into therapies by patient and administration")
        from workstation.batch.tasks import therapy_groups

        return therapy_groups(paths), {"paths": [str(p) for p in paths]}
    if paths:
        from workstation.io.series import find_series

        found = [s for s in find_series(paths) if s.is_image and s.modality in ("PT", "PET")]
        refs += [SeriesRef(s.series_uid, tuple(s.files), s.study_uid) for s in found]
    if uids:
        from workstation.io.db import StudyDB

        with StudyDB(args.db) as db:
            known = {s.series_uid: s for s in db.series()}
            for u in uids:
                if u not in known:
                    raise UserError(f"--from-list: series {u} is not in the study database (import it first)")
                refs.append(SeriesRef(u, tuple(db.series_files(u)), known[u].study_uid))
    return refs, {"paths": [str(p) for p in paths], "series_uids": len(uids)} if lines or paths else {}


class _Printer:
    """The progress line: redrawn in place on a terminal, one line every 10 % or 15 s otherwise."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.last_pct = -1

    def __call__(self, prog) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        pct = int(10 * prog.done / max(prog.total, 1))
        if self.tty:
            if now - self.last >= 0.2 or prog.done == prog.total:
                sys.stderr.write("\r" + prog.line() + "   ")
                sys.stderr.flush()
                self.last = now
                if prog.done == prog.total:
                    sys.stderr.write("\n")
        elif pct != self.last_pct or now - self.last >= 15 or prog.done == prog.total:
            print(prog.line(), file=sys.stderr, flush=True)
            self.last, self.last_pct = now, pct


def _web_auth(args) -> dict:
    from workstation.cli.web_cmd import web_auth

    return web_auth(args, args.dicomweb)


def _check_sources(args) -> None:
    """One source of series: --dicomweb (with an optional --select), --select, --from-list or folders."""
    given = [name for name, on in (("--dicomweb", bool(args.dicomweb)), ("--from-list", bool(args.from_list)),
                                   ("PATH", bool(args.paths))) if on]
    if args.select is not None and not args.dicomweb:
        given.append("--select")
    if not given:
        raise UserError("give the series: --select EXPR, --from-list FILE, folders, or --dicomweb URL")
    if len(given) > 1:
        raise UserError(f"{given[0]} and {given[1]} both name series: give one source")
    if args.dicomweb:
        from workstation.cli.web_cmd import web_url

        args.dicomweb = web_url(args.dicomweb)
        if args.wado_attempts < 1 or not (args.wado_deadline > 0):
            raise UserError("--wado-attempts must be 1 or more and --wado-deadline more than 0 s")


def run_batch_cmd(args) -> int:
    from workstation.batch.select import SelectError
    from workstation.batch.tasks import BatchError, TaskSpec

    if args.batch_command != "run":  # pragma: no cover - argparse routes
        raise UserError("give a batch command: run or report")
    if args.cluster_option and not args.cluster:
        raise UserError("--cluster-option goes with --cluster slurm|pbs")
    if args.print_job_script:
        if not args.cluster:
            raise UserError("--print-job-script goes with --cluster slurm|pbs")
        return _print_job_script(args)
    if args.cluster and (args.scheduler or args.workers == 0):
        raise UserError("--cluster starts its own scheduler and workers: leave out --scheduler and --workers 0")
    _check_sources(args)
    if args.retry_failed and not args.resume:
        raise UserError("--retry-failed goes with --resume")
    if args.resume and args.force:
        raise UserError("--resume and --force contradict each other; give one")
    if args.workers is not None and args.workers < 0:
        raise UserError("--workers must be 0 (no Dask) or more")
    if args.scheduler and args.workers:
        raise UserError("--workers starts a local cluster; with --scheduler the cluster's own workers run the tasks")
    try:
        from workstation.batch.extra import require_cohort

        require_cohort()  # the reading-room installation has no cluster stack: say so before any work
        spec = TaskSpec.parse(args.task, suv_type=args.suv, min_volume_ml=args.min_volume,
                              exclude=() if args.no_exclude else ("brain", "bladder"), reference=args.brain_reference,
                              database=args.brain_db, grid_mm=args.brain_grid, dose_method=args.dosimetry_method)
        from workstation.batch.store import ResultStore

        store = ResultStore(args.out, resume=args.resume, force=args.force)
        refs, inputs = _refs(args)
    except (BatchError, SelectError) as exc:
        raise UserError(str(exc)) from None
    if not refs:
        raise UserError("no PET series selected: nothing to run" if spec.name != "dosimetry"
                        else "no SPECT/PET scans found in the folders: nothing to run")
    return _run(args, spec, store, refs, inputs)


def _cluster(args):
    from workstation.batch.engine import jobqueue_cluster, parse_cluster_options
    from workstation.batch.tasks import BatchError

    try:
        return jobqueue_cluster(args.cluster, parse_cluster_options(args.cluster_option))
    except BatchError as exc:
        raise UserError(str(exc)) from None


def _print_job_script(args) -> int:
    cluster = _cluster(args)
    try:
        print(cluster.job_script())
    finally:
        cluster.close()
    return 0


def _run(args, spec, store, refs, inputs) -> int:
    from workstation.batch.engine import BatchInterrupted, run_batch
    from workstation.batch.tasks import BatchError, WebSource

    printer = _Printer(args.quiet)
    web = (WebSource(_web_auth(args), attempts=args.wado_attempts, deadline_s=args.wado_deadline)
           if args.dicomweb else None)
    cluster = _cluster(args) if args.cluster else None

    def started(prog):
        where = ("a plain loop in this process (no Dask)" if args.workers == 0 and not args.scheduler
                 else (f"the Dask scheduler at {args.scheduler}" if args.scheduler
                       else (f"{args.cluster.upper()} jobs (dask-jobqueue)" if args.cluster else "a local Dask cluster")))
        print(f"{prog.total + prog.skipped} series selected; {prog.skipped} already done (skipped); "
              f"{prog.total} to run with task {spec.label} on {where}", file=sys.stderr)
        if prog.dashboard:
            print(f"Dask dashboard: {prog.dashboard}", file=sys.stderr)
        sys.stderr.flush()

    try:
        s = run_batch(refs, spec, store, workers=args.workers, scheduler=args.scheduler, retry_failed=args.retry_failed,
                      on_progress=printer, on_start=started, memory_limit=args.memory_limit,
                      meta={"inputs": inputs, "out": str(store.paths["series"])}, web=web, cluster=cluster)
    except BatchInterrupted as exc:
        s = exc.summary
        print(f"\ninterrupted: {s.series_rows} series recorded in {store.paths['series']} (this run about {s.done}, "
              f"{s.failed} failed); rerun with --resume to go on", file=sys.stderr)
        return 130
    except BatchError as exc:  # the scheduler cannot be reached
        raise UserError(str(exc)) from None
    paths = store.paths
    print(f"{s.done} series run ({s.failed} failed), {s.skipped} skipped as done, in {s.seconds:.1f} s; "
          f"{s.series_rows} series rows and {s.lesion_rows} lesion rows in {paths['series']} and "
          f"{paths['lesions'].name} (CSV: {paths['series_csv'].name}, {paths['lesions_csv'].name})"
          + (f"; region rows in {paths['regions'].name}" if spec.name == "brain" else "")
          + (f"; VOI rows in {paths['vois'].name}" if spec.name == "dosimetry" else ""))
    return 0


def run_report_cmd(args) -> int:
    from pathlib import Path

    from workstation.batch.store import load_results
    from workstation.batch.tasks import BatchError
    from workstation.report.cohort_report import ReportError, write_cohort_report

    try:
        series, lesions, meta = load_results(args.results)
    except BatchError as exc:
        raise UserError(str(exc)) from None
    try:
        out = write_cohort_report(Path(args.out), series, lesions, meta, overwrite=args.force,
                                  title=f"Cohort report: {Path(args.results).name}")
    except ReportError as exc:
        raise UserError(str(exc)) from None
    print(f"wrote {out}")
    return 0
