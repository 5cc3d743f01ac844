"""A lean HTTP client, and ticket submissions per second by concurrent clients, against a running uWSGI."""
import http.client
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from bench.harness import csrf_from

FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}


class Client:
    """A lean HTTP client (http.client, one connection per request) carrying a session cookie."""

    def __init__(self, base_url, cookie=""):
        parts = urlsplit(base_url)
        self.host, self.port, self.cookie = parts.hostname, parts.port, cookie
        self.jar = SimpleCookie()

    @classmethod
    def logged_in(cls, base_url, email, password):
        """A client holding the session of `email`, logged in through the form."""
        client = cls(base_url)
        token = csrf_from(client.get("/login")[1].decode())
        status, _, _ = client.request("POST", "/login", urlencode(
            {"email": email, "password": password, "csrf_token": token}), FORM_TYPE)
        if status != 302:
            raise AssertionError(f"login failed for {email}: {status}")
        return client

    def request(self, method, path, body=None, headers=None, keep_cookies=True):
        """(status, headers, body bytes) of one request; cookies set by the answer are kept."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            head = {"Cookie": self.cookie} if self.cookie else {}
            head.update(headers or {})
            conn.request(method, path, body=body, headers=head)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for raw in (response.headers.get_all("Set-Cookie") or ()) if keep_cookies else ():
            self.jar.load(raw)
            self.cookie = "; ".join(f"{k}={m.value}" for k, m in self.jar.items())
        return response.status, response.headers, data

    def get(self, path):
        """Status and body of a GET."""
        status, _, body = self.request("GET", path)
        return status, body


@dataclass
class Submissions:
    """Outcome of the submission run; lost/dup are filled in from the database afterwards."""
    sent: int = 0                 # distinct tickets the clients meant to file
    posts: int = 0                # POSTs made (double submissions included)
    seconds: float = 0.0
    errors: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)   # marker -> set of ticket ids the redirects named
    lost: int = 0
    dup: int = 0
    server_cpu: float = 0.0       # CPU seconds the uWSGI workers used during the run
    client_cpu: float = 0.0       # CPU seconds this process (the clients) used
    bare: object = None           # bench.cpu.BarePosts: POST /ping with CSRF by the same clients

    @property
    def cpu_ratio(self):
        """Worker CPU per filed ticket over worker CPU per bare POST (None without the bare run)."""
        if not self.bare or not self.bare.server_cpu:
            return None
        return (self.server_cpu / max(1, self.sent)) / (self.bare.server_cpu / max(1, self.bare.posts))

    def cpu_per_ticket(self):
        """(server, client) CPU milliseconds per ticket filed."""
        return (1000 * self.server_cpu / max(1, self.sent), 1000 * self.client_cpu / max(1, self.sent))

    @property
    def per_second(self):
        """Distinct tickets filed per second (the double submissions are extra work on top)."""
        return self.sent / self.seconds if self.seconds else 0.0


FORM = {"product": "Remote Utilities", "version": "8.1.0.3", "accept_policy": "1",
        "body": "The Viewer loses the connection to the Host every few minutes since the update. "
                "The Host log shows a timeout on the relay; the network itself is stable."}


def _ticket_id(status, headers):
    location = headers.get("Location", "") if status in (302, 303) else ""
    tail = location.rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() and "/tickets/" in location else None


def _submit_loop(client, token, name, count, double_every, result, lock, start, prefix="bench-submit"):
    start.wait()
    for n in range(count):
        marker = f"{prefix} {name}-{n}"
        form = FORM | {"csrf_token": token, "subject": marker, "submit_token": secrets.token_urlsafe(24)}
        body = urlencode(form)
        tries = 2 if double_every and n % double_every == 0 else 1  # a double click: same form twice
        for _ in range(tries):
            try:
                status, headers, _ = client.request("POST", "/tickets/new", body, FORM_TYPE)
                ident = _ticket_id(status, headers)
                problem = None if ident else f"{marker}: answered {status}"
            except OSError as exc:
                ident, problem = None, f"{marker}: {exc.__class__.__name__}"
            with lock:
                result.posts += 1
                result.answers.setdefault(marker, set())
                if ident:
                    result.answers[marker].add(ident)
                if problem:
                    result.errors.append(problem)
        with lock:
            result.sent += 1


def submit(base_url, emails, password, per_client, double_every=10, server_pid=None, run=0, bare_per_client=None):
    """Concurrent clients, one per email, each POSTing /tickets/new `per_client` times; before that
    the same clients POST /ping with their CSRF token as often (the bare form post, `result.bare`).
    `server_pid` is uWSGI's master: CPU is counted in its workers only (bench.cpu)."""
    from bench import cpu
    clients = []
    for email in emails:
        client = Client.logged_in(base_url, email, password)
        clients.append((client, csrf_from(client.get("/tickets/new")[1].decode())))
    warm, lock, ready = Submissions(), threading.Lock(), threading.Event()
    ready.set()
    for i, (client, token) in enumerate(clients):  # every worker loads the language model once
        _submit_loop(client, token, f"r{run}c{i}", 2, 0, warm, lock, ready, prefix="bench-warmup")
    bare = cpu.bare_posts(clients, bare_per_client or per_client, server_pid) if server_pid else None
    result, start = Submissions(), threading.Event()
    threads = [threading.Thread(target=_submit_loop, args=(c, t, f"r{run}c{i}", per_client, double_every,
                                                           result, lock, start), daemon=True)
               for i, (c, t) in enumerate(clients)]
    for thread in threads:
        thread.start()
    pids = cpu.worker_pids(server_pid) if server_pid else []
    server_before, client_before = cpu.cpu_seconds(pids), time.process_time()
    began = time.perf_counter()
    start.set()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    result.client_cpu = time.process_time() - client_before
    result.server_cpu = cpu.cpu_seconds(pids) - server_before
    result.bare = bare
    return result


def verify(result):
    """Count lost and duplicated tickets in the database (inside an app context)."""
    from peewee import fn
    from portal.models import Ticket
    stored = dict(Ticket.select(Ticket.subject, fn.COUNT(Ticket.id))
                  .where(Ticket.subject.startswith("bench-submit ")).group_by(Ticket.subject).tuples())
    result.lost = sum(1 for marker in result.answers if stored.get(marker, 0) == 0)
    # a duplicate is a second ticket stored, or a second ticket named by the answers to one form
    result.dup = sum(max(0, stored.get(marker, 0) - 1, len(ids) - 1) for marker, ids in result.answers.items())
    return result
