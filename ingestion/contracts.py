"""Data contracts: what each source must deliver (fields, types, rules) and the raw table it lands in."""
from __future__ import annotations

from dataclasses import dataclass, field

from ingestion.calendar_days import CALENDAR_DAYS_COLUMNS

# Columns every raw table carries (lineage); appended after the source's own columns.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source_file", "VARCHAR"),
    ("source_line", "INTEGER"),
    ("file_fingerprint", "VARCHAR"),
    ("loaded_at", "TIMESTAMP"),
)


@dataclass(frozen=True)
class Field:
    """One field of a delivered file, under its contract name (a mapping says which header holds it)."""

    name: str
    kind: str  # text | timestamp | date | integer | number | choice
    description: str
    example: str = ""
    required: bool = False
    required_when: str = ""  # plain-words condition for the docs; the rule itself lives in the source module
    accepted: dict[str, str] = field(default_factory=dict)  # stored value -> what the sample export writes
    min_value: float | None = None
    personal: str | None = None  # mask shown instead of the value in raw.quarantine


@dataclass(frozen=True)
class Contract:
    source: str
    table: str
    description: str
    columns: tuple[tuple[str, str], ...]  # raw table columns (name, DuckDB type), lineage excluded
    fields: tuple[Field, ...] = ()
    key: tuple[str, ...] = ()  # fields that identify a row (duplicate rule)

    @property
    def field_by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def all_columns(self) -> tuple[tuple[str, str], ...]:
        return self.columns + LINEAGE_COLUMNS

    @property
    def qualified_table(self) -> str:
        return f"raw.{self.table}"


SUBMISSION_STATUS = {
    "received": "Đã tiếp nhận",
    "selected": "Được chọn",
    "published": "Đã đăng",
    "rejected": "Không sử dụng",
    "withdrawn": "Rút lại",
}
PUBLISHED_CHANNEL = {"portal": "Cổng thông tin", "press": "Báo chí", "ministry": "Bộ GDĐT"}
FEEDBACK_STATUS = {"open": "Đang xử lý", "answered": "Đã trả lời", "forwarded": "Đã chuyển", "closed": "Đã đóng"}
# Channel and category are stored with the portal's own Vietnamese labels (they are what staff read and what the SLA seed keys on).
FEEDBACK_CHANNELS = {label: label for label in ("Cổng thông tin", "Đường dây nóng", "Email", "Trực tiếp", "Hệ thống 1022")}
FEEDBACK_CATEGORIES = {
    label: label
    for label in (
        "Tuyển sinh",
        "Học phí - Thu chi",
        "Thi cử",
        "Cơ sở vật chất",
        "Nhân sự - Giáo viên",
        "Chương trình - Sách giáo khoa",
        "An toàn trường học",
        "Khác",
        "Khiếu nại",
    )
}

GA4_EVENTS = Contract(
    source="ga4",
    table="ga4_events",
    description=(
        "Portal analytics, GA4 BigQuery export: one row per event of events_YYYYMMDD (Parquet or NDJSON), "
        "event_params flattened; the host of page_location is the sub-site."
    ),
    columns=(
        ("event_date", "DATE"),
        ("event_timestamp_us", "BIGINT"),
        ("event_local_ts", "TIMESTAMP"),
        ("event_name", "VARCHAR"),
        ("page_location", "VARCHAR"),
        ("page_host", "VARCHAR"),
        ("page_path", "VARCHAR"),
        ("page_title", "VARCHAR"),
        ("ga_session_id", "BIGINT"),
        ("engagement_time_msec", "BIGINT"),
        ("user_pseudo_id", "VARCHAR"),
        ("device_category", "VARCHAR"),
        ("geo_city", "VARCHAR"),
        ("traffic_source", "VARCHAR"),
        ("traffic_medium", "VARCHAR"),
    ),
    fields=(
        Field("event_date", "date", "Day of the event in the property's time zone (Asia/Ho_Chi_Minh); must be the file's day.",
              "20240207", required=True),
        Field("event_timestamp", "integer", "Microseconds since 1970-01-01 UTC.", "1707272102000000", required=True),
        Field("event_name", "text", "page_view, session_start, user_engagement, scroll, click, ...", "page_view", required=True),
        Field("event_params", "text", "Repeated key/value: page_location, page_title, ga_session_id, engagement_time_msec.",
              "[{key: page_location, value: {string_value: https://pgdquan1.hcm.edu.vn/tin-tuc/abc}}]",
              required_when="page_location is required for page_view events"),
        Field("user_pseudo_id", "text", "GA4's pseudonymous browser id.", "1234567890.1707272100"),
        Field("device.category", "text", "desktop, mobile or tablet.", "mobile"),
        Field("geo.city", "text", "City as GA4 resolves it.", "Ho Chi Minh City"),
        Field("traffic_source.source / .medium", "text", "First-touch source and medium.", "google / organic"),
    ),
)

