"""What an auditor runs months later: reproduce a report folder from its manifest.

``reproduce`` renders the report again from the manifest's inputs and parameters into a temporary folder,
compares the files, and when they differ says which of the things that decide them differ: the
pipeline's code digest, the git commit, Python, the packages, or the parameters.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pipeline.audit.verify import Check
from pipeline.errors import ManifestError
from pipeline.paths import PROJECT_ROOT, standing_in_for_the_project
from pipeline.read.limits import LIMITS
from pipeline.request import kind_of
from pipeline.run import manifest
from pipeline.run.publish import INPUTS_ARCHIVE
from pipeline.scratch import private_folder


def locate_input(recorded_path: str, root: Path = PROJECT_ROOT, inputs_dir: str | Path | None = None) -> Path | None:
    """Where an input listed in a manifest is now: under the project ``root`` at its recorded path, else (for an
    input that was outside the project, recorded by its name alone) in ``inputs_dir``. None when not found."""
    recorded = Path(recorded_path)
    candidates = [] if recorded.is_absolute() or ".." in recorded.parts else [Path(root) / recorded]
    if inputs_dir is not None:
        candidates.append(Path(inputs_dir) / recorded.name)
    return next((c for c in candidates if c.is_file()), None)


def reproduce(folder: str | Path, root: Path = PROJECT_ROOT, inputs_dir: str | Path | None = None) -> Check:
    """Render the report again from the manifest's inputs and parameters, in a temporary folder, and compare.

    Inputs are looked for at their recorded paths (relative to the project ``root``), or by name in
    ``inputs_dir`` (an input outside the project is published by its name only). When one is missing or has
    changed since (the register gained next quarter's rows, say), every input comes from the folder's own
    copies in ``inputs.zip`` instead, each checked against the manifest's hash, and a note says so; a folder
    without copies stops with a ManifestError. A Python or package version other than the manifest's is a
    note; when outputs differ, ``reasons`` names what differs.
    """
    folder = Path(folder)
    recorded = checked(manifest.read(folder), folder)
    params = recorded["parameters"]
    with private_folder("reproduce") as copies:
        # the report is made from exactly the manifest's inputs, gathered under their recorded paths in a folder
        # of their own: a file added beside them since (an earlier period's export) is not read
        located, moved = _live_inputs(recorded, root, inputs_dir, Path(copies))
        if moved:  # the live files have moved on: every input from the folder's own copies, beside each other
            located = _copied_inputs(folder, recorded, Path(copies), moved, inputs_dir)
        environment = environment_differences(recorded.get("environment") or {}, manifest.environment())
        notes = [f"environment differs: {note}" for note in environment]
        if moved:
            notes.append(f"{'; '.join(moved)}: reproduced from the folder's own copies ({INPUTS_ARCHIVE})")
        with standing_in_for_the_project(Path(copies)):
            check = _render_and_compare(folder, recorded, params, located)
    check.notes = notes + check.notes
    return check


_HEX64 = re.compile(r"[0-9a-f]{64}")


def checked(recorded: dict, folder: Path) -> dict:
    """The manifest, when it has what reproducing needs in the types this pipeline writes: parameters (text),
    inputs (each a relative path inside the project, its size and SHA-256, no path inside another's), and the
    pipeline and environment as mappings. Raises ManifestError naming what is wrong (a manifest edited by hand,
    or not this pipeline's)."""

    def bad(what: str) -> ManifestError:
        return ManifestError(f"{manifest.MANIFEST} cannot be reproduced from: {what}", folder)

    params = recorded.get("parameters")
    if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
        raise bad("its parameters are not a mapping of names to text")
    kind = kind_of(params)
    needed = {p.name for p in kind.parameters if p.name in ("year", "quarter", "input_path") or p.positional}
    if not needed <= set(params):
        raise ManifestError("manifest.json has no parameters to reproduce the report from", folder)
    inputs = recorded.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise bad("its inputs are not a list of files")
    paths = []
    for entry in inputs:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and isinstance(entry.get("size"), int)
            and not isinstance(entry.get("size"), bool)
            and isinstance(entry.get("sha256"), str)
            and _HEX64.fullmatch(entry["sha256"])
        ):
            raise bad("an input is not a path with its size and SHA-256")
        name = entry["path"]
        if not name or name.startswith("/") or "\\" in name or ".." in Path(name).parts or Path(name).name in ("", "."):
            raise bad(f"input {name!r} is not a relative path inside the project")
        paths.append(Path(name).as_posix())
    for a in paths:
        if any(b.startswith(a + "/") for b in paths) or paths.count(a) > 1:
            raise bad(f"input {a!r} is listed twice, or as a folder of another input")
    if params[next(iter(needed - {"year", "quarter"}))] not in paths:
        raise bad("the report's own input is not among its inputs")
    for part in ("pipeline", "environment"):
        if not isinstance(recorded.get(part, {}), dict):
            raise bad(f"its {part} is not a mapping")
    environment = recorded.get("environment") or {}
    for part in ("packages", "system"):
        if not isinstance(environment.get(part, {}), dict):
            raise bad(f"its environment's {part} is not a mapping")
    return recorded


def _live_inputs(recorded: dict, root: Path, inputs_dir, into: Path) -> tuple[dict, list[str]]:
    """The manifest's inputs where they are now, each copied (and hashed as it is copied) under its recorded
    path in ``into``: {recorded path: copy}, and what has moved on (missing or changed since the report was
    made)."""
    located, moved = {}, []
    for entry in recorded["inputs"]:
        path = locate_input(entry["path"], root, inputs_dir)
        if path is None:
            moved.append(f"input {entry['path']} is missing")
            continue
        target = into / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "rb") as source, open(target, "wb") as out:
            digest = _copy(source, out)
        if digest != entry["sha256"]:
            moved.append(f"input {entry['path']} has changed since the report was made (SHA-256 differs)")
        else:
            located[entry["path"]] = target
    return located, moved


def _copy(source, out) -> str:
    """Copy one open file to another a megabyte at a time; the SHA-256 of what was copied."""
    digest = hashlib.sha256()
    while block := source.read(2**20):
        digest.update(block)
        out.write(block)
    return digest.hexdigest()


def _copied_inputs(folder: Path, recorded: dict, into: Path, moved: list[str], inputs_dir) -> dict:
    """Every input from the folder's inputs.zip, checked against the manifest's hash, extracted under its
    recorded path in ``into``. Raises ManifestError when the folder holds no copy of one."""
    import zipfile
    import zlib

    archive_path = folder / INPUTS_ARCHIVE
    listed = {o["path"]: o["sha256"] for o in recorded.get("outputs", [])}
    hint = " (or pass --inputs DIR holding it)" if inputs_dir is None else f" or in {inputs_dir}"
    if not archive_path.is_file() or INPUTS_ARCHIVE not in listed:
        raise ManifestError(f"{moved[0]}; restore it to reproduce{hint} (this folder keeps no copies)", folder)
    if manifest.sha256_file(archive_path) != listed[INPUTS_ARCHIVE]:
        raise ManifestError(f"{moved[0]}, and the folder's {INPUTS_ARCHIVE} is not the one its manifest lists", folder)
    located = {}
    try:
        with zipfile.ZipFile(archive_path) as archive:
            for entry in recorded.get("inputs", []):
                name = entry["path"]
                try:
                    info = archive.getinfo(name)
                except KeyError:
                    info = None
                if info is None or name.startswith("/") or ".." in Path(name).parts:
                    raise ManifestError(f"{moved[0]}, and {INPUTS_ARCHIVE} holds no copy of {name}", folder)
                # the size is checked before anything is inflated: an entry that says it holds more than the manifest's
                # input (or more than any input may be) is refused, and the copy never inflates past what it says
                if info.file_size != entry.get("size") or info.file_size > LIMITS.file_bytes:
                    raise ManifestError(
                        f"the copy of {name} in {INPUTS_ARCHIVE} is {info.file_size:,} bytes, not the "
                        f"{entry.get('size')} bytes the manifest lists",
                        folder,
                    )
                target = into / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, open(target, "wb") as out:
                    digest = _copy(source, out)
                if digest != entry["sha256"]:
                    raise ManifestError(
                        f"the copy of {name} in {INPUTS_ARCHIVE} is not the input the manifest lists", folder
                    )
                located[name] = target
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ManifestError(f"{moved[0]}, and the folder's {INPUTS_ARCHIVE} cannot be read ({exc})", folder) from None
    return located


def _render_and_compare(folder: Path, recorded: dict, params: dict, located: dict) -> Check:
    """Make the report again from ``located`` inputs in a temporary folder, from the manifest's own request (its
    parameters, each input named by where it was found), and compare its files with the manifest's."""
    from pipeline.run.coordinator import run_report

    kind = kind_of(params)
    try:
        request = kind.make(**{name: value for name, value in params.items() if name in kind.names})
    except ValueError as exc:
        raise ManifestError(f"{manifest.MANIFEST} cannot be reproduced from: {exc}", folder) from None
    found = {}
    for p in kind.parameters:
        if p.path and params.get(p.name):
            if params[p.name] not in located:
                raise ManifestError(
                    f"the parameters name {params[p.name]}, which is not among the manifest's inputs", folder
                )
            found[p.name] = str(located[params[p.name]])
    with private_folder("reproduce") as tmp:
        result = run_report(
            request.replace(**found), force=True, root=Path(tmp) / "outputs", shown=params.get("out", "")
        )
        again = {name: manifest.sha256_file(result.out_dir / name) for name in manifest.files_in(result.out_dir)}
        remade = manifest.read(result.out_dir)
    files = []
    for entry in sorted(recorded["outputs"], key=lambda o: o["path"]):
        name = entry["path"]
        files.append(
            (name, "not produced" if name not in again else "matches" if again[name] == entry["sha256"] else "differs")
        )
    files += [
        (name, "new output")
        for name in sorted(set(again) - {o["path"] for o in recorded["outputs"]} - {manifest.MANIFEST})
    ]
    check = Check(files)
    if not check.ok:
        check.reasons = differences(recorded, remade)
    return check


def differences(recorded: dict, remade: dict) -> list[str]:
    """What differs between two manifests among the things that decide a report's outputs: the pipeline's
    code digest, git commit and version, Python, packages, inputs and parameters. Empty when none does."""
    reasons = []
    before, now = recorded.get("pipeline") or {}, remade.get("pipeline") or {}
    if before.get("code_digest") != now.get("code_digest"):
        reasons.append(
            f"code digest: the pipeline's code, templates, notebooks or lock changed "
            f"({str(before.get('code_digest'))[:12]} in the manifest, {str(now.get('code_digest'))[:12]} now)"
        )
    if before.get("git_commit") != now.get("git_commit"):
        reasons.append(
            f"git commit: {before.get('git_commit') or 'none'} in the manifest, {now.get('git_commit') or 'none'} now"
        )
    if before.get("uncommitted_changes") != now.get("uncommitted_changes"):
        said = {True: "with uncommitted changes to the pipeline's code", False: "a clean tree", None: "not a git clone"}
        reasons.append(
            f"uncommitted changes: the manifest's report was made from {said.get(before.get('uncommitted_changes'))}, "
            f"this one from {said.get(now.get('uncommitted_changes'))}"
        )
    if before.get("version") != now.get("version"):
        reasons.append(f"pipeline version: {before.get('version')} in the manifest, {now.get('version')} now")
    env_before, env_now = recorded.get("environment") or {}, remade.get("environment") or {}
    if env_before.get("python") != env_now.get("python"):
        reasons.append(f"Python: {env_before.get('python')} in the manifest, {env_now.get('python')} now")
    changed = environment_differences(
        {"packages": env_before.get("packages") or {}}, {"python": "", "packages": env_now.get("packages") or {}}
    )
    if changed:
        reasons.append(
            f"packages: {len(changed)} differ ({'; '.join(changed[:5])}{'; ...' if len(changed) > 5 else ''})"
        )
    if recorded.get("inputs") != remade.get("inputs"):
        reasons.append("inputs: the files read differ from the manifest's")
    if recorded.get("parameters") != remade.get("parameters"):
        reasons.append("parameters: differ from the manifest's")
    return reasons


def environment_differences(recorded: dict, current: dict) -> list[str]:
    """Human-readable differences between the manifest's environment and this one."""
    notes = []
    if recorded.get("python") and recorded["python"] != current["python"]:
        notes.append(f"Python {current['python']} here, {recorded['python']} in the manifest")
    before, now = recorded.get("packages") or {}, current["packages"]
    for name in sorted(set(before) | set(now)):
        if before.get(name) != now.get(name):
            notes.append(
                f"{name} {now.get(name, 'not installed')} here, {before.get(name, 'not installed')} in the manifest"
            )
    system_before, system_now = recorded.get("system") or {}, current.get("system") or {}
    fonts_before, fonts_now = system_before.get("fonts") or {}, system_now.get("fonts") or {}
    for name in sorted(set(fonts_before) | set(fonts_now)):
        if fonts_before.get(name) != fonts_now.get(name):
            notes.append(f"font {name}: another file here than in the manifest (the PDF's text may differ)")
    return notes
