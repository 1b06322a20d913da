"""A real HTTP server on loopback that answers from a routing function, for tests of code
that talks to remote services (arXiv's API and OAI-PMH endpoint): only the internet is
replaced, the HTTP client and its error handling run for real.

    with FakeServer(route) as server:      # route(request) -> Reply
        fetch(server.url + "/api/query?id_list=…")
        server.requests                    # what the client asked, in order
"""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str  # without the query string
    query: dict  # name -> list of values
    headers: dict


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict = field(default_factory=dict)
    # Close the connection after sending only this many bytes of the body (a dropped
    # connection mid-response); None sends everything.
    cut_after: int | None = None
    # Seconds before the status line (an API that is slow to answer at all), and between
    # the body's bytes (one that answers but trickles); the trickle ends when the client
    # hangs up.
    delay: float = 0.0
    trickle: float | None = None


class FakeServer:
    def __init__(self, route):
        self.route = route
        self.requests = []
        # Set on exit: slow replies (Reply.delay, Reply.trickle) stop waiting.
        self.released = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                parts = urlsplit(self.path)
                request = Request(
                    self.command, parts.path, parse_qs(parts.query), dict(self.headers)
                )
                server.requests.append(request)
                reply = server.route(request)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                if reply.delay:
                    server.released.wait(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if reply.cut_after is not None:
                    self.wfile.write(body[: reply.cut_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if reply.trickle is not None:
                    try:
                        for byte in body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            if server.released.wait(reply.trickle):
                                break
                    except OSError:  # the client gave up
                        pass
                    self.close_connection = True
                    return
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):  # keep test output clean
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        # A short poll interval: shutdown() waits up to one interval.
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()
