"""Report rows as CSV or XLSX, and the streamed ticket list (constant memory)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterable, Iterator, Sequence

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TICKET_COLUMNS = (
    "number",
    "subject",
    "status",
    "priority",
    "category",
    "requester_email",
    "assignee_email",
    "channel",
    "created_at",
    "updated_at",
    "first_responded_at",
    "resolved_at",
)
_TICKET_VALUES = (
    "number",
    "subject",
    "status",
    "priority",
    "category__name",
    "requester__email",
    "assignee__email",
    "channel",
    "created_at",
    "updated_at",
    "first_responded_at",
    "resolved_at",
)
EXPORT_CHUNK = 2000


def cell(value) -> str | int | float:
    """A JSON-like scalar for a spreadsheet cell (ISO dates and UTC times with Z)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date | uuid.UUID):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return _safe(value) if isinstance(value, str) else value
    return str(value)


def _safe(text: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _filename(name: str, start, end, ext: str) -> str:
    return f"{name}_{start}_{end}.{ext}"


def report_csv(data: dict, columns: Sequence[str]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in data["rows"]:
        writer.writerow([cell(row.get(column)) for column in columns])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = _filename(data["name"], data["start"], data["end"], "csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def report_xlsx(data: dict, columns: Sequence[str]) -> HttpResponse:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(data["name"][:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, list(columns), bold)
    for index, row in enumerate(data["rows"], start=1):
        sheet.write_row(index, 0, [cell(row.get(column)) for column in columns])
    sheet.freeze_panes(1, 0)
    book.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    filename = _filename(data["name"], data["start"], data["end"], "xlsx")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


LINES_PER_CHUNK = 500


def ticket_rows(tickets: QuerySet) -> Iterator[Sequence]:
    """One row per ticket from a single query, read in chunks through a server-side cursor."""
    values = tickets.select_related(None).prefetch_related(None).values_list(*_TICKET_VALUES)
    for row in values.iterator(chunk_size=EXPORT_CHUNK):
        yield [cell(value) for value in row]


def csv_lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """CSV text in chunks of a few hundred lines (one chunk per line costs the server more
    per write than the formatting does); memory stays at one chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % LINES_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def tickets_csv_stream(tickets: QuerySet) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(TICKET_COLUMNS, ticket_rows(tickets)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="tickets.csv"'
    return response
