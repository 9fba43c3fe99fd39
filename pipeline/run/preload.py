"""What a local worker process has before it is forked for a build (``executors.LocalProcesses``' fork server
imports this): every module a build imports, and the bundled fonts read, once for all the builds it forks.

Without it, each build (one process each) imported python-docx, IPython's markdown renderer, fontTools and a score
of the pipeline's own modules again, and read the five font files again: about a third of a profile's processor
time. Importing and reading change nothing a build makes: the same modules and the same font tables, sooner.
"""

from __future__ import annotations

import importlib

# Rendering's heavy modules and the stages, in the order a build first needs them.
MODULES = [
    "pandas",
    "matplotlib.figure",
    "papermill",
    "papermill.engines",
    "nbconvert",
    "nbconvert.filters.markdown_mistune",
    "nbclient",
    "jupyter_client.manager",
    "jupyter_client.asynchronous",
    "typst",
    "docx",
    "fontTools.ttLib",
    "mistune",
    "filelock",
    "pipeline.read.readers",
    "pipeline.read.exports",
    "pipeline.read.comparison",
    "pipeline.read.stockton.clean",
    "pipeline.read.stockton.figures",
    "pipeline.read.table.rows",
    "pipeline.figures.measure",
    "pipeline.figures.assessed",
    "pipeline.figures.milestones",
    "pipeline.figures.compare",
    "pipeline.figures.history",
    "pipeline.figures.statements",
    "pipeline.figures.facts.period",
    "pipeline.report",
    "pipeline.report.charts",
    "pipeline.report.export.html",
    "pipeline.report.export.pdf",
    "pipeline.report.export.docx",
    "pipeline.report.formats.typst",
    "pipeline.report.formats.docx",
    "pipeline.report.formats.markdown",
    "pipeline.run.build",
    "pipeline.run.comparison",
    "pipeline.run.execute",
    "pipeline.run.handover",
    "pipeline.run.kernel",
    "pipeline.run.prepare",
    "pipeline.run.profiles",
    "pipeline.run.warm",
]


def load() -> None:
    """Import ``MODULES`` and read every bundled font (``report.fonts``)."""
    for name in MODULES:
        importlib.import_module(name)
    from pipeline.report import fonts

    try:
        for name in (*fonts.TEXT_FACES, fonts.FALLBACK):
            fonts.advances(name)
    except Exception:  # noqa: BLE001 - a font that cannot be read here fails the build that needs it, with its reason
        pass


load()
