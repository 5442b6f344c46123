"""Cohort batch quantification: one task per PET series, run on Dask distributed.

A batch run takes a list of series (chosen from the study database with a small selection
grammar, from a list file, or from folders), runs one task per series (``lesions``, ``suv``,
``references`` or ``qa``) and writes one row per series and one per lesion, incrementally, so
that an interrupted run resumes where it stopped. A task is a plain function of one series
(:func:`workstation.batch.tasks.run_task`) that any Dask worker can run; scheduling, retries
after a lost worker and the dashboard are Dask's, not ours.

Modules: ``select`` (the selection grammar over the study database), ``tasks`` (the per-series
task and its rows), ``schema`` (the columns of the two tables), ``store`` (the journal, resume
and the Parquet/CSV outputs), ``engine`` (the Dask driver with progress and ETA).
"""
