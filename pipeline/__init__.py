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
    "verify": "audit.verify",
    "sign": "audit.signing",
    "check_signature": "audit.signing",
    "Outcome": "run.coordinator",
    "RunResult": "run.coordinator",
    "run_period": "run.coordinator",
    "run_plan": "run.coordinator",
    "run_batch": "run.batch",
    "run_profiles": "run.profiles",
    "compare_dataset": "run.comparison",
    "spc_file": "run.series",
    "PeriodData": "run.prepare",
    "clean_file": "run.prepare",
    "load_period": "run.prepare",
    "propose_layout": "run.prepare",
    "PlanData": "run.plan_report",
    "load_plan": "run.plan_report",
    "load_profile": "run.profiles",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "InputError",
    "ManifestError",
    "NotAnExportError",
    "OutputError",
    "PipelineError",
    "RenderError",
    "UsageError",
    *_LAZY,
]
