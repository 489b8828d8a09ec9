"""A corpus of hostile and strange inputs (over 200): injections, Rasa's own
`/intent{...}` syntax with every intent, slot and entity, huge, invisible and
mixed-script texts, and numbers no meter shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import yaml

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text("utf-8"))

INJECTIONS = [
    "'; DROP TABLE readings; --",
    "0100004' OR '1'='1",
    "1; DELETE FROM accounts",
    "1234,5'); UPDATE readings SET value=0; --",
    '" OR ""="',
    "UNION SELECT owner_name FROM accounts",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<b>жирний</b> показник",
    "{{7*7}}",
    "${jndi:ldap://127.0.0.1/a}",
    "%s%s%s%s%n",
    "{0}{1}{__class__}",
    "../../etc/passwd",
    '=HYPERLINK("http://127.0.0.1","клік")',
    "+380501234567",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\\x00\\x01",
    "null",
    "undefined",
    "None",
    "true",
    "[]",
    "{}",
    '{"text": "привіт"}',
    "[привіт](account_number)",
    '[0100004]{"entity": "account_number"}',
]

NUMBERS = [
    "123456789012,5",
    "1" * 29,
    "9" * 400,
    "-5",
    "-0",
    "0",
    "00000",
    "1e10",
    "1E-5",
    "1.5e3",
    "Infinity",
    "-Infinity",
    "NaN",
    "sNaN",
    "inf",
    "0x1F",
    "1_000",
    "1,2,3",
    "1..2",
    "١٢٣٤",
    "１２３４,５",
    "१२३",
    "½",
    "²³",
    "Ⅻ",
    "12345678901234567890123456789012345678901234567890",
    "0,00000000001",
    "999999999999999999999999999999.9999",
    "3.14159265358979323846264338327950288419716939937510",
    "мільярд",
    "мінус п'ять",
    "дванадцять " * 50,
]

INVISIBLE = [
    "\u200b",
    "\u200b0100004\u200b",
    "01\u200d00\u200c004",
    "\u202e4000010",
    "\u200f1234,5\u200e",
    "\ufeff привіт",
    "\x00",
    "0100004\x00",
    "123\x00456",
    "\x07\x08\x1b[31mчервоний",
    "\r\n\r\n",
    "\t\t",
    " ",
    "",
    "\u2028\u2029",
    "\u00ad1234",
    "\u180e",
    "\U000e0001\U000e0041",
]

SCRIPTS = [
    "Привіт",
    "привет",
    "pryvit",
    "hello",
    "مرحبا",
    "שלום",
    "你好",
    "こんにちは",
    "안녕하세요",
    "Ⓟⓡⓘⓥⓘⓣ",
    "𝐏𝐫𝐢𝐯𝐢𝐭",
    "ПрИвІт HeLLo мир",
    "рахунок ０１００００４",
    "z̸̢̛a̷l̶g̵o̶ ̷т̴е̵к̴с̷т̶",
    "🙂",
    "👍🏽👨‍👩‍👧‍👦",
    "🔥" * 300,
    "⚡️1234,5⚡️",
    "💧 кухня 130,5",
    "ʼ’‘`´",
]

LONG = [
    "а" * 1000,
    "а" * 1001,
    "показник " * 500,
    "x" * 10_000,
    "1" * 10_000,
    "Привіт! " * 600,
    ("0100004 " * 700)[:4096],
    "\n".join(["рядок"] * 2000),
]


def rasa_syntax() -> List[str]:
    inputs = []
    for intent in DOMAIN["intents"]:
        inputs.append(f"/{intent}")
        inputs.append(f'/{intent}{{"account_number": "0100004"}}')
    for slot in DOMAIN["slots"]:
        for value in ("0100004", True, 123456789012, [1, 2], {"1": "99999"}, None):
            inputs.append(f"/inform{json.dumps({slot: value}, ensure_ascii=False)}")
    inputs += [
        "/restart",
        "/session_start",
        "/back",
        "/action_save_readings",
        "/nlu_fallback",
        "/inform{broken json",
        '/inform{"account_number": }',
        "/affirm@0.99",
        "/affirm{}@0.99",
        "/" * 50,
        "/",
        "/ ",
        "//inform",
        "/неіснуючий_намір",
        '/inform{"requested_slot": "reading_save"}',
        '/inform{"reading_save": true, "reading_entries": {"1": "1"}}',
    ]
    return inputs


def corpus() -> List[str]:
    return INJECTIONS + NUMBERS + INVISIBLE + SCRIPTS + LONG + rasa_syntax()
