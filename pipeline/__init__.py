"""Council Plan reporting pipeline: ingest -> clean -> figures -> measure -> charts -> report/render -> manifest.

The public API is what the command line and the notebooks call; everything
else lives in the stage modules.
"""

from .audit import reproduce, verify
from .batch import BatchResult, run_batch
from .errors import InputError, ManifestError, NotAnExportError, OutputError, PipelineError, RenderError, UsageError
from .run import PeriodData, PlanData, RunResult, clean_file, load_period, load_plan, prepare, run_period, run_plan

__all__ = [
    "InputError", "ManifestError", "NotAnExportError", "OutputError", "PipelineError", "RenderError", "UsageError",
    "PeriodData", "PlanData", "RunResult", "BatchResult",
    "clean_file", "load_period", "load_plan", "prepare", "run_period", "run_plan", "run_batch", "verify", "reproduce",
]
