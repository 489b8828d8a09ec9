"""Local stand-ins for the Telegram Bot API and the Viber REST API: loopback
HTTP servers that record every call the assistant makes and answer like the
real services, file downloads included (Telegram's getFile and file URL,
Viber's media URLs)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional

# The first bytes of real files: what the assistant's type check looks at.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(2000)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(500)
PDF = b"%PDF-1.7\n" + bytes(3000)
DOCX = b"PK\x03\x04" + bytes(3000)


@dataclass
class Call:
    method: str  # the API method: sendMessage, send_message, ...
    path: str
    headers: Dict[str, str]
    body: Dict[str, Any]
    at: float = 0.0  # time.monotonic() when the call arrived


def _telegram_answer(call: Call, serial: int, files: Dict[str, bytes]) -> Dict[str, Any]:
    if call.method == "getFile":
        file_id = str(call.body.get("file_id"))
        return {
            "ok": True,
            "result": {
                "file_id": file_id,
                "file_unique_id": f"u{serial}",
                "file_size": len(files.get(file_id, JPEG)),
                "file_path": f"documents/{file_id}",
            },
        }
    if call.method == "sendMessage":
        return {
            "ok": True,
            "result": {
                "message_id": serial,
                "chat": {"id": call.body["chat_id"]},
                "text": call.body["text"],
            },
        }
    if call.method == "getWebhookInfo":
        return {
            "ok": True,
            "result": {
                "url": "https://example.test/webhooks/telegram/webhook",
                "pending_update_count": 0,
            },
        }
    return {"ok": True, "result": True}


def _viber_answer(call: Call, serial: int, files: Dict[str, bytes]) -> Dict[str, Any]:
    answer: Dict[str, Any] = {"status": 0, "status_message": "ok"}
    if call.method == "send_message":
        answer["message_token"] = 5000000000000000000 + serial
    elif call.method == "set_webhook":
        answer["event_types"] = call.body.get("event_types", [])
    elif call.method == "get_account_info":
        answer.update(webhook="https://example.test/webhooks/viber/webhook", subscribers_count=1)
    return answer


class FakeApi:
    """`kind` is "telegram" or "viber"; `script(method, answer)` makes the next call
    of that method answer differently (an error, a flood-control wait)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.calls: List[Call] = []
        self.delay = 0.0  # seconds every answer waits (a slow messenger)
        # Files users "sent": Telegram file_id or Viber media name -> bytes (JPEG if unknown).
        self.files: Dict[str, bytes] = {}
        # name -> URL: a GET of that file answers 302 to the URL.
        self.redirects: Dict[str, str] = {}
        self.downloads: List[str] = []  # paths of the files fetched
        self._scripted: Dict[str, List[Dict[str, Any]]] = {}
        # Messages to users by recipient (chat id, Viber id): a crowd's replies in O(1).
        self._inbox: Dict[str, List[Dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}" + ("/pa" if self.kind == "viber" else "")

    def __enter__(self) -> "FakeApi":
        self._thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    def media_url(self, name: str) -> str:
        """A Viber `media` URL this stand-in serves (`files[name]`)."""
        return f"{self.url}/media/{name}"

    def script(self, method: str, answer: Dict[str, Any]) -> None:
        with self._lock:
            self._scripted.setdefault(method, []).append(answer)

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
            self._scripted.clear()
            self._inbox.clear()

    def of(self, method: str) -> List[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def sent(self) -> List[Dict[str, Any]]:
        """Bodies of the messages the assistant sent to users."""
        method = "sendMessage" if self.kind == "telegram" else "send_message"
        return [call.body for call in self.of(method)]

    def sent_to(self, recipient: str) -> List[Dict[str, Any]]:
        """Bodies of the messages sent to one chat (Telegram) or user (Viber), in order."""
        with self._lock:
            return list(self._inbox.get(str(recipient), ()))

    def _answer(self, call: Call) -> Dict[str, Any]:
        with self._lock:
            self.calls.append(call)
            recipient = call.body.get("chat_id", call.body.get("receiver"))
            if call.method in ("sendMessage", "send_message") and recipient is not None:
                self._inbox.setdefault(str(recipient), []).append(call.body)
            queue = self._scripted.get(call.method)
            if queue:
                return queue.pop(0)
            serial = len(self.calls)
        answer: Callable[[Call, int, Dict[str, bytes]], Dict[str, Any]] = (
            _telegram_answer if self.kind == "telegram" else _viber_answer
        )
        return answer(call, serial, self.files)

    def _file(self, path: str) -> bytes:
        with self._lock:
            self.downloads.append(path)
            return self.files.get(path.rsplit("/", 1)[-1], JPEG)

    def _handler(self) -> type:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                declared = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(declared)
                body = json.loads(raw or b"{}") if len(raw) == declared else None
                method = self.path.rsplit("/", 1)[-1]
                if body is None or (
                    method in MESSAGE_METHODS and not MESSAGE_METHODS[method] & set(body)
                ):
                    # A sender killed mid-request (the cluster's kill -9): what
                    # arrived is no message, and the real API refuses it too.
                    self.send_error(400, "Bad Request: chat_id is empty")
                    return
                call = Call(
                    method,
                    self.path,
                    dict(self.headers),
                    body,
                    time.monotonic(),
                )
                if fake.delay:
                    time.sleep(fake.delay)
                data = json.dumps(fake._answer(call)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 (file downloads)
                target = fake.redirects.get(self.path.rsplit("/", 1)[-1])
                if target is not None:
                    fake.downloads.append(self.path)
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = fake._file(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler


# A message is only a message with its recipient (Telegram's chat_id, Viber's receiver).
MESSAGE_METHODS = {"sendMessage": {"chat_id"}, "send_message": {"receiver"}}


def texts(bodies: List[Dict[str, Any]]) -> str:
    return "\n".join(str(b.get("text", "")) for b in bodies)


def reply_keyboard_titles(body: Dict[str, Any]) -> Optional[List[str]]:
    markup = body.get("reply_markup") or {}
    if "keyboard" not in markup:
        return None
    return [button["text"] for row in markup["keyboard"] for button in row]


def webhook_body(update: Dict[str, Any]) -> bytes:
    """The bytes a messenger posts (and Viber signs)."""
    return json.dumps(update, ensure_ascii=False).encode()


def post_webhook(url: str, body: bytes, headers: Dict[str, str]) -> Optional[int]:
    """Posts one messenger update as the messenger would; the HTTP status, or
    None when the server could not be reached (the messenger then re-delivers)."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=70) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None
