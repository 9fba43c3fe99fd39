"""Council Plan reporting pipeline: ingest -> clean -> figures -> measure -> charts -> report/render -> manifest.

The public API is what the command line and the notebooks call; everything
else lives in the stage modules.
"""

import sys

# jsonschema (under nbformat) imports rfc3987_syntax when it is installed - JupyterLab's jupyter-events brings
# it - to check "iri" formats, and that module builds a grammar at import: 1.5 s in every process that reads a
# notebook. No schema the pipeline validates has such a format, so the pipeline's processes do without it.
sys.modules.setdefault("rfc3987_syntax", None)

from pipeline.errors import (  # noqa: E402 - after the import guard above
    InputError,
    ManifestError,
    NotAnExportError,
    OutputError,
    PipelineError,
    RenderError,
    UsageError,
)

# The rest of the API is imported when first used, so that `python -m pipeline.<module>` and a run taken from
# the cache do not import pandas, matplotlib and nbconvert for nothing.
_LAZY = {
    "reproduce": "audit.reproduce",
    "verify": "audit.reproduce",
    "BatchResult": "run.batch",
    "run_batch": "run.batch",
    "PeriodData": "run.prepare",
    "PlanData": "run.prepare",
    "RunResult": "run.coordinator",
    "clean_file": "run.prepare",
    "load_period": "run.prepare",
    "load_plan": "run.prepare",
    "prepare": "run.prepare",
    "run_period": "run.coordinator",
    "run_plan": "run.coordinator",
}
# The modules the period report's notebook names as ``pipeline.<name>`` (its cells read like the report; the
# names are the stages' own modules).
_NOTEBOOK_MODULES = {
    "headlines": "figures.headlines",
    "measure": "figures.measure",
    "manifest": "run.manifest",
    "request": "request",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    if name in _NOTEBOOK_MODULES:
        import importlib

        return importlib.import_module(f".{_NOTEBOOK_MODULES[name]}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "InputError",
    "ManifestError",
    "NotAnExportError",
    "OutputError",
    "PipelineError",
    "RenderError",
    "UsageError",
    "PeriodData",
    "PlanData",
    "RunResult",
    "BatchResult",
    "clean_file",
    "load_period",
    "load_plan",
    "prepare",
    "run_period",
    "run_plan",
    "run_batch",
    "verify",
    "reproduce",
]
