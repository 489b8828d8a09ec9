"""`GET /v1/readings`: one page of the delivery feed for an authenticated billing client."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, Mapping, Optional

from sqlalchemy.orm import Session

from core.billing.api_keys import authenticate
from core.billing.csvfiles import write_csv
from core.billing.feed import FEED_COLUMNS
from core.billing.pull import DEFAULT_LIMIT, MAX_LIMIT, cursor_for, position_of, read_page


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: Dict[str, str] = field(default_factory=dict)
    # For the call log: who asked and how much they got (never what).
    client: str = "-"
    rows: int = 0


def error(status: int, code: str, message: str, client: str = "-") -> Reply:
    body = json.dumps({"error": code, "message": message}, ensure_ascii=False).encode("utf-8")
    headers = {"WWW-Authenticate": 'Bearer realm="billing"'} if status == 401 else {}
    return Reply(status, body, "application/json; charset=utf-8", headers, client)


def presented_key(headers: Mapping[str, str]) -> Optional[str]:
    """The key from `Authorization: Bearer <key>` or `X-API-Key: <key>`."""
    authorization = headers.get("authorization") or ""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return (headers.get("x-api-key") or "").strip() or None


def readings(
    session: Session, headers: Mapping[str, str], params: Mapping[str, str], now: datetime
) -> Reply:
    """The page after `cursor` (or from the start), at most `limit` readings."""
    client = authenticate(session, presented_key(headers), now)
    if client is None:
        return error(401, "unauthorized", "потрібен чинний ключ API (Authorization: Bearer …)")
    try:
        after = position_of(session, client, params["cursor"]) if params.get("cursor") else 0
    except ValueError:
        return error(
            400, "bad_cursor", "курсор не розпізнано; передайте next_cursor як є", client.name
        )
    try:
        limit = int(params.get("limit") or DEFAULT_LIMIT)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        return error(400, "bad_limit", f"limit має бути від 1 до {MAX_LIMIT}", client.name)
    wanted = (params.get("format") or "json").lower()
    if wanted not in ("json", "csv"):
        return error(400, "bad_format", "format: json або csv", client.name)

    page = read_page(session, client, after, limit, now)
    cursor = cursor_for(client, page.last_position)
    headers_out = {"X-Next-Cursor": cursor, "X-Has-More": "true" if page.has_more else "false"}
    if wanted == "csv":
        buffer = io.BytesIO()
        write_csv(buffer, "utf-8", FEED_COLUMNS, (row.cells() for row in page.rows))
        return Reply(
            200,
            buffer.getvalue(),
            "text/csv; charset=utf-8",
            headers_out,
            client.name,
            len(page.rows),
        )
    body = {
        "readings": [row.as_json() for row in page.rows],
        "next_cursor": cursor,
        "has_more": page.has_more,
    }
    return Reply(
        200,
        json.dumps(body, ensure_ascii=False).encode("utf-8"),
        "application/json; charset=utf-8",
        headers_out,
        client.name,
        len(page.rows),
    )