ACCESS_LOG_HITS = Contract(
    source="access_log",
    table="access_log_hits",
    description=(
        "Portal analytics from web-server access logs (Combined Log Format, plain or gzip), one row per request; "
        "bots and page views flagged; client IPs only as a keyed hash."
    ),
    columns=(
        ("hit_local_ts", "TIMESTAMP"),
        ("hit_date", "DATE"),
        ("host", "VARCHAR"),
        ("client_key", "VARCHAR"),
        ("method", "VARCHAR"),
        ("path", "VARCHAR"),
        ("status", "INTEGER"),
        ("bytes", "BIGINT"),
        ("referrer", "VARCHAR"),
        ("user_agent", "VARCHAR"),
        ("is_bot", "BOOLEAN"),
        ("is_page_view", "BOOLEAN"),
    ),
    fields=(
        Field("client address", "text", "Client IP (personal data: stored only as HMAC-SHA256, client_key).", "1.2.3.4",
              required=True, personal="[ip withheld]"),
        Field("time", "timestamp", "[dd/Mon/yyyy:HH:MM:SS ±hhmm]; converted to local time.", "[07/Feb/2024:09:15:02 +0700]",
              required=True),
        Field("request", "text", '"METHOD target HTTP/x"; the query string is not stored.', '"GET /tin-tuc/abc HTTP/1.1"',
              required=True),
        Field("status", "integer", "HTTP status.", "200", required=True),
        Field("bytes", "integer", "Body bytes sent; '-' = none (stored NULL).", "5123"),
        Field("referrer", "text", "Referring URL; '-' = none.", '"https://www.google.com/"'),
        Field("user agent", "text", "Browser or robot.", '"Mozilla/5.0 ..."'),
    ),
)

PAGE_REPORT_ROWS = Contract(
    source="page_report",
    table="page_report_rows",
    description="Portal analytics as an aggregated daily page report (GA4 Data API or Matomo export): one row per day, site and page.",
    columns=(
        ("report_date", "DATE"),
        ("host", "VARCHAR"),
        ("page_path", "VARCHAR"),
        ("page_title", "VARCHAR"),
        ("pageviews", "BIGINT"),
        ("users", "BIGINT"),
        ("sessions", "BIGINT"),
        ("engagement_seconds", "DOUBLE"),
    ),
    fields=(
        Field("report_date", "date", "Day the figures are for (site's local day).", "20240207", required=True),
        Field("host", "text", "Host name of the (sub-)site, without https://.", "pgdquan1.hcm.edu.vn", required=True),
        Field("page_path", "text", "Path of the page.", "/tin-tuc/abc", required=True),
        Field("page_title", "text", "Title of the page.", "Thông báo tuyển sinh lớp 10"),
        Field("pageviews", "integer", "Page views that day; not negative.", "125", required=True, min_value=0),
        Field("users", "integer", "Distinct users that day; not negative.", "98", min_value=0),
        Field("sessions", "integer", "Sessions that day; not negative.", "104", min_value=0),
        Field("engagement_seconds", "number", "Total engagement time in seconds; not negative.", "3120.5", min_value=0),
    ),
    key=("report_date", "host", "page_path"),
)

