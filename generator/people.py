"""Invented Vietnamese people (submission authors, citizens): full name, mobile number, e-mail."""
from __future__ import annotations

import numpy as np
import polars as pl

from generator.text import fold_ascii

SURNAMES = (("Nguyễn", 31), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Huỳnh", 5), ("Hoàng", 3), ("Phan", 4), ("Võ", 5),
            ("Vũ", 2), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 1.5), ("Dương", 1.5), ("Lý", 1),
            ("Trương", 2), ("Đinh", 1), ("Lâm", 1), ("Mai", 1), ("Châu", 0.5), ("Tô", 0.5))
MIDDLE = {"m": ("Văn", "Minh", "Quốc", "Hoàng", "Đức", "Thanh", "Hữu", "Công", "Tấn", "Gia", "Trọng", "Anh", "Nhật"),
          "f": ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bảo", "Phương", "Hồng", "Thùy", "Khánh", "Minh")}
GIVEN = {"m": ("Anh", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khang", "Khoa", "Long", "Minh", "Nam",
               "Nghĩa", "Phát", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trí", "Trung",
               "Tuấn", "Việt", "Vinh"),
         "f": ("Anh", "Châu", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hương", "Lan", "Linh", "Loan",
               "Mai", "My", "Nga", "Ngân", "Nhi", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo", "Thư", "Trâm",
               "Trang", "Tuyết", "Uyên", "Vy", "Xuân", "Yến")}
PHONE_PREFIXES = ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039", "089", "090", "093",
                  "070", "076", "077", "078", "079", "088", "091", "094", "081", "082", "083", "084", "085", "092", "056",
                  "058", "099", "059")
MAIL_DOMAINS = (("gmail.com", 0.74), ("yahoo.com", 0.1), ("outlook.com", 0.05), ("hotmail.com", 0.05), ("icloud.com", 0.03),
                ("yahoo.com.vn", 0.03))


def invented_people(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """Fake Vietnamese citizens: full name, mobile number, e-mail."""
    female = rng.random(n) < 0.55
    surname = np.asarray([s for s, _ in SURNAMES])[rng.choice(len(SURNAMES), n, p=np.array([w for _, w in SURNAMES]) /
                                                              sum(w for _, w in SURNAMES))]
    middle = np.where(female, np.asarray(MIDDLE["f"])[rng.integers(0, len(MIDDLE["f"]), n)],
                      np.asarray(MIDDLE["m"])[rng.integers(0, len(MIDDLE["m"]), n)])
    given = np.where(female, np.asarray(GIVEN["f"])[rng.integers(0, len(GIVEN["f"]), n)],
                     np.asarray(GIVEN["m"])[rng.integers(0, len(GIVEN["m"]), n)])
    frame = pl.DataFrame({"surname": surname, "middle": middle, "given": given,
                          "prefix": np.asarray(PHONE_PREFIXES)[rng.integers(0, len(PHONE_PREFIXES), n)],
                          "digits": rng.integers(0, 10_000_000, n), "born": rng.integers(1965, 2006, n),
                          "style": rng.integers(0, 3, n),
                          "domain": np.asarray([d for d, _ in MAIL_DOMAINS])[
                              rng.choice(len(MAIL_DOMAINS), n, p=[w for _, w in MAIL_DOMAINS])]})
    ascii_name = {c: fold_ascii(pl.col(c)).str.to_lowercase() for c in ("surname", "middle", "given")}
    return frame.select(
        name=pl.format("{} {} {}", "surname", "middle", "given"),
        phone=pl.format("{}{}", "prefix", pl.col("digits").cast(pl.Utf8).str.zfill(7)),
        email=pl.when(pl.col("style") == 0).then(pl.format("{}{}{}@{}", ascii_name["given"], ascii_name["surname"],
                                                           pl.col("born") % 100, "domain"))
        .when(pl.col("style") == 1).then(pl.format("{}{}{}@{}", ascii_name["surname"], ascii_name["middle"],
                                                   ascii_name["given"], "domain"))
        .otherwise(pl.format("{}.{}{}@{}", ascii_name["given"], ascii_name["surname"], "born", "domain")),
    )
