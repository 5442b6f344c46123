"""Cohort batch runs on Dask (place reserved): one plain task per series that any worker can run."""