ARTICLE_SUBMISSIONS = Contract(
    source="submissions",
    table="article_submissions",
    description=(
        "Articles units sent to the department office (its consolidated list, CSV or XLSX); the unit is matched to the "
        "unit registry by code or name."
    ),
    columns=(
        ("submission_id", "VARCHAR"),
        ("unit_code", "VARCHAR"),
        ("unit_as_sent", "VARCHAR"),
        ("submitted_at", "TIMESTAMP"),
        ("title", "VARCHAR"),
        ("plan_item", "VARCHAR"),
        ("author", "VARCHAR"),
        ("status", "VARCHAR"),
        ("published_at", "TIMESTAMP"),
        ("published_channel", "VARCHAR"),
        ("url", "VARCHAR"),
    ),
    fields=(
        Field("submission_id", "text", "Identifier of the submission, unique in the list.", "BV-2024-0001", required=True),
        Field("unit_as_sent", "text",
              "The sending unit: its code or its name as in the unit registry (case, diacritics and extra spaces are ignored; "
              "the name without 'Phòng Giáo dục và Đào tạo' / 'Trường' is accepted when only one unit has it).",
              "Phòng Giáo dục và Đào tạo Quận 1", required=True),
        Field("submitted_at", "timestamp", "When the article reached the department office (local time).", "07/02/2024 09:15",
              required=True),
        Field("title", "text", "Title of the article.", "Ngày hội đọc sách tại Quận 1", required=True),
        Field("plan_item", "text", "Item of the communications plan's appendix (Roman numeral, dot, number).", "II.5"),
        Field("author", "text", "Author as printed (a public byline, not a citizen's data).", "Nguyễn Thị Lan"),
        Field("status", "choice", "Where the article stands.", "Đã đăng", required=True, accepted=SUBMISSION_STATUS),
        Field("published_at", "timestamp", "When it was published; not before submitted_at.", "12/02/2024 08:00",
              required_when="required when status is published (Đã đăng)"),
        Field("published_channel", "choice", "Where it was published.", "Cổng thông tin", accepted=PUBLISHED_CHANNEL,
              required_when="required when status is published (Đã đăng)"),
        Field("url", "text", "Link to the published article.", "https://hcm.edu.vn/tin-tuc/ngay-hoi-doc-sach"),
    ),
    key=("submission_id",),
)

