"""The one HTTP client for arXiv: its API (arxiv_api.py) and its OAI-PMH endpoint (oai.py)
both GET through a Client, so that both keep to one policy.

1. Turns: arXiv asks each client for at most one request every few seconds, whichever of
   its services it asks (settings.ARXIV_REQUEST_INTERVAL, 3 s by default). One Throttle
   per process (THROTTLE) spaces all of them, the API's and OAI-PMH's alike, threads
   (web requests) taking turns under its lock. A request with a total `timeout` (a web
   submission: SUBMIT_ARXIV_WAIT) is refused at once (NoTurn) rather than wait past it.
2. Limits: each socket operation waits TIMEOUT seconds at most (less when a total
   timeout is nearly spent; a slow sender is then cut off at the total); a body larger
   than the client's `max_bytes` is refused (TooLarge), one shorter than its
   Content-Length is cut short (CutShort).
3. Retries, for a client that asks for them (the harvest): a 503 after its Retry-After
   (at most MAX_RETRY_AFTER, MAX_503 times in a row); network errors and other 5xx after
   RETRY_DELAYS, giving up (GaveUp) once MAX_NETWORK_WAIT seconds have passed since the
   first failure. Each retry is announced to `notice`, with its reason, count and delay.
4. The User-Agent names the site (SITE_URL), as arXiv asks of its clients.

Errors are ArxivHTTPError subclasses that carry the facts (status, reason, limit); each
caller words them for its own users. urllib from the standard library does the HTTP: one
GET at a time needs nothing more.
"""

import datetime as dt
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException, IncompleteRead

from django.conf import settings

from dailypapers.ingest import fields
from dailypapers.ingest.records import RecordError

TIMEOUT = 30.0  # seconds per socket operation (connect, and each read)
MAX_RETRY_AFTER = 600  # never sleep longer than this on a 503, whatever it asks
MAX_503 = 10  # 503s in a row before they count as failures (RETRY_DELAYS)
RETRY_DELAYS = (5, 15, 40, 60)  # seconds before each retry after a network error / 5xx
# A request failing on the network gives up once this many seconds have passed since its
# first failure (attempts and waits together): without network a harvest says so within
# about three minutes, and the next run resumes from its checkpoint.
MAX_NETWORK_WAIT = 180
CUT_SHORT = "the connection closed before the whole response arrived"


class ArxivHTTPError(Exception):
    """A request that gave no usable response; str() says what happened, briefly."""

    def __init__(self, url, message):
        super().__init__(message)
        self.url = url


class NoTurn(ArxivHTTPError):
    """The request could not have its turn (THROTTLE) within its total timeout."""


class HTTPStatusError(ArxivHTTPError):
    """An answer with an error status; `body` is what came with it (b"" if unreadable)."""

    def __init__(self, url, status, reason, headers, body):
        super().__init__(url, f"HTTP {status} {reason}")
        self.status, self.reason, self.headers, self.body = status, reason, headers, body


class TooLarge(ArxivHTTPError):
    def __init__(self, url, limit):
        super().__init__(url, f"response larger than {limit} bytes")
        self.limit = limit


class NetworkError(ArxivHTTPError):
    """No complete answer; `reason` says why (a reset, a refused connection, …)."""

    def __init__(self, url, reason):
        super().__init__(url, f"network error: {reason}")
        self.reason = reason


class Unreachable(NetworkError):
    """The connection could not be made (name lookup, refused, connect timeout)."""


class TimedOut(NetworkError):
    """No answer within `seconds`: the per-operation TIMEOUT, or the request's total."""

    def __init__(self, url, seconds, reason="timed out"):
        super().__init__(url, reason)
        self.seconds = seconds


class CutShort(NetworkError):
    def __init__(self, url):
        super().__init__(url, CUT_SHORT)


class GaveUp(ArxivHTTPError):
    """Retries used up: the message names the service, the last problem and the attempts."""


# --- turns -------------------------------------------------------------------------------


class Budget:
    """A total time limit for one request, or none (None: only the per-operation TIMEOUT)."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.deadline = None if seconds is None else time.monotonic() + seconds

    def left(self):
        return None if self.deadline is None else self.deadline - time.monotonic()

    def socket_timeout(self, url):
        left = self.left()
        if left is None:
            return TIMEOUT
        if left <= 0:
            raise self.exceeded(url)
        return min(TIMEOUT, left)

    def exceeded(self, url):
        return TimedOut(url, self.seconds)


class Throttle:
    """Spaces requests `interval` seconds apart, across threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.last = float("-inf")  # time.monotonic() of the previous request

    def wait_turn(self, interval, budget, sleep, url):
        """Sleep until `interval` has passed since the previous request. With a total
        budget, refuse at once (NoTurn) rather than wait past it: a web request never
        queues behind other requests' turns."""
        left = budget.left()
        if not self.lock.acquire(timeout=-1 if left is None else max(left, 0)):
            raise NoTurn(url, "other requests are waiting their turn")
        try:
            wait = self.last + interval - time.monotonic()
            if wait > 0:
                left = budget.left()
                if left is not None and wait >= left:
                    raise NoTurn(url, "other requests are waiting their turn")
                sleep(wait)
            self.last = time.monotonic()
        finally:
            self.lock.release()


THROTTLE = Throttle()  # one per process: arXiv's policy is per client, not per service


# --- the client --------------------------------------------------------------------------


