"""Excel downloads on the billing and month pages, read back with openpyxl, audited."""

import io
import re
from datetime import datetime

from openpyxl import load_workbook

from tests.support.console import audit_actions

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_of(response):
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def test_billing_page_offers_the_readings_in_excel(login):
    client = login("olena")
    page = client.get("/billing?period=2026-11")
    assert 'action="/reports/readings"' in page.text and "Завантажити Excel" in page.text
    response = client.get("/reports/readings?period=2026-11&format=xlsx")
    assert response.headers["content-disposition"] == (
        'attachment; filename="readings-2026-11.xlsx"'
    )
    sheet = workbook_of(response).active
    rows = list(sheet.iter_rows(min_row=2))
    assert {row[0].value for row in rows} == {"0100001", "0100004"}
    assert all(row[0].data_type == "s" for row in rows)
    assert all(isinstance(row[8].value, datetime) for row in rows)
    assert all(isinstance(row[5].value, (int, float)) for row in rows)
    user, action, _, after, _ = audit_actions()[-1]
    assert (user, action) == ("olena", "export") and '"format": "xlsx"' in after


def test_month_page_downloads_who_has_not_submitted_and_the_summary(login):
    client = login("olena")
    page = client.get("/month?period=2026-11")
    links = re.findall(r'href="(/reports/[^"]+)"', page.text)
    assert [link.replace("&amp;", "&") for link in links] == [
        "/reports/missing?period=2026-11&format=xlsx",
        "/reports/missing?period=2026-11&format=csv",
        "/reports/summary?period=2026-11&format=xlsx",
        "/reports/readings?period=2026-11&format=xlsx",
    ]
    missing = workbook_of(client.get("/reports/missing?period=2026-11&format=xlsx")).active
    numbers = [row[0] for row in missing.iter_rows(min_row=2, values_only=True)]
    assert numbers and "0100004" not in numbers and all(n.startswith("0") for n in numbers)
    summary = workbook_of(client.get("/reports/summary?period=2026-11&format=xlsx"))
    assert summary.sheetnames == ["Підсумок", "За днями"]
    csv = client.get("/reports/missing?period=2026-11&format=csv")
    assert csv.status_code == 200 and csv.text.lstrip("\ufeff").startswith("account_number;")
    assert [a[1] for a in audit_actions()[-3:]] == ["export"] * 3


def test_unknown_report_or_format_is_a_clear_404(login):
    client = login("olena")
    assert client.get("/reports/passwords?format=xlsx").status_code == 404
    assert "Такого звіту немає" in client.get("/reports/missing?format=pdf").text


def test_reports_need_a_login(client):
    response = client.get("/reports/missing?format=xlsx", follow_redirects=False)
    assert response.status_code == 303
