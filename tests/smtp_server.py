"""A real SMTP server on loopback for tests (aiosmtpd in a thread), recording what it
accepts and able to misbehave on request.

    with SMTPServer() as smtp:                 # 127.0.0.1 on a free port
        settings.EMAIL_PORT = smtp.port
        ...
        smtp.messages                          # [Received], parsed with the email package
        smtp.count_for("a@example.org")

Faults, set before or during a test:
    smtp.fail_rcpt("a@x", "451 4.3.0 Try later", times=1)   temporary, once
    smtp.fail_rcpt("b@x", "550 5.1.1 No such user")          permanent, every time
    smtp.fail_data("421 4.3.2 Shutting down", times=1)       the next DATA answered so
    smtp.drop_after(3)               after 3 more accepted messages, the next DATA is
                                     read, then the connection is closed without a reply
    smtp.mail_reply = "553 …"        every MAIL FROM refused so
    smtp.stall_after(3)              the next DATA after 3 more is held until release();
                                     it is then refused (never recorded)
    SMTPServer.down_port()           a port with nothing listening (server down)

Only messages the server answered 250 to are recorded, as a real server would deliver.
"""

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    message: email.message.EmailMessage

    @property
    def to(self):
        return self.rcpt_tos[0]


class _Handler:
    def __init__(self, server):
        self.server = server

    async def handle_MAIL(self, smtp, session, envelope, address, mail_options):
        if self.server.mail_reply:
            return self.server.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        reply = self.server._rcpt_reply(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        action = self.server._data_action()
        if action == "drop":
            smtp.transport.abort()
            return "421 4.4.2 Connection dropped"
        if action == "stall":
            await smtp.loop.run_in_executor(None, self.server._released.wait)
            return "451 4.3.0 Aborted"
        if action:
            return action
        self.server._record(envelope)
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, keep_messages=True, port=None):
        self.port = port or free_port()
        self.keep_messages = keep_messages
        self.messages = []
        self.accepted = 0
        self.delay = 0.0  # seconds before answering each DATA (a slower server)
        self.mail_reply = None  # e.g. "553 5.7.1 Sender address rejected" for every MAIL FROM
        self._lock = threading.Lock()
        self._rcpt = {}  # address → [reply, times left or None for always]
        self._data = []  # [reply, times left]
        self._drop_at = None
        self._stall_at = None
        self._released = threading.Event()
        self.stalled = threading.Event()  # set when a DATA is being held
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    # --- lifecycle ---
    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self._released.set()
        self.controller.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @staticmethod
    def down_port():
        return free_port()

    # --- faults ---
    def fail_rcpt(self, address, reply, times=None):
        with self._lock:
            self._rcpt[address.lower()] = [reply, times]

    def fail_data(self, reply, times=1):
        with self._lock:
            self._data.append([reply, times])

    def drop_after(self, accepted):
        with self._lock:
            self._drop_at = self.accepted + accepted

    def stall_after(self, accepted):
        with self._lock:
            self._stall_at = self.accepted + accepted
            self._released.clear()

    def release(self):
        self._released.set()

    def clear_faults(self):
        with self._lock:
            self._rcpt.clear()
            self._data.clear()
            self._drop_at = self._stall_at = None
        self._released.set()

    # --- results ---
    def count_for(self, address):
        return sum(1 for m in self.messages if address.lower() in (r.lower() for r in m.rcpt_tos))

    def recipients(self):
        return [r.lower() for m in self.messages for r in m.rcpt_tos]

    # --- used by the handler (in the server's thread) ---
    def _rcpt_reply(self, address):
        with self._lock:
            rule = self._rcpt.get(address.lower())
            if not rule:
                return None
            reply, times = rule
            if times is not None:
                rule[1] -= 1
                if rule[1] <= 0:
                    del self._rcpt[address.lower()]
            return reply

    def _data_action(self):
        with self._lock:
            if self._drop_at is not None and self.accepted >= self._drop_at:
                self._drop_at = None
                return "drop"
            if self._stall_at is not None and self.accepted >= self._stall_at:
                self._stall_at = None
                self.stalled.set()
                return "stall"
            if self._data:
                reply, times = self._data[0]
                self._data[0][1] -= 1
                if self._data[0][1] <= 0:
                    self._data.pop(0)
                return reply
            return None

    def _record(self, envelope):
        with self._lock:
            self.accepted += 1
            if self.keep_messages:
                parsed = email.message_from_bytes(
                    envelope.original_content or envelope.content, policy=email.policy.default
                )
                self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
