"""Data contracts: what each source must deliver (fields, types, rules) and the raw table it lands in."""
from __future__ import annotations

from dataclasses import dataclass, field

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
    # Open vocabulary (choice): a value no mapping knows is loaded as this canonical value, not quarantined; the value
    # as sent is kept beside it (source_<field>) and counted per file (ledger values_unmapped).
    otherwise: str | None = None


@dataclass(frozen=True)
class Contract:
    source: str
    table: str
    description: str
    columns: tuple[tuple[str, str], ...]  # raw table columns (name, DuckDB type), lineage excluded
    fields: tuple[Field, ...] = ()
    key: tuple[str, ...] = ()  # fields that identify a row (duplicate rule)
    # Groups of fields of which a mapping must supply one whole group (e.g. a day, or a period's first and last day).
    one_of: tuple[tuple[str, ...], ...] = ()

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
FEEDBACK_CHANNELS = {label: label for label in ("Cổng thông tin", "Đường dây nóng", "Email", "Trực tiếp", "Hệ thống 1022", "Khác")}
OTHER_FEEDBACK_VALUE = "Khác"
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
        "Portal analytics from web-server access logs (Combined Log Format, plain or gzip), one row per request "
        "(which are page views is decided in dbt: stg_access_log__hits); client IPs only as a keyed hash."
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
    description=(
        "Portal analytics as an aggregated page report (GA4 Data API or Matomo export): one row per day (or per period of "
        "several days, kept at that grain), site and page."
    ),
    columns=(
        ("report_date", "DATE"),
        ("host", "VARCHAR"),
        ("page_path", "VARCHAR"),
        ("page_title", "VARCHAR"),
        ("pageviews", "BIGINT"),
        ("users", "BIGINT"),
        ("sessions", "BIGINT"),
        ("engagement_seconds", "DOUBLE"),
        ("period_start", "DATE"),
        ("period_end", "DATE"),
    ),
    fields=(
        Field("report_date", "date", "Day the figures are for (site's local day).", "20240207",
              required_when="required unless the row gives period_start and period_end"),
        Field("period_start", "date", "First day of the period the figures are for (a report over several days).",
              "20250501", required_when="with period_end, instead of report_date"),
        Field("period_end", "date", "Last day of the period (included); not before period_start.", "20250530",
              required_when="with period_start, instead of report_date"),
        Field("host", "text", "Host name of the (sub-)site, without https://.", "pgdquan1.hcm.edu.vn", required=True),
        Field("page_path", "text", "Path of the page.", "/tin-tuc/abc", required=True),
        Field("page_title", "text", "Title of the page.", "Thông báo tuyển sinh lớp 10"),
        Field("pageviews", "integer", "Page views that day (or period); not negative.", "125", required=True, min_value=0),
        Field("users", "integer", "Distinct users that day; not negative.", "98", min_value=0),
        Field("sessions", "integer", "Sessions that day; not negative.", "104", min_value=0),
        Field("engagement_seconds", "number", "Total engagement time in seconds; not negative.", "3120.5", min_value=0),
    ),
    key=("period_start", "period_end", "host", "page_path"),
    one_of=(("report_date",), ("period_start", "period_end")),
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
        ("source_channel", "VARCHAR"),
        ("source_category", "VARCHAR"),
    ),
    fields=(
        Field("ticket_id", "text", "Identifier of the ticket, unique in the export.", "PA-2024-000123", required=True),
        Field("received_at", "timestamp", "When the feedback was received (local time).", "2024-02-07 09:15:00", required=True),
        Field("channel", "choice", "How it was received; a channel no mapping knows is loaded as 'Khác' (kept as sent in "
              "source_channel).", "Cổng thông tin", required=True, accepted=FEEDBACK_CHANNELS, otherwise=OTHER_FEEDBACK_VALUE),
        Field("category", "choice", "Field of the feedback ('Khiếu nại' = complaint, a longer legal deadline); a category no "
              "mapping knows is loaded as 'Khác' (kept as sent in source_category).", "Tuyển sinh",
              required=True, accepted=FEEDBACK_CATEGORIES, otherwise=OTHER_FEEDBACK_VALUE),
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

# Columns added to a contract after build files existed (added on connect by raw_schema_ddl).
COLUMNS_ADDED: dict[str, tuple[tuple[str, str], ...]] = {
    "page_report": (("period_start", "DATE"), ("period_end", "DATE")),
    "feedback": (("source_channel", "VARCHAR"), ("source_category", "VARCHAR")),
}

# ---- Social channels (plan 2.2 Zalo OA, 2.3 Facebook fanpage) ------------------------------------------------------
# Metrics of the Graph API insights this project reads. Meta removed page_impressions, page_fans and post_impressions* in
# 2025; the mappings turn the old names into these (the name as delivered is kept in source_metric).
FACEBOOK_INSIGHT_METRICS = {
    name: name for name in ("page_media_view", "page_follows", "post_media_view", "post_total_media_view_unique")
}
INSIGHT_PERIODS = {name: name for name in ("day", "week", "days_28", "lifetime", "total_over_range")}
ZALO_ARTICLE_TYPES = {"normal": "Bài viết", "video": "Video"}
SOCIAL_CHANNELS = {"facebook": "Facebook", "zalo": "Zalo"}
MODERATION_ACTIONS = {"hidden": "Ẩn", "deleted": "Xóa", "answered": "Trả lời", "kept": "Giữ lại"}

_POST_COUNT_FIELDS = (
    ("views", "Views (impressions of the post since publication, as the export shows them).", "1520"),
    ("reach", "Accounts reached.", "1204"),
    ("reactions", "Reactions (like, love, ...).", "85"),
    ("comments", "Comments.", "12"),
    ("shares", "Shares.", "9"),
    ("link_clicks", "Clicks on the post's link.", "40"),
    ("other_clicks", "Other clicks (photo, see more, ...).", "66"),
    ("total_clicks", "All clicks.", "106"),
)

FACEBOOK_POSTS = Contract(
    source="facebook_posts",
    table="facebook_posts",
    description=(
        "Facebook fanpage posts from Meta Business Suite's post export (CSV, English or Vietnamese headers); every export "
        "is kept (the same post in several exports with growing counts: the latest export wins downstream, the earlier "
        "ones are the history of its counts). The export date comes from the file name."
    ),
    columns=(
        ("post_id", "VARCHAR"),
        ("page_id", "VARCHAR"),
        ("title", "VARCHAR"),
        ("description", "VARCHAR"),
        ("post_type", "VARCHAR"),
        ("permalink", "VARCHAR"),
        ("published_at", "TIMESTAMP"),
        *((name, "BIGINT") for name, _, _ in _POST_COUNT_FIELDS),
        ("exported_on", "DATE"),
    ),
    fields=(
        Field("post_id", "text", "Meta's id of the post (digits; a Graph API id PAGEID_POSTID is read as POSTID).",
              "122104567890123456", required=True),
        Field("page_id", "text", "Meta's id of the page.", "100064567890123"),
        Field("title", "text", "Title (first line) of the post.", "Thông báo tuyển sinh lớp 10"),
        Field("description", "text", "Text of the post; a link to the portal in it ties the post to the portal article.",
              "Sở GD&ĐT thông báo ... https://hcm.edu.vn/tin-tuc/..."),
        Field("post_type", "text", "Photos, Links, Videos, Reels, Text, ... (stored as written).", "Links"),
        Field("permalink", "text", "Link to the post on Facebook.", "https://www.facebook.com/100064567890123/posts/122104567890123456"),
        Field("published_at", "timestamp",
              "Publish time, MM/DD/YYYY HH:MM in the page's configured time zone (the mapping's timezone says which); a "
              "value with an offset is converted.", "07/15/2025 08:30", required=True),
        *(Field(name, "integer", f"{words} Not negative.", example, required=name in ("views", "reach"), min_value=0)
          for name, words, example in _POST_COUNT_FIELDS),
    ),
    key=("post_id",),
)

FACEBOOK_INSIGHTS = Contract(
    source="facebook_insights",
    table="facebook_insights",
    description=(
        "Facebook Graph API insights (page_media_view, page_follows, post_media_view, post_total_media_view_unique) as "
        "NDJSON, one API data item per line, one row per value; removed metric names (page_impressions, page_fans, "
        "post_impressions*) are loaded under their replacements with the delivered name in source_metric. A daily value "
        "(end_time 07:00/08:00 UTC = midnight US Pacific) is assigned to the day Meta labels it (metric_date)."
    ),
    columns=(
        ("object_id", "VARCHAR"),
        ("page_id", "VARCHAR"),
        ("post_id", "VARCHAR"),
        ("metric", "VARCHAR"),
        ("source_metric", "VARCHAR"),
        ("period", "VARCHAR"),
        ("end_time", "TIMESTAMP"),
        ("metric_date", "DATE"),
        ("value", "BIGINT"),
    ),
    fields=(
        Field("object_id", "text", "The page (PAGEID) or post (PAGEID_POSTID) the item is about: the `id` of the item "
              "before '/insights'.", "100064567890123", required=True),
        Field("metric", "choice", "Metric name (`name`); the removed names are read as their replacements.",
              "page_media_view", required=True, accepted=FACEBOOK_INSIGHT_METRICS),
        Field("period", "choice", "Aggregation period (`period`).", "day", required=True, accepted=INSIGHT_PERIODS),
        Field("end_time", "timestamp", "End of the period (`values[].end_time`, ISO 8601 with offset).",
              "2025-07-02T07:00:00+0000", required=True),
        Field("value", "integer", "The value (`values[].value`); not negative.", "1834", required=True, min_value=0),
    ),
    key=("object_id", "metric", "period", "end_time"),
)

ZALO_ARTICLES = Contract(
    source="zalo_articles",
    table="zalo_articles",
    description=(
        "Zalo OA articles from the OA admin's article list (CSV or XLSX): one row per article with its counts at the "
        "export; every export is kept (latest wins downstream). The export date comes from the file name."
    ),
    columns=(
        ("article_id", "VARCHAR"),
        ("title", "VARCHAR"),
        ("article_type", "VARCHAR"),
        ("published_at", "TIMESTAMP"),
        ("total_view", "BIGINT"),
        ("total_share", "BIGINT"),
        ("exported_on", "DATE"),
    ),
    fields=(
        Field("article_id", "text", "Zalo's id of the article.", "a1b2c3d4e5f6", required=True),
        Field("title", "text", "Title of the article.", "Thông báo tuyển sinh lớp 10", required=True),
        Field("article_type", "choice", "normal (Bài viết) or video.", "Bài viết", required=True, accepted=ZALO_ARTICLE_TYPES),
        Field("published_at", "timestamp", "When it was published (local time).", "15/07/2025 08:30", required=True),
        Field("total_view", "integer", "Views so far; not negative.", "2310", required=True, min_value=0),
        Field("total_share", "integer", "Shares so far; not negative.", "41", required=True, min_value=0),
    ),
    key=("article_id",),
)

ZALO_FOLLOWERS = Contract(
    source="zalo_followers",
    table="zalo_followers",
    description="Zalo OA follower count, one snapshot per day (num_follower at the end of the day, CSV or XLSX).",
    columns=(("snapshot_date", "DATE"), ("num_follower", "BIGINT")),
    fields=(
        Field("snapshot_date", "date", "Day of the snapshot.", "15/07/2025", required=True),
        Field("num_follower", "integer", "Followers of the OA that day; not negative.", "182340", required=True, min_value=0),
    ),
    key=("snapshot_date",),
)

ZALO_INTERACTIONS = Contract(
    source="zalo_interactions",
    table="zalo_interactions",
    description="Zalo OA daily interactions from the admin's 'Thống kê' page (CSV or XLSX).",
    columns=(
        ("interaction_date", "DATE"),
        ("new_followers", "BIGINT"),
        ("unfollows", "BIGINT"),
        ("messages_received", "BIGINT"),
        ("messages_answered", "BIGINT"),
    ),
    fields=(
        Field("interaction_date", "date", "Day.", "15/07/2025", required=True),
        Field("new_followers", "integer", "New followers that day; not negative.", "120", required=True, min_value=0),
        Field("unfollows", "integer", "Unfollows that day; not negative.", "8", required=True, min_value=0),
        Field("messages_received", "integer", "Messages citizens sent to the OA; not negative.", "64", min_value=0),
        Field("messages_answered", "integer", "Messages the OA answered; not negative.", "60", min_value=0),
    ),
    key=("interaction_date",),
)

MODERATION_LOG = Contract(
    source="moderation",
    table="moderation_log",
    description=(
        "Comments flagged on the Facebook fanpage and the Zalo OA and what was done (Law on IT Art. 12: prohibited or "
        "false content removed promptly); the commenter's name only as a keyed hash."
    ),
    columns=(
        ("comment_id", "VARCHAR"),
        ("channel", "VARCHAR"),
        ("flagged_at", "TIMESTAMP"),
        ("action", "VARCHAR"),
        ("action_at", "TIMESTAMP"),
        ("reason_category", "VARCHAR"),
        ("commenter_key", "VARCHAR"),
    ),
    fields=(
        Field("comment_id", "text", "Id of the comment on its channel.", "122104567890123456_998877", required=True),
        Field("channel", "choice", "facebook or zalo.", "Facebook", required=True, accepted=SOCIAL_CHANNELS),
        Field("flagged_at", "timestamp", "When the comment was flagged (local time).", "15/07/2025 21:04", required=True),
        Field("action", "choice", "What was done: hidden, deleted, answered, kept; empty = not yet handled.", "Ẩn",
              accepted=MODERATION_ACTIONS),
        Field("action_at", "timestamp", "When it was done; not before flagged_at.", "16/07/2025 07:45",
              required_when="required when an action is given"),
        Field("reason_category", "text", "Why it was flagged (e.g. Thông tin sai sự thật, Xúc phạm, Quảng cáo - Spam).",
              "Thông tin sai sự thật", required=True),
        Field("commenter_name", "text", "Name of the commenter (personal data: stored only as a keyed hash).",
              "Nguyễn Văn A", personal="[name withheld]"),
    ),
    key=("channel", "comment_id"),
)

DISCLOSURE_ITEMS = Contract(
    source="disclosure",
    table="disclosure_items",
    description=(
        "What saved copies of school websites show for the public disclosure (\"3 công khai\", Circular 09/2024/TT-BGDĐT): "
        "every page and every link of every saved page, with the school year and date written beside it and whether a "
        "linked file was saved too. Which required section an item belongs to is decided in dbt "
        "(reference disclosure_sections), not here."
    ),
    columns=(
        ("site_host", "VARCHAR"),
        ("page_file", "VARCHAR"),
        ("item_kind", "VARCHAR"),
        ("item_text", "VARCHAR"),
        ("href", "VARCHAR"),
        ("linked_file", "VARCHAR"),
        ("linked_file_present", "BOOLEAN"),
        ("school_year_label", "VARCHAR"),
        ("published_on", "DATE"),
    ),
    fields=(
        Field("site_host", "text", "Host of the school's site: the folder under disclosure/.", "thpt-le-quy-don.hcm.edu.vn",
              required=True),
        Field("page_file", "text", "The saved page, relative to the site's folder.", "cong-khai/index.html", required=True),
        Field("item_kind", "choice", "page (the saved page itself: its title) or link (an <a href> on it).", "link",
              required=True, accepted={"page": "page", "link": "link"}),
        Field("item_text", "text", "The page's title, or the link's text with the text around it.",
              "Báo cáo thường niên năm học 2023-2024 (28/06/2024)"),
        Field("href", "text", "Where the link points (as written in the page).", "files/bao-cao-thuong-nien-2023-2024.pdf"),
        Field("linked_file", "text", "The linked file inside the saved site (relative to data/raw), for links to the site "
              "itself; empty for links elsewhere.", "disclosure/thpt-le-quy-don.hcm.edu.vn/files/bao-cao.pdf"),
        Field("linked_file_present", "choice", "Whether linked_file was saved with the site (yes/no; empty for links "
              "elsewhere).", "yes", accepted={"true": "yes", "false": "no"}),
        Field("school_year_label", "text", "School year written in or beside the item (yyyy-yyyy).", "2023-2024"),
        Field("published_on", "date", "Date written beside the item (dd/mm/yyyy or yyyy-mm-dd), or the page's "
              "<time datetime> / <meta name=date>.", "28/06/2024"),
    ),
    key=(),
)

# ---- Press (plan 2.4 network of press collaborators): requests from journalists and the answers given -------------
PRESS_URGENCY = {"normal": "Thường", "hot_event": "Sự kiện nóng"}

PRESS_REQUESTS = Contract(
    source="press_requests",
    table="press_requests",
    description=(
        "Requests from the press (questions, interview requests) and when and how they were answered; the journalist's "
        "name only as a keyed hash. The answer deadline comes from data/reference/press_deadlines.csv by urgency and date."
    ),
    columns=(
        ("request_id", "VARCHAR"),
        ("outlet", "VARCHAR"),
        ("journalist_key", "VARCHAR"),
        ("received_at", "TIMESTAMP"),
        ("topic", "VARCHAR"),
        ("urgency", "VARCHAR"),
        ("assigned_unit_code", "VARCHAR"),
        ("answered_at", "TIMESTAMP"),
        ("answered_by_title", "VARCHAR"),
        ("answer_channel", "VARCHAR"),
    ),
    fields=(
        Field("request_id", "text", "Identifier of the request, unique in the register.", "BC-2024-0012", required=True),
        Field("outlet", "text", "Newspaper, radio or TV station that asked.", "Báo Tuổi Trẻ", required=True),
        Field("journalist", "text", "Journalist who asked (personal data: stored only as a keyed hash).", "Nguyễn Văn A",
              personal="[name withheld]"),
        Field("received_at", "timestamp", "When the request was received (local time).", "2024-03-04 09:30:00", required=True),
        Field("topic", "text", "What the request is about.", "Tuyển sinh lớp 10"),
        Field("urgency", "choice", "normal, or a hot event (the deadline is then in hours).", "Thường", required=True,
              accepted=PRESS_URGENCY),
        Field("assigned_unit_code", "text", "Unit asked to prepare the answer: registry code (or name).", "SGD_VP",
              required=True),
        Field("answered_at", "timestamp", "When the answer was given; not before received_at, not in the future.",
              "2024-03-06 16:00:00"),
        Field("answered_by_title", "text", "Title of the person who answered (spokesperson, deputy director ...).",
              "Phó Giám đốc Sở", required_when="required when answered_at is given"),
        Field("answer_channel", "text", "How the answer was given (written reply, interview, press conference ...).",
              "Văn bản"),
    ),
    key=("request_id",),
)

# ---- Communication officers (plan IV.3: each district office and affiliated unit names one) --------------------------
OFFICER_ROSTER = Contract(
    source="officers",
    table="officer_roster",
    description=(
        "Roster of the communication officer each unit names, with validity dates, as of the date in the file's name "
        "(exported_on); the officer's name only as a keyed hash, which stays in the build file (no mart carries it)."
    ),
    columns=(
        ("unit_code", "VARCHAR"),
        ("officer_key", "VARCHAR"),
        ("valid_from", "DATE"),
        ("valid_to", "DATE"),
        ("exported_on", "DATE"),
    ),
    fields=(
        Field("unit_code", "text", "Unit that named the officer: registry code (or name).", "PGD_Q1", required=True),
        Field("officer_name", "text", "The officer (personal data: stored only as a keyed hash).", "Nguyễn Văn A",
              required=True, personal="[name withheld]"),
        Field("valid_from", "date", "First day the officer holds the role.", "2024-01-15", required=True),
        Field("valid_to", "date", "Last day; empty while the officer still holds the role; not before valid_from.",
              "2024-12-31"),
    ),
    key=("unit_code", "valid_from"),
)

# ---- Press coverage and events (plan II.4, II.5) ----------------------------------------------------------------------
PRESS_TONES = {"positive": "Tích cực", "neutral": "Trung lập", "negative": "Tiêu cực"}
PRESS_EVENT_TYPES = {"press_conference": "Họp báo", "seminar": "Hội thảo", "talk": "Tọa đàm", "livestream": "Livestream"}

PRESS_COVERAGE = Contract(
    source="press_coverage",
    table="press_coverage",
    description="Articles about the education sector found in the press (the office's press review), with their tone.",
    columns=(
        ("article_date", "DATE"),
        ("outlet", "VARCHAR"),
        ("url", "VARCHAR"),
        ("title", "VARCHAR"),
        ("tone", "VARCHAR"),
        ("plan_item", "VARCHAR"),
    ),
    fields=(
        Field("article_date", "date", "Day the article appeared.", "2024-03-04", required=True),
        Field("outlet", "text", "Newspaper, radio, TV or news site.", "Báo Tuổi Trẻ", required=True),
        Field("url", "text", "Address of the article (http or https); identifies it.", "https://tuoitre.vn/abc.htm",
              required=True),
        Field("title", "text", "Headline.", "TP.HCM công bố chỉ tiêu tuyển sinh lớp 10", required=True),
        Field("tone", "choice", "positive, neutral or negative for the sector.", "Tích cực", required=True,
              accepted=PRESS_TONES),
        Field("plan_item", "text", "Item of the plan's appendix the article is about, when known (I.1, II.5 ...).", "II.5"),
    ),
    key=("url",),
)

PRESS_EVENTS = Contract(
    source="press_events",
    table="press_events",
    description="Press conferences, seminars, talks and livestreams the department held, who led them, attendance.",
    columns=(
        ("event_date", "DATE"),
        ("event_type", "VARCHAR"),
        ("title", "VARCHAR"),
        ("led_by_title", "VARCHAR"),
        ("attendance", "BIGINT"),
    ),
    fields=(
        Field("event_date", "date", "Day of the event.", "2024-05-20", required=True),
        Field("event_type", "choice", "press conference, seminar, talk or livestream.", "Họp báo", required=True,
              accepted=PRESS_EVENT_TYPES),
        Field("title", "text", "Name of the event; with the day, identifies it.", "Họp báo tuyển sinh lớp 10", required=True),
        Field("led_by_title", "text", "Title of who led it (leadership titles: data/reference/press_leadership_titles.csv).",
              "Giám đốc Sở", required=True),
        Field("attendance", "integer", "People attending (or watching a livestream); not negative.", "120", min_value=0),
    ),
    key=("event_date", "title"),
)

CONTRACTS: dict[str, Contract] = {
    c.source: c
    for c in (GA4_EVENTS, ACCESS_LOG_HITS, PAGE_REPORT_ROWS, ARTICLE_SUBMISSIONS, FEEDBACK_TICKETS, FACEBOOK_POSTS,
              FACEBOOK_INSIGHTS, ZALO_ARTICLES, ZALO_FOLLOWERS, ZALO_INTERACTIONS, MODERATION_LOG, DISCLOSURE_ITEMS)
}
# Press (issue #17): kept apart so parallel branches add their own lines.
CONTRACTS[PRESS_REQUESTS.source] = PRESS_REQUESTS
CONTRACTS[OFFICER_ROSTER.source] = OFFICER_ROSTER
CONTRACTS[PRESS_COVERAGE.source] = PRESS_COVERAGE
CONTRACTS[PRESS_EVENTS.source] = PRESS_EVENTS

# ---- Issues of public concern: social listening, communication incidents, the divisions' monthly reports --------------
LISTENING_SENTIMENTS = {"positive": "Tích cực", "neutral": "Trung lập", "negative": "Tiêu cực", "not_rated": "Chưa đánh giá"}
LISTENING_SOURCE_TYPES = {
    name: name for name in ("news", "facebook", "forum", "blog", "video", "x", "other")
}
OTHER_LISTENING_SOURCE_TYPE = "other"
INCIDENT_ORIGINS = {"listening": "Theo dõi mạng xã hội", "press": "Báo chí", "hotline": "Đường dây nóng",
                    "other": "Khác"}
INCIDENT_SEVERITIES = {"low": "Thấp", "medium": "Trung bình", "high": "Cao", "critical": "Nghiêm trọng"}

LISTENING_MENTIONS = Contract(
    source="listening",
    table="listening_mentions",
    description=(
        "Mentions of the department found by a media-monitoring tool (mention export, CSV or XLSX, English or Vietnamese "
        "headers), one row per mention per export; exports overlap, the same URL in several exports is one mention "
        "downstream. The author (Influencer) only as a keyed hash."
    ),
    columns=(
        ("mention_date", "DATE"),
        ("mention_time", "VARCHAR"),
        ("headline", "VARCHAR"),
        ("url", "VARCHAR"),
        ("opening_text", "VARCHAR"),
        ("hit_sentence", "VARCHAR"),
        ("source_name", "VARCHAR"),
        ("source_type", "VARCHAR"),
        ("author_key", "VARCHAR"),
        ("language", "VARCHAR"),
        ("reach", "BIGINT"),
        ("engagement", "BIGINT"),
        ("sentiment", "VARCHAR"),
        ("keywords", "VARCHAR"),
        ("source_type_as_sent", "VARCHAR"),
    ),
    fields=(
        Field("mention_date", "date", "Day of the mention (local time).", "15-Jul-2025", required=True),
        Field("mention_time", "text", "Time of the mention as the tool writes it (kept as text).", "08:30 AM"),
        Field("headline", "text", "Headline of the article or post.", "Phụ huynh phản ánh việc thu tiền đầu năm"),
        Field("url", "text", "Link to the mention; the same link in several exports is one mention.",
              "https://vnexpress.net/...", required=True),
        Field("opening_text", "text", "First words of the mention; phones and e-mails in it are masked.", "Sáng 15/7, ..."),
        Field("hit_sentence", "text", "The sentence that matched the search; phones and e-mails masked.", "... Sở GD&ĐT ..."),
        Field("source_name", "text", "Outlet, page or site (a public name).", "VnExpress"),
        Field("source_type", "choice", "Kind of source: news, facebook, forum, blog, video, x, other; a kind no mapping "
              "knows is loaded as 'other' (kept as sent in source_type_as_sent).", "Online News", required=True,
              accepted=LISTENING_SOURCE_TYPES, otherwise=OTHER_LISTENING_SOURCE_TYPE),
        Field("author", "text", "Author or account (Influencer; personal data: stored only as a keyed hash).",
              "Nguyễn Văn A", personal="[name withheld]"),
        Field("language", "text", "Language code as the tool gives it.", "vi"),
        Field("reach", "integer", "Estimated reach; not negative.", "12000", min_value=0),
        Field("engagement", "integer", "Reactions, comments and shares; not negative.", "85", min_value=0),
        Field("sentiment", "choice", "positive, neutral, negative, not_rated.", "Negative", required=True,
              accepted=LISTENING_SENTIMENTS),
        Field("keywords", "text", "Search keywords that matched.", "Sở GD&ĐT, học phí"),
    ),
    key=("url",),
)

INCIDENTS = Contract(
    source="incidents",
    table="incidents",
    description=(
        "Communication incidents the press office logged (CSV): when each was detected and how, first response, "
        "resolution, lead unit (matched to the unit registry), severity; a later file may list an incident again."
    ),
    columns=(
        ("incident_id", "VARCHAR"),
        ("topic", "VARCHAR"),
        ("detected_at", "TIMESTAMP"),
        ("detected_via", "VARCHAR"),
        ("first_response_at", "TIMESTAMP"),
        ("resolved_at", "TIMESTAMP"),
        ("lead_unit_code", "VARCHAR"),
        ("severity", "VARCHAR"),
    ),
    fields=(
        Field("incident_id", "text", "Identifier of the incident, unique in the log.", "SK-2025-007", required=True),
        Field("topic", "text", "What it is about (contacts in it masked).", "Thông tin sai về lịch thi lớp 10", required=True),
        Field("detected_at", "timestamp", "When it was detected (local time).", "15/07/2025 09:10", required=True),
        Field("detected_via", "choice", "How: listening (a spike in social listening), press, hotline, other.",
              "Theo dõi mạng xã hội", required=True, accepted=INCIDENT_ORIGINS),
        Field("first_response_at", "timestamp", "First public or official response; not before detected_at.",
              "15/07/2025 11:40"),
        Field("resolved_at", "timestamp", "When it was closed; not before detected_at nor first_response_at.",
              "17/07/2025 16:00"),
        Field("lead_unit_code", "text", "Unit leading the response: registry code or name.", "SGD_VP", required=True),
        Field("severity", "choice", "low, medium, high, critical.", "Cao", required=True, accepted=INCIDENT_SEVERITIES),
    ),
    key=("incident_id",),
)

MONTHLY_REPORTS = Contract(
    source="monthly_reports",
    table="monthly_reports",
    description=(
        "Register of the divisions' monthly reports on issues of public concern (plan IV.2), CSV or XLSX: division "
        "(matched to the unit registry; only units of type department_division), month reported on, when it was "
        "submitted, number of issues reported."
    ),
    columns=(
        ("unit_code", "VARCHAR"),
        ("unit_as_sent", "VARCHAR"),
        ("report_month", "DATE"),
        ("submitted_at", "TIMESTAMP"),
        ("issues_count", "BIGINT"),
    ),
    fields=(
        Field("unit_as_sent", "text", "The division: registry code or name (a unit of type department_division).",
              "Phòng Giáo dục Trung học", required=True),
        Field("report_month", "text", "Month reported on: MM/YYYY, YYYY-MM or 'Tháng M/YYYY'.", "05/2025", required=True),
        Field("submitted_at", "timestamp", "When the report reached the office (local time); not before the month "
              "reported on began.", "06/06/2025 16:20", required=True),
        Field("issues_count", "integer", "Issues of public concern reported; not negative.", "3", required=True,
              min_value=0),
    ),
    key=("unit_as_sent", "report_month", "submitted_at"),
)

CONTRACTS |= {c.source: c for c in (LISTENING_MENTIONS, INCIDENTS, MONTHLY_REPORTS)}

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
    # What the rows were checked against: a change of the mapping or of the reference data re-checks the file.
    ("mapping_name", "VARCHAR"),
    ("mapping_sha256", "VARCHAR"),
    ("reference_fingerprint", "VARCHAR"),
    # Values of open vocabularies (e.g. a feedback category) that no mapping knows: loaded as the canonical "other".
    ("values_unmapped", "BIGINT"),
)
LEDGER_COLUMNS_ADDED = ("mapping_name", "mapping_sha256", "reference_fingerprint", "values_unmapped")


