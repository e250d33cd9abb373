"""The month partitioned by county (issue 15, docs/scale.md): a global step places every person
in one county (index.py) and splits the month's validated tables and history by it (split.py);
each county computes its money with the very steps of the single-process run (county.py); the
merge puts the counties' results back together, bank lines renumbered as one run numbers them
(merge.py); month.py drives the steps with any way of mapping the counties (a loop, or Dask
through Prefect in flows/partitioned.py). Nothing here imports Dask or Prefect."""
