"""Layout files (TOML) checked against a declared schema: pydantic models, errors in one line with file and line.

Every layout file (an export's, a comparison dataset's) is read the same way: TOML parsed (``tomllib``), then the
document validated by its model. A field that is not what its model declares is refused with the field's path
(``[layout] reviewed``), what it must be (the field's ``description``, or the model's own words for the check that
failed) and the line of the file that gives it.
"""

from __future__ import annotations

import re
import tomllib

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.errors import InputError


class Strict(BaseModel):
    """A table of a layout file: no key it does not declare, no coercion (``"false"`` is not ``false``)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def load_toml(data: bytes, name: str) -> tuple[dict, str]:
    """The TOML document in ``data`` and its text. Raises InputError naming ``name`` (and the line) for text that
    is not UTF-8 or not TOML, or nested too deeply to be a layout."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text; save the layout as UTF-8", name) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(
            f"is not valid TOML: {str(exc).split(' (at line')[0]}", name, int(m.group(1)) if m else None
        ) from None
    except RecursionError:
        raise InputError("is nested too deeply to be a layout (a layout is a few flat tables)", name) from None


def validated(model: type[BaseModel], doc: dict, text: str, name: str, words: dict[str, str]):
    """``doc`` as ``model``. Raises InputError for the first field that does not fit, naming its path, what it must
    be (``words``: the model's wording of a check by the error's type or field; else the field's description) and
    the line that gives it."""
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        raise InputError(describe(error, model, words), name, line_of(text, error["loc"])) from None


def describe(error: dict, model: type[BaseModel], words: dict[str, str]) -> str:
    """One line for a validation error: the field's path in the file's words and what it must be."""
    loc = [str(part) for part in error["loc"]]
    section, key = (loc[0], loc[1] if len(loc) > 1 else "") if loc else ("", "")
    where = f"[{section}] {key!r}" if key and section not in ("layout",) else f"[{section}] {key}".strip()
    if error["type"] == "extra_forbidden":
        return words.get(f"{section}:extra" if key else "extra", f"{where}: not a key the layout knows").format(
            section=section, key=key
        )
    if error["type"] in ("model_type", "dict_type") and len(loc) == 1:
        return f"{section} must be a table ([{section}] with its keys below it)"
    for candidate in (f"{section}.{key}", f"{section}:{error['type']}", section):
        if candidate in words:
            return words[candidate].format(section=section, key=key, value=error.get("input"))
    return f"{where}: {error['msg']}"


def line_of(text: str, loc) -> int | None:
    """The line of the deepest key of ``loc`` that the text names: where it is written as a key (quoted or bare,
    before its ``=``), else the section's header line, else the first line that holds it."""
    lines = text.splitlines()
    for needle in [str(part) for part in reversed(loc) if not isinstance(part, int)]:
        for number, line in enumerate(lines, start=1):
            key = line.split("=", 1)[0].strip()
            if "=" in line and key in (needle, f'"{needle}"', f"'{needle}'"):
                return number
        for number, line in enumerate(lines, start=1):
            if line.strip() in (f"[{needle}]", f"[{needle}"):
                return number
    return None


def line_holding(text: str, needle: str) -> int | None:
    """The line of the key ``needle``, else of the first line holding it (for checks across fields)."""
    found = line_of(text, [needle])
    if found is not None:
        return found
    return next((n for n, line in enumerate(text.splitlines(), start=1) if needle in line), None)
