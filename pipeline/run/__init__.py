"""Stage 4, run: a report request becomes a published folder.

In: a request (``pipeline.request``: the kind of report and its parameters). Out: a folder of files under the
output root, published whole. The line: the request's inputs are read once into a snapshot (``snapshot``,
finding the earlier exports of the same body by name: ``discover``), the data is prepared from it alone
(``prepare``, the recipe over the read and figures stages), a notebook kernel renders the report (``kernel``,
``execute``, ``handover``) into files, and the coordinator (``coordinator``) decides what is up to date, sends the
builds to an executor (``executors``: in this process, local processes or a Dask cluster) and publishes each
folder under its lock (``publish``) with its manifest (``manifest``). ``batch`` and ``profiles`` plan many builds
for the coordinator.
"""