FEEDBACK_TICKETS = Contract(
    source="feedback",
    table="feedback_tickets",
    description=(
        "Citizens' feedback tickets (phản ánh, kiến nghị) from the portal's feedback system; names, phones and e-mails "
        "replaced by keyed hashes, contacts masked in the content."
    ),
    columns=(
        ("ticket_id", "VARCHAR"),
        ("received_at", "TIMESTAMP"),
        ("channel", "VARCHAR"),
        ("category", "VARCHAR"),
        ("citizen_name_key", "VARCHAR"),
        ("citizen_phone_key", "VARCHAR"),
        ("citizen_email_key", "VARCHAR"),
        ("content_masked", "VARCHAR"),
        ("assigned_unit_code", "VARCHAR"),
        ("forwarded_at", "TIMESTAMP"),
        ("responding_unit_code", "VARCHAR"),
        ("responded_at", "TIMESTAMP"),
        ("responder_title", "VARCHAR"),
        ("answer_published_at", "TIMESTAMP"),
        ("status", "VARCHAR"),
    ),
    fields=(
        Field("ticket_id", "text", "Identifier of the ticket, unique in the export.", "PA-2024-000123", required=True),
        Field("received_at", "timestamp", "When the feedback was received (local time).", "2024-02-07 09:15:00", required=True),
        Field("channel", "choice", "How it was received.", "Cổng thông tin", required=True, accepted=FEEDBACK_CHANNELS),
        Field("category", "choice", "Field of the feedback ('Khiếu nại' = complaint, a longer legal deadline).", "Tuyển sinh",
              required=True, accepted=FEEDBACK_CATEGORIES),
        Field("citizen_name", "text", "Citizen's name (personal data: stored only as a keyed hash).", "Nguyễn Văn A",
              personal="[name withheld]"),
        Field("citizen_phone", "text", "Citizen's phone (personal data: keyed hash of the digits, +84/84 read as 0).",
              "0909 123 456", personal="[phone withheld]"),
        Field("citizen_email", "text", "Citizen's e-mail (personal data: keyed hash of the lower-case address).",
              "nguyenvana@example.com", personal="[email withheld]"),
        Field("content", "text", "The feedback in the citizen's words; phone numbers and e-mails in it are masked.",
              "Con tôi chưa nhận được kết quả tuyển sinh, liên hệ 0909123456"),
        Field("assigned_unit_code", "text", "Unit the ticket was assigned to: registry code (or name).", "PGD_Q1",
              required=True),
        Field("forwarded_at", "timestamp", "When it was forwarded (only if outside the receiver's competence); "
              "not before received_at.", "2024-02-08 10:00:00"),
        Field("responding_unit_code", "text", "Unit that answered: registry code (or name).", "PGD_Q1"),
        Field("responded_at", "timestamp", "When the answer was given; not before received_at, not in the future.",
              "2024-02-15 16:30:00", required_when="required when status is answered (Đã trả lời)"),
        Field("responder_title", "text", "Title of the person who signed the answer.", "Trưởng phòng"),
        Field("answer_published_at", "timestamp", "When the answer was published on the portal; not before responded_at.",
              "2024-02-16 08:00:00"),
        Field("status", "choice", "Where the ticket stands.", "Đã trả lời", required=True, accepted=FEEDBACK_STATUS),
    ),
    key=("ticket_id",),
)

CONTRACTS: dict[str, Contract] = {
    c.source: c for c in (GA4_EVENTS, ACCESS_LOG_HITS, PAGE_REPORT_ROWS, ARTICLE_SUBMISSIONS, FEEDBACK_TICKETS)
}

QUARANTINE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("source_line", "INTEGER"),
    ("column_name", "VARCHAR"),
    ("value", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("file_fingerprint", "VARCHAR"),
    ("loaded_at", "TIMESTAMP"),
    # When a later load of the same file (or day) replaced this finding; NULL = it stands for the file as now loaded.
    ("superseded_at", "TIMESTAMP"),
)

INGESTED_FILES_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("file_fingerprint", "VARCHAR"),
    ("rows_read", "BIGINT"),
    ("rows_loaded", "BIGINT"),
    ("rows_quarantined", "BIGINT"),
    ("loaded_at", "TIMESTAMP"),
)


def create_table_sql(qualified_name: str, columns: tuple[tuple[str, str], ...]) -> str:
    body = ", ".join(f'"{name}" {sql_type}' for name, sql_type in columns)
    return f"create table if not exists {qualified_name} ({body})"


def raw_schema_ddl() -> list[str]:
    """DDL for schema raw: every contract's table, the quarantine and the file ledger (idempotent)."""
    statements = ["create schema if not exists raw"]
    statements += [create_table_sql(c.qualified_table, c.all_columns) for c in CONTRACTS.values()]
    statements.append(create_table_sql("raw.quarantine", QUARANTINE_COLUMNS))
    # Build files created before quarantine history was kept get the column (existing rows stand: NULL).
    statements.append("alter table raw.quarantine add column if not exists superseded_at TIMESTAMP")
    statements.append(create_table_sql("raw.ingested_files", INGESTED_FILES_COLUMNS))
    # Written whole by ingestion/calendar_days.py before each dbt build; read by int_calendar_days.
    statements.append(create_table_sql("raw.calendar_days", CALENDAR_DAYS_COLUMNS))
    return statements
