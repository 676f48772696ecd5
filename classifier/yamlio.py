"""YAML as data files use it: safe parsing, and one way to check a mapping's keys.

PyYAML's C parser is used when it is built in (about 10x faster than the
pure-Python one; the redaction rules alone took 0.16 s to parse). Taxonomies,
mapping files, pattern files and column maps all validate through
`parse_yaml` and `check_keys`, so their errors read the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAMLError = yaml.YAMLError


def safe_load(text: str):
    """Like `yaml.safe_load`: plain data only, never arbitrary Python objects."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader)


def parse_yaml(text: str, error: type[Exception], where: str):
    """Parse YAML text; a syntax error becomes `error` naming the line (never quoting content).

    Parameters
    ----------
    text : the YAML document.
    error : the exception type to raise (e.g. TaxonomyError).
    where : how to name the file in the message ("taxonomy 'x.yml'").
    """
    try:
        return safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise error(f"{where} is not valid YAML{at}; fix the syntax") from None


def check_keys(
    data: object, allowed: Iterable[str], required: Iterable[str], error: type[Exception], where: str
) -> dict:
    """`data` must be a mapping with every `required` key (non-empty) and no key outside `allowed`.

    Returns `data`; raises `error` naming the unknown or missing keys and the allowed ones.
    """
    allowed, required = set(allowed), list(required)
    if not isinstance(data, dict):
        raise error(f"{where}: expected a mapping with keys {', '.join(required or sorted(allowed))}")
    unknown = set(map(str, data)) - allowed
    if unknown:
        raise error(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    for key in required:
        if data.get(key) in (None, ""):
            raise error(f"{where}: missing required field '{key}'")
    return data
