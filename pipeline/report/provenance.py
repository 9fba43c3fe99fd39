"""The provenance annex: the inputs with their hashes, the parameters, the software, and the commands that make
the report again and check it."""

from __future__ import annotations

import pandas as pd

from pipeline.report.blocks import Items, Para, Span, table

REPORTED_PACKAGES = (
    "pandas",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "typst",
    "openpyxl",
    "charset-normalizer",
    "beautifulsoup4",
)


def provenance_section(inputs, request, environment: dict, code_digest: str, version: str, git: dict | None = None):
    """Inputs with hashes, the report's parameters (``request``: its ``request.Request``, as the manifest records
    it), versions (the pipeline's with its git commit, from ``manifest.git_state``), and the exact commands that make
    the report again and check it."""
    from pipeline.report.pieces import Piece

    parameters = request.values()
    rows = pd.DataFrame(
        {
            "File": [i["path"] for i in inputs],
            "Bytes": [f"{int(i['size']):,}" for i in inputs],
            "SHA-256": [Span("code", (i["sha256"],)) for i in inputs],
        }
    )
    files = table(
        rows,
        "Inputs this report was made from",
        numeric=("Bytes",),
        style="provenance",
        widths={"File": "38%", "Bytes": "10%"},
    )
    params = table(
        pd.DataFrame({"Parameter": list(parameters), "Value": [str(v) for v in parameters.values()]}),
        "Parameters of the report notebook",
        row_header="Parameter",
    )
    packages = environment.get("packages", {})
    versions = [("Python", environment.get("python", "")), ("council-plan-reports (this pipeline)", version)]
    versions.append(("Git commit of the pipeline", _commit_text(git)))
    versions += [(name, packages.get(name, "not installed")) for name in REPORTED_PACKAGES]
    fonts = (environment.get("system") or {}).get("fonts") or {}
    if fonts:
        versions.append(("Fonts of the PDF (in the repository; hashes in the manifest)", ", ".join(sorted(fonts))))
    software = table(
        pd.DataFrame(versions, columns=["Software", "Version"]), "Software versions", row_header="Software"
    )
    return Piece((files, params, software) + commands(request) + _digest(code_digest))


def commands(request) -> tuple:
    """The commands that make the report again, check a published copy and reproduce it, as blocks. Each runs
    as printed (``request.shell``: shell-quoted, a value starting with '-' joined to its flag)."""
    from pipeline.request import shell

    hidden = request.out == ""  # a folder outside the project: not named (it may carry a user's name)
    out = "DIR" if hidden else request.out
    folder = f"{out}/{request.folder()}"
    shown = folder if not folder.startswith("-") else "./" + folder
    run = shell(request.command_line(shown_out=out))
    verify = shell(["python", "-m", "pipeline", "verify", shown])
    reproduce = shell(["python", "-m", "pipeline", "reproduce", shown])
    blocks = (
        Para(
            (
                "From a clone of the pipeline at the commit above, with the inputs in place (",
                Span("code", ("make venv",)),
                " installs the pinned versions; prefix commands with ",
                Span("code", (".venv/bin/",)),
                "):",
            )
        ),
        Items(
            (
                ("Make this report again: ", Span("code", (run,))),
                ("Check a published copy has not changed: ", Span("code", (verify,))),
                ("Make it again in a temporary folder and compare every file: ", Span("code", (reproduce,))),
            )
        ),
    )
    if hidden:
        blocks += (
            Para(
                (
                    "DIR stands for the folder the report was published under: it is outside the pipeline's "
                    "folder, and its path is not printed (it can carry a user's name).",
                )
            ),
        )
    return blocks


def _digest(code_digest: str) -> tuple:
    return (
        Para(
            (
                "Pipeline code digest (SHA-256 of the code, templates, notebooks and locked dependencies): ",
                Span("digest", (code_digest,)),
                ".",
            )
        ),
        Para(
            (
                "The folder's ",
                Span("link", ("manifest.json",), "manifest.json"),
                " also records every output file's SHA-256 and the version of every installed package.",
            ),
            published="manifest.json",
        ),
    )


def _commit_text(git: dict | None) -> str:
    if not git or not git.get("git_commit"):
        return "not known (not made from a git clone)"
    return git["git_commit"] + (" with uncommitted changes" if git.get("uncommitted_changes") else "")
