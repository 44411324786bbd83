"""Column mappings: one YAML per export format, chosen by the header found in the file."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ingestion.contracts import CONTRACTS
from edukpi.settings import LOCAL_TZ, MAPPINGS_DIR

DEFAULT_FORMATS = {"timestamp": ["%Y-%m-%d %H:%M:%S"], "date": ["%Y-%m-%d"]}


class RejectedFileError(ValueError):
    """A delivered file that cannot be read as a whole (empty, cut short, not in an accepted encoding or format).

    The load stops and writes nothing; the message names the file, what was found and what is accepted.
    """


class UnmappableHeaderError(RejectedFileError):
    """The header of a file matches no mapping of its source."""


def header_key(text: str | None) -> str:
    """How headers are compared: NFC, case-folded, spaces collapsed, BOM and surrounding quotes/spaces ignored."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\ufeff", "")
    return " ".join(text.casefold().split())


def value_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@dataclass(frozen=True)
class Mapping:
    """How one export format's headers, encodings, formats and values map onto a source's contract."""

    source: str
    name: str
    path: Path
    description: str
    columns: dict[str, str]  # contract field -> header in the file
    optional_headers: frozenset[str]  # contract fields whose header may be missing (read as empty)
    encodings: tuple[str, ...]
    delimiter: str
    sheet: str | None
    timezone: str
    formats: dict[str, list[str]]  # contract field or kind -> strptime formats, tried in order
    values: dict[str, dict[str, str]]  # contract field -> {value in the file: stored value}
    header_aliases: dict[str, list[str]] = field(default_factory=dict)
    sha256: str = ""  # of the YAML file: the ledger keeps it, so a changed mapping re-checks the files it read
    constants: dict[str, str] = field(default_factory=dict)  # contract field -> the same value on every row
    filename_pattern: re.Pattern | None = None  # named groups = contract fields taken from the file's name

    @property
    def filename_fields(self) -> list[str]:
        return list(self.filename_pattern.groupindex) if self.filename_pattern else []

    @property
    def supplied_fields(self) -> list[str]:
        """Every contract field this mapping gives a value: from a column, a constant or the file name."""
        return [*self.columns, *self.constants, *self.filename_fields]

    def label(self, contract_field: str) -> str:
        """How a field's value is named in messages: its header, or where the mapping takes it from."""
        if contract_field in self.columns:
            header = self.columns[contract_field]
            return f"{contract_field} ({header})" if header != contract_field else contract_field
        if contract_field in self.constants:
            return f"{contract_field} (constant of mapping '{self.name}')"
        return f"{contract_field} (from the file name)"

    def values_from_filename(self, file_label: str) -> dict[str, str]:
        """The named groups of from_filename.pattern found in the file's name; RejectedFileError when it does not match."""
        if not self.filename_pattern:
            return {}
        name = file_label.rsplit("/", 1)[-1]
        found = self.filename_pattern.search(name)
        if not found:
            raise RejectedFileError(
                f"{file_label}: mapping '{self.name}' ({self.path.name}) takes {', '.join(self.filename_fields)} from the "
                f"file name, but '{name}' does not match its pattern {self.filename_pattern.pattern!r}. Rename the file "
                "accordingly (see the mapping's comment) and send it again."
            )
        return {k: v for k, v in found.groupdict().items() if v is not None}
    options: dict[str, object] = field(default_factory=dict)  # source-specific settings of the format (see its module)

    def headers_for(self, contract_field: str) -> list[str]:
        return [self.columns[contract_field], *self.header_aliases.get(contract_field, [])]

    @property
    def required_fields(self) -> list[str]:
        return [f for f in self.columns if f not in self.optional_headers]

    def missing_headers(self, header: list[str | None]) -> list[str]:
        present = {header_key(h) for h in header if h}
        return [
            self.columns[f]
            for f in self.required_fields
            if not any(header_key(h) in present for h in self.headers_for(f))
        ]

    def column_positions(self, header: list[str | None]) -> dict[str, int]:
        """Contract field -> position of its column in the header (fields whose header is absent are left out)."""
        positions = {header_key(h): i for i, h in reversed(list(enumerate(header))) if h}
        found = {}
        for contract_field in self.columns:
            for candidate in self.headers_for(contract_field):
                if header_key(candidate) in positions:
                    found[contract_field] = positions[header_key(candidate)]
                    break
        return found

    def formats_for(self, contract_field: str, kind: str) -> list[str]:
        return self.formats.get(contract_field) or self.formats.get(kind) or DEFAULT_FORMATS.get(kind, [])

    def value_map(self, contract_field: str) -> dict[str, str]:
        """{value_key(value in the file): stored value}."""
        return {value_key(k): v for k, v in self.values.get(contract_field, {}).items()}


