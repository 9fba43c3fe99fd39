"""Stage 1, read: the bytes of an input become tidy tables, with every anomaly recorded as a finding.

In: the bytes of an export (TSV, CSV in any common encoding, or XLSX), of its layout (TOML), of an indicator
register, of a Service Improvement Plan, of a comparison dataset and its peers file. Out: raw rows with their
source lines (``ingest``), then tidy indicators (``schema.INDICATOR_COLUMNS``) with their figures
(``schema.FIGURE_COLUMNS``) and data-quality findings (``schema.FINDING_COLUMNS``), read through the export's
layout (``layout``) by the reader registered for its kind (``readers``): a typed table (``table``) or Stockton's
Council Plan narrative export (``stockton``, with its own profile and words); ``exports`` reads a period report's
files (its export, the earlier exports, the register, the groups' names) in one call. No stage after this one
knows which organisation an export came from. ``propose`` drafts a layout for an export never seen before;
``plans`` reads Service Improvement Plans; ``comparison`` reads a comparison dataset and its peer groups. Nothing
here touches the file system but ``limits.read_bytes``.
"""
