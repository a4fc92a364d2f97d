"""An independent generator of one-stop-shop dossier logs, one row per dossier.

Not the model and not sim.intake: per commune x field a first-come-first-served queue
of clerks working ``HOURS`` hours a working day (the tiny scenario's rules of
tests/forecast_helpers.py), dossiers arriving as a Poisson number per day, received in
office hours on the next working day, some withdrawn while they wait, some refused when
served, some still open at the end. It keeps its own record of every dossier
(``Record``) and writes the log as an export does: Vietnamese headers under a title
line, communes with unit prefixes, fields by their catalogue names, date-times in mixed
formats; CSV (cp1258 or UTF-8 with BOM, any separator) or XLSX with real date cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.forecast_helpers import ARRIVALS, CLERKS, DEADLINE_DAYS, FIELDS, HOURS, SHARE, WORK_RATE

DISPLAY = {"a": "Đông Kinh", "b": "Kỳ Lừa"}
WRITTEN = {  # how the system writes each commune: unit prefixes vary row by row
    "a": [
        "Phường Đông Kinh",
        "UBND phường Đông Kinh",
        "Trung tâm phục vụ hành chính công phường Đông Kinh",
    ],
    "b": ["Xã Kỳ Lừa", "UBND xã Kỳ Lừa", "Trung tâm phục vụ hành chính công xã Kỳ Lừa"],
}
FIELD_NAMES = {"certification": ["Chứng thực", "CHỨNG THỰC"], "land": ["Đất đai", "đất  đai"]}
PROCEDURES = {
    "certification": ["Chứng thực bản sao từ bản chính", "Chứng thực chữ ký"],
    "land": ["Đăng ký biến động đất đai", "Cấp đổi giấy chứng nhận quyền sử dụng đất"],
}
HEADER = ["STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Lĩnh vực", "Đơn vị tiếp nhận",
          "Hình thức nộp", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả",
          "Ngày trả kết quả", "Trạng thái"]  # fmt: skip
WITHDRAW = 0.04  # share of dossiers whose applicant withdraws if still waiting
REFUSE = 0.03  # share refused when served


@dataclass
class Record:
    """What the generator knows of one dossier (dates as ``datetime``)."""

    dossier_id: str
    commune: str
    field: str
    procedure: str
    channel: str
    received: dt.datetime
    due: dt.date
    outcome: str = "open"  # resolved, withdrawn, refused, open
    closed: dt.datetime | None = None
    returned: dt.datetime | None = None


def next_working(date: dt.date, days: int = 0) -> dt.date:
    while days > 0 or date.weekday() >= 5:
        date += dt.timedelta(days=1)
        if date.weekday() < 5:
            days -= 1
    return date


def generate(start: dt.date, days: int, seed: int, capacity: dict[str, float] | None = None,
             demand: float = 1.0) -> list[Record]:  # fmt: skip
    """Every dossier received from ``start`` over ``days`` days (the last day should be a
    working day), with what happened to it by the end of the last day."""
    rng = np.random.default_rng(seed)
    capacity = capacity or {}
    end = start + dt.timedelta(days=days - 1)
    records: list[Record] = []
    for commune, rate in ARRIVALS.items():
        for field in FIELDS:
            speed = WORK_RATE[field] * capacity.get(field, 1.0)
            queue: list[tuple[Record, float, dt.date | None]] = []
            for k in range(days):
                date = start + dt.timedelta(days=k)
                for _ in range(rng.poisson(24 * rate * SHARE[field] * demand)):
                    on = next_working(date)
                    if on > end:
                        continue
                    when = dt.datetime.combine(on, dt.time(8)) + dt.timedelta(
                        minutes=int(rng.integers(0, 9 * 60))
                    )
                    n = len(records) + 1
                    record = Record(
                        dossier_id=f"H{n:06d}",
                        commune=commune,
                        field=field,
                        procedure=PROCEDURES[field][int(rng.integers(2))],
                        channel=["Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính"][
                            int(rng.choice(3, p=[0.6, 0.35, 0.05]))
                        ],
                        received=when,
                        due=next_working(on, DEADLINE_DAYS[field]),
                    )
                    records.append(record)
                    leave = (
                        on + dt.timedelta(days=int(rng.integers(1, 6)))
                        if rng.random() < WITHDRAW
                        else None
                    )
                    queue.append((record, float(rng.exponential(1.0 / speed)), leave))
                if date.weekday() >= 5:
                    continue
                for item in [q for q in queue if q[2] is not None and q[2] <= date]:
                    queue.remove(item)
                    item[0].outcome = "withdrawn"
                    item[0].closed = item[0].returned = dt.datetime.combine(date, dt.time(9, 30))
                hours = HOURS * CLERKS[field]
                used = 0.0
                while queue and queue[0][0].received.date() <= date and hours >= queue[0][1]:
                    record, work, _ = queue.pop(0)
                    hours -= work
                    used += work / CLERKS[field]
                    done = dt.datetime.combine(date, dt.time(8)) + dt.timedelta(
                        hours=min(used, 9.5)
                    )
                    done = max(done, record.received + dt.timedelta(minutes=10))
                    if rng.random() < REFUSE:
                        record.outcome, record.returned = "refused", done
                        record.closed = done
                    else:
                        record.outcome, record.closed = "resolved", done
                        back = next_working(date, int(rng.integers(0, 3)))
                        if back <= end:
                            record.returned = max(done, dt.datetime.combine(back, dt.time(15)))
                if queue and queue[0][0].received.date() <= date and hours > 0:
                    record, work, leave = queue[0]
                    queue[0] = (record, work - hours, leave)
    records.sort(key=lambda r: (r.received, r.dossier_id))
    return records


def expected_history(records: list[Record], communes, fields) -> list[dict]:
    """The daily statistics the records imply, counted one dossier at a time."""
    first = min(r.received.date() for r in records)
    last = max(d.date() for r in records for d in (r.received, r.closed, r.returned) if d)
    rows = []
    day = first
    while day <= last:
        for commune in communes:
            for field in fields:
                mine = [r for r in records if r.commune == commune and r.field == field]
                closed = lambda r: r.closed.date() if r.closed else None  # noqa: E731
                is_open = [
                    r
                    for r in mine
                    if r.received.date() <= day and (closed(r) is None or closed(r) > day)
                ]
                done = [r for r in mine if r.outcome == "resolved" and closed(r) == day]
                rows.append({
                    "date": day.isoformat(), "commune": commune, "field": field,
                    "received": sum(r.received.date() == day for r in mine),
                    "resolved": len(done),
                    "resolved_on_time": sum(closed(r) <= r.due for r in done),
                    "open_end": len(is_open),
                    "overdue_end": sum(r.due < day for r in is_open),
                })  # fmt: skip
        day += dt.timedelta(days=1)
    return rows


STATUS = {"resolved": ["Đã trả kết quả", "Hoàn thành"], "withdrawn": ["Rút hồ sơ"],
          "refused": ["Từ chối giải quyết"], "open": ["Đang xử lý", "Chờ bổ sung"]}  # fmt: skip


def _when(value: dt.datetime | dt.date | None, style: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y") if style % 2 == 0 else value.isoformat()
    return (value.strftime("%d/%m/%Y %H:%M"), value.strftime("%d/%m/%Y %H:%M:%S"),
            value.strftime("%Y-%m-%d %H:%M:%S"))[style % 3]  # fmt: skip


def cells(records: list[Record], seed: int, real_dates: bool = False) -> list[list]:
    """The log's data rows (header order), formats varying row by row; with
    ``real_dates`` the date-times as ``datetime`` (an Excel sheet's date cells)."""
    rng = np.random.default_rng(seed)
    rows = []
    for n, r in enumerate(records, start=1):
        style = int(rng.integers(0, 6))
        status = STATUS[r.outcome][int(rng.integers(len(STATUS[r.outcome])))]
        if r.outcome == "resolved" and r.returned is None:
            status = "Đã có kết quả"
        dates = [r.received, r.due, r.closed if r.outcome == "resolved" else None, r.returned]
        if real_dates and style < 4:
            shown = [
                d if d is None or isinstance(d, dt.datetime) else dt.datetime.combine(d, dt.time())
                for d in dates
            ]
        else:
            shown = [_when(d, style) for d in dates]
        rows.append([n, r.dossier_id, r.procedure, FIELD_NAMES[r.field][style % 2],
                     WRITTEN[r.commune][style % 3], r.channel, *shown, status])  # fmt: skip
    return rows


# (cells to change, column named in the problem); inserted after data rows 10, 20, 30, 40
BAD_ROWS = [
    ({"Ngày tiếp nhận": "31/02/2025 09:00"}, "received_at"),
    ({"Ngày có kết quả": "01/01/2020 08:00", "Trạng thái": "Đã trả kết quả"}, "resolved_at"),
    ({"Lĩnh vực": ""}, "field"),
    ({"Lĩnh vực": "Lĩnh vực chưa có"}, "field"),
]


def with_bad_rows(rows: list[list], first_row: int) -> tuple[list[list], dict[int, str]]:
    """The rows with BAD_ROWS copied from good ones and inserted; returns them and the
    spreadsheet row number -> column of each (``first_row``: the first data row's)."""
    out = list(rows)
    bad = {}
    for k, (change, column) in enumerate(BAD_ROWS):
        at = 10 * (k + 1) + k
        copy = list(rows[at])
        copy[1] = f"BAD{k}"
        for name, value in change.items():
            copy[HEADER.index(name)] = value
        out.insert(at, copy)
        bad[first_row + at] = column
    return out, bad


def cp1258(text: str) -> bytes:
    """Text in Windows Vietnamese as Excel writes it: a letter cp1258 lacks as its base
    letter (itself in cp1258) and combining tone marks."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for kept in itertools.chain.from_iterable(
            itertools.permutations(marks, n) for n in range(len(marks), -1, -1)
        ):
            rest = [m for m in marks if m not in kept]
            try:
                out += unicodedata.normalize("NFC", base + "".join(kept)).encode("cp1258")
                out += "".join(rest).encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
    return bytes(out)


def write_log_csv(path: Path, rows: list[list], sep: str, encoding: str) -> Path:
    """A CSV export: a title line, the header, the rows; ``encoding`` cp1258 or utf-8-sig."""
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow(["SỔ THEO DÕI HỒ SƠ TIẾP NHẬN VÀ TRẢ KẾT QUẢ"])
    writer.writerow(HEADER)
    writer.writerows(rows)
    text = buffer.getvalue()
    path.write_bytes(cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return path


def write_log_xlsx(path: Path, rows: list[list]) -> Path:
    """An XLSX export: two title rows, the header, the rows (date cells as dates)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["SỔ THEO DÕI HỒ SƠ"])
    sheet.append(["Đơn vị: Tỉnh Lạng Sơn"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    for column in "GHIJ":
        for cell in sheet[column][3:]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
    book.save(path)
    return path


def _cell_value(text: str) -> object:
    """A template cell as a workbook holds it: date-times as ``datetime``, the rest text."""
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return text or None


def template_workbook(csv_path: Path, xlsx_path: Path) -> Path:
    """configs/intake/log_template.xlsx from the CSV template: the same title, header
    and rows, date-times as real date cells."""
    import openpyxl

    lines = list(csv.reader(csv_path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "So theo doi"
    for k, row in enumerate(lines):
        values = row if k < 2 else [_cell_value(v) for v in row]
        sheet.append([int(v) if isinstance(v, str) and v.isdigit() else v for v in values])
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
    book.save(xlsx_path)
    return xlsx_path