@dataclass
class Response:
    body: bytes
    content_type: str


class Client:
    """GETs from one arXiv service politely (see the module docstring).

    `name` ("arXiv OAI-PMH") words the retry notices; `agent` starts the User-Agent;
    `interval` overrides ARXIV_REQUEST_INTERVAL (read at each request when None); `sleep`
    is how to wait (the worker passes its stop event's wait, so a stop ends the waits);
    `retry` turns on step 3 of the module docstring, with `notice` told of each retry.
    """

    def __init__(
        self,
        name,
        base_url,
        *,
        max_bytes,
        agent="dailypapers",
        interval=None,
        retry=False,
        notice=None,
        sleep=time.sleep,
    ):
        self.name = name
        self.base_url = base_url
        self.max_bytes = max_bytes
        self.agent = agent
        self.interval = interval
        self.retry = retry
        self.notice = notice or (lambda message: None)
        self.sleep = sleep

    def get(self, params, timeout=None):
        """GET base_url?params; a Response, or an ArxivHTTPError. `timeout`: seconds for
        the whole request, its wait for a turn included (None: TIMEOUT per operation)."""
        url = f"{self.base_url}?{urllib.parse.urlencode(params)}"
        budget = Budget(timeout)
        if not self.retry:
            self._wait_turn(budget, url)
            return self._attempt(url, budget)
        return self._get_retrying(url, budget)

    def _wait_turn(self, budget, url):
        interval = float(
            settings.ARXIV_REQUEST_INTERVAL if self.interval is None else self.interval
        )
        THROTTLE.wait_turn(interval, budget, self.sleep, url)

    def _get_retrying(self, url, budget):
        failures = unavailable = 0
        waited = 0.0  # seconds since the first network failure: attempts and sleeps
        while True:
            self._wait_turn(budget, url)
            started = time.monotonic()
            try:
                return self._attempt(url, budget)
            except HTTPStatusError as exc:
                if exc.status == 503 and unavailable < MAX_503:
                    unavailable += 1
                    delay = _retry_after(exc.headers.get("Retry-After"))
                    self.notice(
                        f"{self.name} is busy (503); retry {unavailable}/{MAX_503} in {delay:g} s, as it asks"
                    )
                    self.sleep(delay)
                    continue
                if exc.status < 500:
                    raise
                problem = str(exc)
            except NetworkError as exc:
                problem = str(exc)
            if failures:
                waited += time.monotonic() - started
            if failures >= len(RETRY_DELAYS) or waited + RETRY_DELAYS[failures] > MAX_NETWORK_WAIT:
                raise GaveUp(
                    url,
                    f"{self.name} not answering ({problem}) at {self.base_url}: giving up after "
                    f"{failures + 1} attempts over {waited:.0f} s",
                )
            delay = RETRY_DELAYS[failures]
            self.notice(
                f"{self.name} not answering ({problem}); retry {failures + 1}/{len(RETRY_DELAYS)} in {delay:g} s"
            )
            self.sleep(delay)
            waited += delay
            failures += 1

    def _attempt(self, url, budget):
        # arXiv asks its clients to identify themselves; SITE_URL says which site is asking.
        headers = {"User-Agent": f"{self.agent} (+{settings.SITE_URL})"}
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=budget.socket_timeout(url)) as response:
                body = self._read(response, budget, url)
                return Response(body, response.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as exc:
            # arXiv's API answers a malformed query with HTTP 400 and an Atom error entry.
            try:
                body = self._read(exc, budget, url)
            except (OSError, HTTPException, ArxivHTTPError):
                body = b""
            raise HTTPStatusError(url, exc.code, exc.reason, exc.headers, body) from None
        except urllib.error.URLError as exc:
            raise Unreachable(url, exc.reason) from None
        except TimeoutError as exc:
            if budget.deadline is not None:
                raise budget.exceeded(url) from None
            raise TimedOut(url, TIMEOUT, exc) from None
        except IncompleteRead:
            raise CutShort(url) from None
        except (OSError, HTTPException) as exc:
            raise NetworkError(
                url, getattr(exc, "reason", None) or exc or type(exc).__name__
            ) from None

    def _read(self, response, budget, url):
        limit = self.max_bytes
        if budget.deadline is None:
            body = response.read(limit + 1)
        else:
            # A slow sender must not stretch the total: read what arrives, checking the clock
            # between reads (each read waits at most the socket timeout, itself within budget).
            chunks, size = [], 0
            while size <= limit:
                if budget.left() <= 0:
                    raise budget.exceeded(url)
                chunk = response.read1(64 * 1024)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            body = b"".join(chunks)
        if len(body) > limit:
            raise TooLarge(url, limit)
        # read(amount) returns what arrived when the server closes early; compare with the
        # announced length so a cut response is reported as such, not as malformed XML.
        expected = response.headers.get("Content-Length", "")
        if expected.isdigit() and len(body) < int(expected):
            raise CutShort(url)
        return body


def _retry_after(value):
    """Retry-After seconds (or HTTP date), bounded; 60 s when missing or unreadable."""
    delay = 60.0
    if value:
        value = value.strip()
        if value.isdigit():
            delay = float(value)
        else:
            try:
                when = fields.timestamp(value)
                delay = (when - dt.datetime.now(dt.UTC)).total_seconds()
            except RecordError:
                pass
    return min(max(delay, 0.0), MAX_RETRY_AFTER)