# Viet Nam's day-by-day calendar, written by the calendar asset (ingestion/working_days.py) for every year of the data.
# Created empty with the other raw tables so that any dbt build finds its source, even before the asset first ran.
CALENDAR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("date", "DATE"),
    ("is_weekend", "BOOLEAN"),
    ("is_holiday", "BOOLEAN"),
    ("holiday_name", "VARCHAR"),
    ("is_working_day", "BOOLEAN"),
    # False for a year the holidays package has no rules for: that year counts weekends only.
    ("holidays_known", "BOOLEAN"),
)
CALENDAR_TABLE = "raw.calendar_days"


def create_table_sql(qualified_name: str, columns: tuple[tuple[str, str], ...]) -> str:
    body = ", ".join(f'"{name}" {sql_type}' for name, sql_type in columns)
    return f"create table if not exists {qualified_name} ({body})"


def raw_schema_ddl() -> list[str]:
    """DDL for schema raw: every contract's table, the quarantine and the file ledger (idempotent)."""
    statements = ["create schema if not exists raw"]
    statements += [create_table_sql(c.qualified_table, c.all_columns) for c in CONTRACTS.values()]
    # Build files from before a tabular source gained columns get them (existing rows: NULL); tabular loads insert by
    # column name, so the position of an added column does not matter.
    statements += [
        f'alter table {c.qualified_table} add column if not exists "{name}" {sql_type}'
        for c in CONTRACTS.values() for name, sql_type in COLUMNS_ADDED.get(c.source, ())
    ]
    statements.append(create_table_sql("raw.quarantine", QUARANTINE_COLUMNS))
    # Build files created before quarantine history was kept get the column (existing rows stand: NULL).
    statements.append("alter table raw.quarantine add column if not exists superseded_at TIMESTAMP")
    # Build files from before the page-view rule moved to dbt (stg_access_log__hits) lose the flags ingestion computed.
    statements += [f"alter table raw.access_log_hits drop column if exists {flag}" for flag in ("is_bot", "is_page_view")]
    statements.append(create_table_sql("raw.ingested_files", INGESTED_FILES_COLUMNS))
    # Ledgers written before files were re-checked on mapping/reference changes: NULL there means "re-check once".
    types = dict(INGESTED_FILES_COLUMNS)
    statements += [f"alter table raw.ingested_files add column if not exists {name} {types[name]}" for name in LEDGER_COLUMNS_ADDED]
    statements.append(create_table_sql(CALENDAR_TABLE, CALENDAR_COLUMNS))
    return statements
