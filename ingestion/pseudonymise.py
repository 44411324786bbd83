"""Personal data at ingestion (Decree 13/2023): keyed hashes for identities, masks for contacts inside free text."""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

import duckdb
import polars as pl

# Vietnamese phone numbers as people type them: 0xx / +84 / 84, 9–10 more digits, spaces, dots, dashes or brackets between.
# No look-around: the same pattern runs in polars (Rust regex) and DuckDB (RE2).
PHONE_PATTERN = r"(?:\+84|\b84|\(?\b0)(?:[ .\-)]{0,2}\d){9,10}\b"
EMAIL_PATTERN = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
IPV4_PATTERN = r"\b\d{1,3}(?:\.\d{1,3}){3}\b"
PHONE_MASK = "[số điện thoại]"
EMAIL_MASK = "[email]"
IP_MASK = "[ip withheld]"


def mask_contacts(expr: pl.Expr) -> pl.Expr:
    """Free text keeps its words; phone numbers and e-mail addresses inside it are replaced by a marker."""
    return expr.str.replace_all(EMAIL_PATTERN, EMAIL_MASK).str.replace_all(PHONE_PATTERN, PHONE_MASK)


# Cheap pre-test (no captures, DFA): only text with an '@' or nine digits close together can hold a contact.
CONTACT_GUARD = r"@|[0-9](?:[^0-9]{0,3}[0-9]){8}"


def mask_contacts_sql(column_sql: str) -> str:
    """The same masking as a DuckDB expression (e-mails first: an address can contain digits)."""
    masked = (
        f"regexp_replace(regexp_replace({column_sql}, '{EMAIL_PATTERN}', '{EMAIL_MASK}', 'g'), "
        f"'{PHONE_PATTERN}', '{PHONE_MASK}', 'g')"
    )
    return f"(case when regexp_matches({column_sql}, '{CONTACT_GUARD}') then {masked} else {column_sql} end)"


# A URL's path (and scheme and host) is everything before '?' or '#'. Its segments hold article ids and dates
# (/tin-tuc/cap-phep-thang-05-2025-38990) that the phone pattern would take for a number, merging different pages; a
# citizen's contact is typed into a form, so it shows up in the query string or fragment, where phones are masked.
# An e-mail address cannot be mistaken for an id, so it is masked in the path too.
URL_BEFORE_QUERY = r"^[^?#]*"


def mask_contacts_in_url(expr: pl.Expr) -> pl.Expr:
    """Phones masked in the query string and fragment of a URL or path, never in its path segments; e-mails everywhere."""
    head = expr.str.extract(f"({URL_BEFORE_QUERY})", 1)
    return head.str.replace_all(EMAIL_PATTERN, EMAIL_MASK) + mask_contacts(expr.str.slice(head.str.len_chars()))


def mask_contacts_in_url_sql(column_sql: str) -> str:
    """The same as mask_contacts_in_url, as a DuckDB expression."""
    head = f"regexp_extract({column_sql}, '{URL_BEFORE_QUERY}')"
    masked_head = f"(case when contains({head}, '@') then regexp_replace({head}, '{EMAIL_PATTERN}', '{EMAIL_MASK}', 'g') else {head} end)"
    return f"({masked_head} || {mask_contacts_sql(f'substr({column_sql}, length({head}) + 1)')})"


# --- normalisation before hashing: the same person typed twice must give the same key ---------------------------------

def normalise_name(expr: pl.Expr) -> pl.Expr:
    return expr.str.normalize("NFC").str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


def normalise_phone(expr: pl.Expr) -> pl.Expr:
    digits = expr.str.replace_all(r"\D", "").str.replace(r"^84", "0")
    # Excel drops the leading 0 of a number typed as a number: 909123456 is 0909123456.
    return pl.when(digits.str.contains(r"^[1-9]\d{8}$")).then(digits.str.pad_start(10, "0")).otherwise(digits)


def normalise_email(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().str.to_lowercase()


def normalise_name_py(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


def normalise_phone_py(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    digits = "0" + digits[2:] if digits.startswith("84") else digits
    return "0" + digits if re.fullmatch(r"[1-9]\d{8}", digits) else digits


def hmac_hex(key: bytes, value: str) -> str:
    """Reference implementation (tests, one-off look-ups by the data protection officer): HMAC-SHA256, hex."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


# --- HMAC-SHA256 inside DuckDB: vectorised, the key never leaves the process -----------------------------------------

def _hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def install_hmac(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """Define `hmac_key(text)` on this connection: HMAC-SHA256 hex of the UTF-8 text (RFC 2104 from sha256), NULL for NULL/''."""
    inner, outer = _hmac_pads(key)
    # The pads are derived from the key: they are put in as blob literals of a temporary macro, never logged or stored.
    inner_hex, outer_hex = inner.hex(), outer.hex()
    con.execute(
        "create or replace temp macro hmac_key(m) as "
        f"case when m is null or m = '' then null else "
        f"sha256(unhex('{outer_hex}') || unhex(sha256(unhex('{inner_hex}') || encode(m)))) end"
    )