def _load(path: Path, source: str) -> Mapping:
    text = path.read_bytes()
    spec = yaml.safe_load(text.decode("utf-8"))
    contract = CONTRACTS[source]
    known = set(contract.field_by_name)
    columns = {str(k): str(v) for k, v in (spec.get("columns") or {}).items()}
    unknown = sorted(set(columns) - known)
    if unknown:
        raise ValueError(f"mapping {path}: {', '.join(unknown)} are not fields of the {source} contract ({', '.join(sorted(known))})")
    constants = {str(k): str(v) for k, v in (spec.get("constants") or {}).items()}
    from_filename = spec.get("from_filename") or {}
    try:
        filename_pattern = re.compile(str(from_filename["pattern"])) if from_filename.get("pattern") else None
    except re.error as error:
        raise ValueError(f"mapping {path}: from_filename.pattern is not a regular expression ({error})") from error
    filename_fields = list(filename_pattern.groupindex) if filename_pattern else []
    unknown = sorted((set(constants) | set(filename_fields)) - known)
    if unknown:
        raise ValueError(f"mapping {path}: {', '.join(unknown)} (constants / from_filename) are not fields of the "
                         f"{source} contract ({', '.join(sorted(known))})")
    given_twice = [
        f"{name} ({' and '.join(w for w, names in (('columns', columns), ('constants', constants), ('from_filename', filename_fields)) if name in names)})"
        for name in sorted(known) if (name in columns) + (name in constants) + (name in filename_fields) > 1
    ]
    if given_twice:
        raise ValueError(f"mapping {path}: {', '.join(given_twice)}: each field may be given one way only")
    supplied = set(columns) | set(constants) | set(filename_fields)
    missing_required = [f.name for f in contract.fields if f.required and f.name not in supplied]
    if missing_required:
        raise ValueError(f"mapping {path}: required contract fields {', '.join(missing_required)} have no header "
                         "(nor a constant or a from_filename group)")
    if contract.one_of and not any(set(group) <= supplied for group in contract.one_of):
        wanted = " or ".join("+".join(group) for group in contract.one_of)
        raise ValueError(f"mapping {path}: the {source} contract needs {wanted} (from a column, a constant or the file name)")
    _refuse_shared_headers(path, columns, spec.get("header_aliases") or {})
    encodings = spec.get("encoding", ["utf-8"])
    encodings = [encodings] if isinstance(encodings, str) else list(encodings)
    formats = {str(k): ([v] if isinstance(v, str) else list(v)) for k, v in (spec.get("formats") or {}).items()}
    # from_filename.formats: how the parts taken from the name are written (per field), e.g. period_start: "%Y%m%d"
    formats |= {str(k): ([v] if isinstance(v, str) else list(v)) for k, v in (from_filename.get("formats") or {}).items()}
    values = {str(k): {str(a): str(b) for a, b in v.items()} for k, v in (spec.get("values") or {}).items()}
    aliases = {str(k): ([v] if isinstance(v, str) else list(v)) for k, v in (spec.get("header_aliases") or {}).items()}
    timezone = str(spec.get("timezone") or LOCAL_TZ)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"mapping {path}: timezone {timezone!r} is not a time zone name; write an IANA name such as "
                         f"{LOCAL_TZ} or America/Los_Angeles (the zone of times written without an offset)") from None
    return Mapping(
        source=source,
        name=spec.get("name") or path.stem,
        path=path,
        description=spec.get("description", ""),
        columns=columns,
        optional_headers=frozenset(spec.get("optional_headers") or []),
        encodings=tuple(encodings),
        delimiter=str(spec.get("delimiter", ",")),
        sheet=spec.get("sheet"),
        timezone=timezone,
        formats=formats,
        values=values,
        header_aliases=aliases,
        sha256=hashlib.sha256(text).hexdigest(),
        constants=constants,
        filename_pattern=filename_pattern,
        options=dict(spec.get("options") or {}),
    )


