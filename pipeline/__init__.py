"""Council Plan reporting pipeline: ingest -> clean -> measure -> charts -> report/render -> manifest.

The public API is what the command line and the notebooks call; everything
else lives in the stage modules.
"""

from .errors import InputError, NotAnExportError, PipelineError, RenderError, UsageError
from .run import PeriodData, RunResult, clean_file, load_period, prepare, run_period

__all__ = [
    "InputError", "NotAnExportError", "PipelineError", "RenderError", "UsageError",
    "PeriodData", "RunResult", "clean_file", "load_period", "prepare", "run_period",
]
