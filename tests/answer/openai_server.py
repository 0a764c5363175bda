"""A real HTTP server on loopback that speaks the OpenAI chat-completions API with scripted replies."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[list[dict[str, Any]]], str]  # messages in, assistant content out


@dataclass
class ScriptedServer:
    """Replies in order (the last one repeats); every request body is kept for inspection."""

    replies: list[Reply]
    delay_s: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def next_reply(self, messages: list[dict[str, Any]]) -> str:
        index = min(len(self.requests) - 1, len(self.replies) - 1)
        return self.replies[index](messages)


def _handler(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path.rstrip("/") != "/v1/chat/completions":
                self.send_error(404)
                return
            server.requests.append(body)
            if server.delay_s:
                time.sleep(server.delay_s)
            content = server.next_reply(body.get("messages", []))
            payload = {
                "id": f"chatcmpl-{len(server.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "test"),
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            }
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

    return Handler


@contextmanager
def openai_server(replies: list[Reply], *, delay_s: float = 0.0) -> Iterator[ScriptedServer]:
    """Start the server on a free loopback port for the duration of the block."""
    scripted = ScriptedServer(replies=replies, delay_s=delay_s)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(scripted))
    httpd.daemon_threads = True
    scripted.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield scripted
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def user_message(messages: list[dict[str, Any]]) -> str:
    return next(m["content"] for m in messages if m.get("role") == "user")


def system_message(messages: list[dict[str, Any]]) -> str:
    return next(m["content"] for m in messages if m.get("role") == "system")


def source_of(messages: list[dict[str, Any]], fragment: str) -> str:
    """The opaque id ("S3") of the passage in the prompt whose text contains `fragment`."""
    user = user_message(messages)
    at = user.index(fragment)
    start = user.rindex('<passage id="', 0, at) + len('<passage id="')
    return user[start : user.index('"', start)]
