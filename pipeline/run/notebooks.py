"""What of a notebook is code, and keeping the repository's notebooks free of outputs.

A report notebook's code is its cells' kind, source and tags. Outputs, execution counts, cell ids' other
metadata and what JupyterLab writes into the notebook's metadata do not change a report, so they neither
enter the code digest (``code_of``) nor stay in a notebook saved from Lab: ``pre_save_hook`` is the
server-side hook named in ``.jupyter/jupyter_server_config.py`` (``make lab``), and
``python -m pipeline.run.notebooks --check notebooks`` (run by ``make test``) fails on a notebook holding outputs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KEPT_NOTEBOOK_METADATA = ("kernelspec", "language_info")


def code_of(nb: dict) -> bytes:
    """The bytes that stand for a notebook's code: each cell's kind, source and tags, in order."""
    cells = [
        [c.get("cell_type"), _text(c.get("source", "")), sorted(c.get("metadata", {}).get("tags", []))]
        for c in nb.get("cells", [])
    ]
    return json.dumps(cells, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def strip(nb: dict) -> dict:
    """``nb`` without outputs, execution counts, cell metadata other than tags, or notebook metadata other
    than the kernel and language (changed in place, and returned)."""
    for cell in nb.get("cells", []):
        tags = cell.get("metadata", {}).get("tags")
        cell["metadata"] = {"tags": tags} if tags else {}
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    metadata = nb.get("metadata", {})
    nb["metadata"] = {k: metadata[k] for k in KEPT_NOTEBOOK_METADATA if k in metadata}
    kernel = nb["metadata"].get("kernelspec")
    if isinstance(kernel, dict) and kernel.get("name") == "python3":  # Lab renames it "Python 3 (ipykernel)"
        nb["metadata"]["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    if "language_info" in nb["metadata"]:
        nb["metadata"]["language_info"] = {"name": nb["metadata"]["language_info"].get("name", "python")}
    return nb


def pre_save_hook(model: dict, path: str = "", contents_manager=None, **kwargs) -> None:
    """Jupyter server's pre-save hook: a notebook is saved without its outputs (Lab keeps showing them)."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        strip(model["content"])


def holding_outputs(nb: dict) -> list[str]:
    """What in ``nb`` should not be in the repository: cells with outputs or execution counts, extra metadata."""
    found = [f"cell {i + 1} has outputs" for i, c in enumerate(nb.get("cells", [])) if c.get("outputs")]
    found += [
        f"cell {i + 1} has an execution count"
        for i, c in enumerate(nb.get("cells", []))
        if c.get("execution_count") is not None
    ]
    extra = sorted(set(nb.get("metadata", {})) - set(KEPT_NOTEBOOK_METADATA))
    return found + ([f"notebook metadata {', '.join(extra)}"] if extra else [])


def main(argv: list[str]) -> int:
    """``--check DIR``: exit 1, naming each notebook and what it holds, when a notebook in DIR has outputs."""
    if len(argv) != 2 or argv[0] != "--check":
        print("usage: python -m pipeline.run.notebooks --check DIR", file=sys.stderr)
        return 2
    problems = []
    for path in sorted(Path(argv[1]).glob("*.ipynb")):
        for what in holding_outputs(json.loads(path.read_text(encoding="utf-8"))):
            problems.append(f"{path}: {what}")
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        print(
            "notebooks in the repository hold no outputs: save them from make lab, whose save hook strips them",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