def _refuse_shared_headers(path: Path, columns: dict[str, str], aliases: dict) -> None:
    """Two fields read from one header would both take that column's values without a word: refused at load."""
    fields_by_header: dict[str, list[str]] = {}
    for contract_field, header in columns.items():
        extra = aliases.get(contract_field) or []
        for candidate in [header, *([extra] if isinstance(extra, str) else extra)]:
            names = fields_by_header.setdefault(header_key(str(candidate)), [])
            if contract_field not in names:
                names.append(contract_field)
    shared = {h: names for h, names in fields_by_header.items() if len(names) > 1}
    if shared:
        listed = "; ".join(f"{', '.join(names)} all read header '{h}'" for h, names in shared.items())
        raise ValueError(
            f"mapping {path}: {listed}. Each header may feed one field only: give each field its own column "
            "(a constant value goes under constants:)"
        )


@cache
def _load_cached(directory: str, source: str, stamp: tuple) -> tuple[Mapping, ...]:
    return tuple(_load(path, source) for path in sorted(Path(directory).glob("*.yaml")))


def _mappings_in(directory: Path, source: str) -> tuple[Mapping, ...]:
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(directory.glob("*.yaml")))
    return _load_cached(str(directory), source, stamp) if stamp else ()


def load_mappings(source: str, mappings_dir: Path = MAPPINGS_DIR, local_dir: Path | None = None) -> tuple[Mapping, ...]:
    """The source's mappings in the order they are tried: the analyst's own (`local_dir/<source>/*.yaml`, default
    data/mappings) by file name, then the project's (`mappings_dir/<source>/*.yaml`) by file name."""
    local = _mappings_in(local_dir / source, source) if local_dir is not None else ()
    shipped = _mappings_in(mappings_dir / source, source)
    names = [m.name for m in (*local, *shipped)]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        paths = [str(m.path) for m in (*local, *shipped) if m.name in twice]
        raise ValueError(f"mapping name(s) {', '.join(twice)} used by more than one mapping file ({', '.join(paths)}): "
                         "the ledger records which mapping read a file, so each needs its own `name:`")
    if not names:
        raise FileNotFoundError(f"no column mapping for source {source!r}: add one under {local_dir or mappings_dir}/{source}")
    return (*local, *shipped)


def describe_failure(file_label: str, attempts: list[tuple[Mapping, str, list[str]]], header: list[str | None]) -> str:
    shown_header = ", ".join(repr(h) for h in header if h) or "(empty)"
    lines = [f"{file_label}: the header matches no column mapping. Header found: {shown_header}."]
    for mapping, encoding, missing in attempts:
        lines.append(
            f"  - mapping '{mapping.name}' ({mapping.path.name}, read as {encoding}): missing column(s) "
            + ", ".join(repr(m) for m in missing)
        )
    lines.append(
        "Rename the columns in the file, or add a mapping YAML for this export format under "
        f"data/mappings/{attempts[0][0].source if attempts else '<source>'}/ (see docs/data-contracts.md, "
        "\"Bringing a new export\")."
    )
    return "\n".join(lines)


_STRFTIME_WORDS = {"%Y": "yyyy", "%m": "mm", "%d": "dd", "%H": "HH", "%M": "MM", "%S": "SS", "%z": "±hh:mm", "%b": "Mon",
                   "%y": "yy", "%f": "ffffff", "%.f": ".ffffff", "%:z": "±hh:mm"}


def human_format(fmt: str) -> str:
    """'%d/%m/%Y %H:%M' -> 'dd/mm/yyyy HH:MM' (how the rule is shown to the people who send the files)."""
    return re.sub(r"%[.:]?[A-Za-z]", lambda m: _STRFTIME_WORDS.get(m.group(0), m.group(0)), fmt)
