"""Stage 5, audit: what an auditor runs on a published folder, months later.

In: a report folder and its ``manifest.json`` (and, for ``reproduce``, the inputs the manifest names or the
folder's own copies in ``inputs.zip``). Out: each file's state against the manifest (``verify``), the report made
again in a temporary folder and compared file by file with the reasons any differ (``reproduce``), and the
manifest's OpenSSH signature made or checked (``signing``). Nothing here writes into a published folder but the
signature beside its manifest.
"""
