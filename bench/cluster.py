"""Two app servers behind nginx against one PostgreSQL; then the same with workers killed.

    uv run python bench/cluster.py [--seconds 20] [--kills 8] [--documents 3]
                                   [--port 8840] [--database prfaq_cluster] [--short]
                                   [--no-record] [--keep] [--log FILE]

Needs PostgreSQL and Debian's nginx (apt-get install nginx); uses three ports.

It creates a fresh PostgreSQL database (on the server of DATABASE_URL, else
127.0.0.1:5432 as postgres), migrates it, seeds an author, two collaborators,
two reviewers and two leaders and a few complete PR/FAQs, then starts two
gunicorn instances in production settings (DEBUG off, 2 sync workers each, on
--port+1 and --port+2) and Debian's nginx on --port, round-robin over both,
with its config, pid, logs and temporary files in a temporary directory.
Everyone signs in through nginx (the login page for the CSRF cookie, then
the real password), and concurrent clients edit (autosaves and Save, each
naming the version it read, each adding a unique marker to the text), merge
after a refused save as the editor does, comment, submit for review and give
verdicts, through nginx. Every response is recorded.

Phase one runs that load as it is; phase two runs it again while a killer
SIGKILLs a gunicorn *worker* (a child of one of the masters) several times in
the middle of saves and submissions; gunicorn starts a new one, and the
clients see 502s for the requests it was serving. After each phase the
editors save what they still hold, and the script checks, from the responses
and the database: every accepted save is in the text and was one version
(no version collision, no gap); every refused save (409) gave the text back
and that text was saved afterwards; a killed save is wholly in or wholly
absent; no approval counts for a revision other than the one approved; no
round is in two states; every revision's stored HTML and gate report match
its text; and `manage.py check_integrity` exits 0. It prints a table, writes
it to bench/RELIABILITY.md (machine, date, commit) unless --no-record, exits 1
if any figure fails, and stops everything it started (also on Ctrl-C) and
drops its database unless --keep. --short is the test's mode: a few seconds
of load per phase and two kills. --log FILE keeps every response's record.

gunicorn runs with --preload, so that a killed worker's replacement is forked
from a master that has the app loaded and serves within milliseconds; without
it, a new worker imports Django first and requests queue behind it for seconds.
"""

import argparse
import contextlib
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from http.client import HTTPConnection, HTTPException
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "cluster-bench-password"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SAVES = ("autosave", "save", "merge", "flush")
KILLED = (502, 503, 504, 0)  # 0: the connection itself failed


# -- HTTP clients ------------------------------------------------------------------------


@dataclass
class Record:
    kind: str
    user: str
    doc: int
    status: int
    backend: str = ""
    marker: str = ""
    info: dict = field(default_factory=dict)


class FormParser(HTMLParser):
    """The forms of a page: for each, its attributes and its successful controls."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._textarea: list | None = None
        self._select: list | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"attrs": a, "fields": []})
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append([a["name"], a.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
            fields.append(self._textarea)
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], None, None]  # name, first option, selected option
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value

    def handle_endtag(self, tag) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, first, chosen = self._select
            if self.forms and (chosen or first) is not None and not name.startswith("reviewers"):
                self.forms[-1]["fields"].append([name, chosen if chosen is not None else first])
            self._select = None

    def handle_data(self, data) -> None:
        if self._textarea is not None:
            self._textarea[1] += data


def forms_of(page: str) -> list[dict]:
    parser = FormParser()
    parser.feed(page)
    for form in parser.forms:  # a browser drops the newline right after <textarea>
        form["fields"] = [
            (k, v[1:] if v.startswith("\n") and k.startswith(("section_", "faq-")) else v)
            for k, v in form["fields"]
        ]
    return parser.forms


def form_with(page: str, name: str) -> list[tuple[str, str]] | None:
    for form in forms_of(page):
        if any(k == name for k, _ in form["fields"]):
            return list(form["fields"])
    return None


class Client:
    """One tab of a signed-in browser: the browser's cookies, every response recorded."""

    def __init__(self, port: int, username: str, cookies: dict | None = None) -> None:
        self.port, self.username = port, username
        self.log: list[Record] = []
        self.lock = threading.Lock()
        self.cookies: dict[str, str] = {} if cookies is None else cookies  # shared by tabs
        self.signed_out = 0  # answers that sent this signed-in browser to sign in again

    def request(self, method: str, path: str, data=None, headers=None):
        """(status, location, body, backend); status 0 when the connection failed."""
        body = urlencode(data, doseq=True) if data is not None else None
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "Referer": f"https://127.0.0.1:{self.port}{path}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in list(self.cookies.items())),
            **(headers or {}),
        }
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = HTTPConnection("127.0.0.1", self.port, timeout=120)
        self.started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, HTTPException) as exc:  # reset, refused, cut short: no answer
            return 0, "", f"connection failed: {exc}", ""
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        upstream = response.headers.get("X-Upstream", "")
        backend = upstream.split(",")[-1].strip()
        location = response.headers.get("Location", "")
        if location.startswith("/accounts/login/"):
            self.signed_out += 1
        return response.status, location, text, backend

    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")

    def post(self, path: str, data, **headers):
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        fields = [(k, v) for k, v in fields if k != "csrfmiddlewaretoken"]
        fields.append(("csrfmiddlewaretoken", self.csrf()))
        return self.request("POST", path, fields, headers)

    def record(self, kind: str, doc: int, status: int, backend: str, marker="", **info) -> None:
        with self.lock:
            info["seconds"] = time.monotonic() - self.started
            self.log.append(Record(kind, self.username, doc, status, backend, marker, info))

    def sign_in(self) -> None:
        status, _, page, _ = self.request("GET", "/accounts/login/")
        token = dict(form_with(page, "username") or []).get("csrfmiddlewaretoken", "")
        for _ in range(5):
            status, _, _, _ = self.request(
                "POST", "/accounts/login/",
                [("username", self.username), ("password", PASSWORD),
                 ("csrfmiddlewaretoken", token or self.csrf())],
            )  # fmt: skip
            if status == 302 and "sessionid" in self.cookies:
                return
            time.sleep(0.5)
        raise RuntimeError(f"{self.username} could not sign in through nginx ({status})")


# -- The load ----------------------------------------------------------------------------


class Load:
    """The shared state of one phase: the clock, the log, the save/submission in flight."""

    def __init__(self, seconds: float, phase: int) -> None:
        self.seconds, self.phase = seconds, phase
        self.deadline = float("inf")  # the clock starts once the editors' opening is done
        self.log: list[Record] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.errors: list[str] = []  # a client that stopped on an exception
        self.pending = 0  # refused texts still unsaved after the phase
        self.signed_out = 0

    def expect(self, editors: int, killing: bool) -> None:
        self.opening_done = threading.Barrier(editors + killing, action=self.start_clock)

    def start_clock(self) -> None:
        if self.deadline == float("inf"):
            self.deadline = time.monotonic() + self.seconds

    def running(self) -> bool:
        return time.monotonic() < self.deadline

    def flight(self, delta: int) -> None:
        with self.lock:
            self.in_flight += delta

    def thread(self, target, *args) -> threading.Thread:
        """A client's thread; an exception in it is a failure of the run, not a quiet stop."""

        def run() -> None:
            try:
                target(*args)
            except Exception as exc:
                self.errors.append(f"{target.__qualname__}: {exc!r}")

        return threading.Thread(target=run, daemon=True)


class Editor:
    """An editor in a browser tab: autosaves, then Save; merges after a refused save."""

    def __init__(self, client: Client, name: str, section: str, docs: list[int], load: Load):
        self.client, self.name, self.section, self.docs, self.load = (
            client, name, section, docs, load)  # fmt: skip
        self.sequence = 0
        self.pending: dict[int, list[str]] = defaultdict(list)  # refused text still to save
        self.fields: list | None = None

    def marker(self) -> str:
        self.sequence += 1
        return f"mk{self.load.phase}x{self.name}x{self.sequence}z"

    def read(self, doc: int) -> bool:
        status, _, page, backend = self.client.request("GET", f"/documents/{doc}/edit/")
        self.client.record("read", doc, status, backend)
        self.fields = form_with(page, "base_version") if status == 200 else None
        return self.fields is not None

    def text_with(self, markers: list[str]) -> list:
        fields = [list(f) for f in self.fields]
        for f in fields:
            if f[0] == f"section_{self.section}":
                present = [m for m in markers if m not in f[1]]
                f[1] += "".join(f"\n\nEdit {m}." for m in present)
        return fields

    def save(self, doc: int, kind: str, markers: list[str]) -> int:
        fields = self.text_with(markers)
        path = f"/documents/{doc}/{'autosave' if kind == 'autosave' else 'edit'}/"
        extra = {"HX-Request": "true"} if kind == "autosave" else {}
        if kind != "autosave":
            fields.append(["save", "1"])
        self.load.flight(+1)
        try:
            status, _, page, backend = self.client.post(path, fields, **extra)
        finally:
            self.load.flight(-1)
        info = {"markers": markers}
        if kind == "autosave" and status == 200:
            match = re.search(r'name="base_version" id="id_base_version" value="(\d+)"', page)
            info["version"] = int(match.group(1)) if match else None
            if match and 'data-state="saved"' in page:
                # The tab goes on from the text it sent, at the version the server gave it.
                self.fields = [[k, match.group(1) if k == "base_version" else v]
                               for k, v in fields]  # fmt: skip
            else:
                status = 299  # a 200 that does not say "saved": counted as answered otherwise
        if status == 409:
            # The text must come back: in the fields of the merge page, or kept in the tab.
            info["text_back"] = (
                all(m in page for m in markers)
                if kind != "autosave"
                else "Your text is still here" in page
            )
        self.client.record(kind, doc, status, backend, markers[-1] if markers else "", **info)
        return status

    def edit(self, doc: int) -> None:
        """A few autosaves and perhaps Save, from the text just read, until one is refused."""
        for step in range(random.randint(1, 3) + 1):
            last = step > 0 and random.random() < 0.4
            kind = "save" if last else "autosave"
            markers = [*self.pending[doc], self.marker()]
            status = self.save(doc, kind, markers)
            if status in (200, 302):
                self.pending[doc] = []
                if kind == "save":
                    return
                continue
            if status == 409:
                self.pending[doc] = markers
                if kind == "autosave":  # "Compare and merge": the editor's form, posted as is
                    self.save(doc, "merge", markers)
            else:
                # Killed: its own marker is never sent again, so that the end can tell
                # whether it is wholly in the text or wholly absent.
                self.pending[doc] = markers[:-1]
            return  # after a refusal the tab starts again from the newest text

    def flush(self) -> None:
        """Save whatever refused text this tab still holds, as a person would."""
        for doc, markers in list(self.pending.items()):
            for _ in range(20):
                if not markers or not self.read(doc):
                    break
                markers = [m for m in markers if not any(m in v for _, v in self.fields)]
                if not markers:
                    break
                if self.save(doc, "flush", markers) in (200, 302):
                    markers = []
                time.sleep(random.uniform(0.05, 0.2))
            self.pending[doc] = markers

    def run(self, opening: threading.Barrier) -> None:
        # Every tab opens the first document, then all save at once: one save is accepted
        # and the others are refused, whatever the machine's speed.
        try:
            if self.read(self.docs[0]):
                opening.wait(timeout=60)
                self.edit(self.docs[0])
            else:
                opening.abort()
        except threading.BrokenBarrierError:
            pass
        finally:
            with contextlib.suppress(threading.BrokenBarrierError):
                self.load.opening_done.wait(timeout=120)
            self.load.start_clock()  # also if the opening failed
        while self.load.running():
            # Most edits go to the first document; the others change rarely, so that their
            # reviews can end in approvals (an edit during a review dismisses them).
            docs = self.docs
            doc = docs[0] if random.random() < 0.8 else random.choice(docs[1:] or docs)
            if self.read(doc):
                self.edit(doc)
            time.sleep(random.uniform(0.02, 0.1))


def commenter(client: Client, name: str, docs: list[int], load: Load) -> None:
    threads: dict[int, list[int]] = defaultdict(list)
    sequence = 0
    while load.running():
        doc = random.choice(docs)
        sequence += 1
        marker = f"cm{load.phase}x{name}x{sequence}z"
        body = f"Question {marker}: how do landlords reconcile late rent?"
        if threads[doc] and random.random() < 0.5:
            thread = random.choice(threads[doc])
            status, _, _, backend = client.post(
                f"/documents/{doc}/threads/{thread}/reply/", {"body": body}
            )
        else:
            status, location, _, backend = client.post(
                f"/documents/{doc}/threads/",
                {"section": "problem", "quote": "", "body": body, "revision": ""},
            )
            match = re.search(r"#thread-(\d+)$", location)
            if status == 302 and match:
                threads[doc].append(int(match.group(1)))
        client.record("comment", doc, status, backend, marker)
        time.sleep(random.uniform(0.1, 0.3))


def submitter(client: Client, docs: list[int], leaders: list[int], reviewer: int, load: Load):
    sequence = 0
    while load.running():
        doc = random.choice(docs)
        status, _, page, backend = client.request("GET", f"/documents/{doc}/submit/")
        client.record("read", doc, status, backend)
        fields = form_with(page, "revision") if status == 200 else None
        if fields is None:  # in review already
            time.sleep(random.uniform(0.2, 0.5))
            continue
        sequence += 1
        data = [(k, v) for k, v in fields if k not in ("approvers", "reviewers")]
        data = [(k, "Known; fine for this round." if k.startswith("ack_") else v) for k, v in data]
        data = [(k, v) for k, v in data if k not in ("due_date", "feedback_wanted")]
        data += [("approvers", str(pk)) for pk in leaders] + [("reviewers", str(reviewer))]
        marker = f"sb{load.phase}x{sequence}z"
        data += [("due_date", (date.today() + timedelta(days=7)).isoformat()),
                 ("feedback_wanted", f"Is the plan credible? {marker}")]  # fmt: skip
        seen = int(dict(fields)["revision"])
        load.flight(+1)
        try:
            status, location, _, backend = client.post(f"/documents/{doc}/submit/", data)
        finally:
            load.flight(-1)
        match = re.search(r"/rounds/(\d+)/$", location)
        client.record("submit", doc, status, backend, marker, seen=seen,
                      round=int(match.group(1)) if match and status == 302 else None)  # fmt: skip
        time.sleep(random.uniform(0.2, 0.5))


def approver(client: Client, name: str, docs: list[int], load: Load) -> None:
    sequence = 0
    while load.running():
        doc = random.choice(docs)
        status, location, _, backend = client.request("GET", f"/documents/{doc}/review/")
        client.record("read", doc, status, backend)
        match = re.search(r"/rounds/(\d+)/$", location)
        if status != 302 or not match:
            time.sleep(random.uniform(0.2, 0.5))
            continue
        number = int(match.group(1))
        status, _, page, backend = client.request("GET", location)
        client.record("read", doc, status, backend)
        fields = form_with(page, "rationale") if status == 200 else None
        if fields is None or "revision" not in dict(fields):  # decided, or not assigned
            time.sleep(random.uniform(0.2, 0.5))
            continue
        sequence += 1
        marker = f"vd{load.phase}x{name}x{sequence}z"
        decision = random.choices(["approve", "request_changes", "reject"], weights=[80, 14, 6])[0]
        seen = int(dict(fields)["revision"])
        data = {"revision": str(seen), "big_idea": "yes", "should_we": "yes", "plan": "yes",
                "decision": decision, "rationale": f"Reasoned {marker}."}  # fmt: skip
        status, _, _, backend = client.post(f"/documents/{doc}/rounds/{number}/verdict/", data)
        client.record("verdict", doc, status, backend, marker, round=number, seen=seen,
                      decision=decision)  # fmt: skip
        time.sleep(random.uniform(0.1, 0.4))


def killer(masters: list[int], ports: list[int], load: Load, kills: int, done: list) -> None:
    """SIGKILL a worker of a random master while a save or submission is in flight.

    The kills start after the editors' opening saves and end before the last quarter of
    the phase, so that gunicorn has started new workers when the load stops.
    """
    with contextlib.suppress(threading.BrokenBarrierError):
        load.opening_done.wait(timeout=120)
    gap = 0.75 * load.seconds / kills
    for _ in range(kills):
        time.sleep(gap * random.uniform(0.6, 1.0))
        for _ in range(200):  # wait, briefly, for a save or submission under way
            if load.in_flight or not load.running():
                break
            time.sleep(0.005)
        for _ in range(100):  # a worker may be between death and rebirth: try again
            workers = [w for master in masters for w in children(master)]
            victim = random.choice(serving(workers, ports) or workers or [0])
            with contextlib.suppress(ProcessLookupError):
                if victim:
                    os.kill(victim, signal.SIGKILL)
                    done.append(victim)
                    break
            time.sleep(0.05)


def serving(workers: list[int], ports: list[int]) -> list[int]:
    """The workers holding a connection accepted on a gunicorn port: busy with a request."""
    accepted = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        columns = line.split()
        if columns[3] == "01" and int(columns[1].split(":")[1], 16) in ports:  # ESTABLISHED
            accepted.add(f"socket:[{columns[9]}]")
    busy = []
    for pid in workers:
        with contextlib.suppress(OSError):
            fds = Path(f"/proc/{pid}/fd")
            if any(os.readlink(fd) in accepted for fd in fds.iterdir()):
                busy.append(pid)
    return busy


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def sign_in_all(port: int) -> dict[str, Client]:
    """Everyone signs in through nginx at once, as a morning's first requests would.

    One browser per person; the author submits from a second tab, and collab2 edits in
    two tabs of one browser.
    """
    users = ("author", "collab1", "collab2", "reviewer1", "reviewer2", "leader1", "leader2")
    browsers = {user: Client(port, user) for user in users}
    threads = [threading.Thread(target=c.sign_in) for c in browsers.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    missing = [u for u, c in browsers.items() if "sessionid" not in c.cookies]
    if missing:
        raise RuntimeError(f"not signed in: {missing}")
    tabs = {"e0": "author", "e1": "collab1", "e2": "collab2", "e3": "collab2", "submit": "author"}
    return {
        **{key: Client(port, user, browsers[user].cookies) for key, user in tabs.items()},
        **{user: browsers[user] for user in users[3:]},
    }


def run_phase(clients, ids, seconds, phase, kill_count=0, masters=(), ports=()):
    load = Load(seconds, phase)
    for client in clients.values():
        client.log, client.lock, client.signed_out = load.log, load.lock, 0
    docs = ids["documents"]
    editors = [
        Editor(clients["e0"], "e0", "solution", docs, load),
        Editor(clients["e1"], "e1", "how_it_works", docs, load),
        Editor(clients["e2"], "e2", "call_to_action", docs, load),
        Editor(clients["e3"], "e3", "customer_quote", docs, load),
    ]
    leaders = [ids["users"]["leader1"], ids["users"]["leader2"]]
    load.expect(len(editors), bool(kill_count))
    opening = threading.Barrier(len(editors))
    workers = [load.thread(e.run, opening) for e in editors]
    workers += [
        load.thread(commenter, clients[n], n, docs, load) for n in ("reviewer1", "reviewer2")
    ]
    workers += [load.thread(approver, clients[n], n, docs, load) for n in ("leader1", "leader2")]
    reviewer = ids["users"]["reviewer1"]
    workers.append(load.thread(submitter, clients["submit"], docs, leaders, reviewer, load))
    killed: list[int] = []
    if kill_count:
        workers.append(load.thread(killer, list(masters), list(ports), load, kill_count, killed))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + 180)
    say(f"phase {phase}: load stopped")
    for _ in range(600):  # gunicorn starts new workers for the killed ones
        if all(len(children(master)) == 2 for master in masters):
            break
        time.sleep(0.1)
    for editor in editors:
        editor.flush()
    say(f"phase {phase}: editors saved what they held")
    load.pending = sum(len(m) for e in editors for m in e.pending.values())
    load.signed_out = sum(c.signed_out for c in clients.values())
    return load, killed


# -- Servers -----------------------------------------------------------------------------


def nginx_config(temp: Path, port: int, upstreams: list[int]) -> Path:
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / sub).mkdir()
        (temp / sub).chmod(0o777)  # nginx's workers may run as nobody
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=0;" for p in upstreams)
    conf = temp / "nginx.conf"
    conf.write_text(f"""\
daemon off;
worker_processes 1;
pid {temp}/nginx.pid;
error_log {temp}/error.log error;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {temp}/body;
  proxy_temp_path {temp}/proxy;
  fastcgi_temp_path {temp}/fastcgi;
  uwsgi_temp_path {temp}/uwsgi;
  scgi_temp_path {temp}/scgi;
  client_max_body_size 4m;
  client_body_buffer_size 1m;
  upstream prfaq {{
{servers}
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://prfaq;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
      proxy_read_timeout 120s;
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
""")
    temp.chmod(0o755)
    return conf


def wait_for(port: int, process: subprocess.Popen, what: str) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        connection = HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer on port {port}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


# -- Database ----------------------------------------------------------------------------


def database_urls(name: str) -> tuple[str, str]:
    """(the new database's URL, the server's maintenance database's URL)."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    return parts._replace(path=f"/{name}").geturl(), parts._replace(path="/postgres").geturl()


def create_database(name: str, maintenance: str) -> None:
    import psycopg

    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str, maintenance: str) -> None:
    import psycopg

    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(document_count: int) -> dict:
    """Users with the bench password, and complete PR/FAQs shared with both collaborators."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.contrib.auth.models import Group

    from prfaq.demo_data import RENTROLL
    from prfaq.document_templates import PRFAQ
    from prfaq.models import LEADERSHIP_GROUP, User
    from reviews.workflow import save_draft, start_document

    # A cheap hash of the real password: signing in checks it, then upgrades it.
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, secrets.token_hex(8), iterations=1000)
    leadership, _ = Group.objects.get_or_create(name=LEADERSHIP_GROUP)
    users = {}
    for name in ("author", "collab1", "collab2", "reviewer1", "reviewer2", "leader1", "leader2"):
        user = User.objects.create(username=name, password=hashed, first_name=name.title())
        if name.startswith("leader"):
            user.groups.add(leadership)
        users[name] = user
    documents = []
    for n in range(document_count):
        title = f"RentRoll for small landlords ({n + 1})"
        document = start_document(owner=users["author"], title=title, template=PRFAQ)
        save_draft(document=document, by=users["author"], title=title, content=RENTROLL,
                   base_version=document.version, checkpoint=True)  # fmt: skip
        document.set_sharing(restricted=False, collaborators=[users["collab1"], users["collab2"]])
        documents.append(document.pk)
    return {"users": {k: u.pk for k, u in users.items()}, "documents": documents}


def snapshot(docs: list[int]) -> dict:
    from django.db.models import Max

    from prfaq.models import Document
    from reviews.models import ReviewRound

    rounds = dict(
        ReviewRound.objects.filter(document__in=docs)
        .values("document").annotate(n=Max("number")).values_list("document", "n")
    )  # fmt: skip
    return {
        d.pk: {"version": d.version, "revision": d.current_revision.number,
               "rounds": rounds.get(d.pk, 0)}
        for d in Document.objects.filter(pk__in=docs).select_related("current_revision")
    }  # fmt: skip


# -- Figures -----------------------------------------------------------------------------


def audit(load: Load, before: dict, docs: list[int], killed: list, integrity: int) -> dict:
    """The figures of one phase, from the responses and the database."""
    from prfaq.models import Document, Revision
    from prfaq.rendering import render_content
    from reviews.gates import run_gates
    from reviews.models import Comment, Event, ReviewRound, Verdict, draft_of

    log = load.log
    f: dict = {}
    f["requests"] = len(log)
    f["backends"] = dict(Counter(r.backend for r in log if r.backend))
    f["server errors (500)"] = sum(1 for r in log if r.status == 500)
    f["killed requests (502/conn)"] = sum(1 for r in log if r.status in KILLED)
    f["worker kills"] = len(killed)
    times = sorted(r.info["seconds"] for r in log)
    f["response time p50 / p99 / max (s)"] = (
        f"{times[len(times) // 2]:.2f} / {times[int(len(times) * 0.99)]:.2f} / {times[-1]:.2f}"
    )

    documents = {d.pk: d for d in Document.objects.filter(pk__in=docs)}
    revisions = defaultdict(list)
    for rev in Revision.objects.filter(document__in=docs).select_related("gate_report"):
        revisions[rev.document_id].append(rev)
    current = {d: json.dumps(documents[d].current_revision.content) for d in docs}
    every = {d: [json.dumps(r.content) for r in revisions[d]] for d in docs}

    saves = [r for r in log if r.kind in SAVES]
    accepted = [r for r in saves if r.status in (200, 302)]
    refused = [r for r in saves if r.status == 409]
    dead = [r for r in saves if r.status in KILLED]
    f["saves"] = len(saves)
    f["saves accepted"] = len(accepted)
    f["saves refused (409)"] = len(refused)
    f["saves killed"] = len(dead)
    f["saves answered otherwise"] = len(saves) - len(accepted) - len(refused) - len(dead)
    # A killed save is wholly in the text or wholly absent, never in an older revision only.
    # Autosaves and saves carry a marker never sent before; a merge resends refused text
    # on a stale version, which can only be refused again, so it cannot have written.
    fresh = [r for r in dead if r.kind in ("autosave", "save")]
    landed = [r for r in fresh if r.marker in current[r.doc]]
    absent = [r for r in fresh if not any(r.marker in t for t in every[r.doc])]
    f["killed saves wholly in"] = len(landed)
    f["killed saves wholly absent"] = len(absent)
    f["killed saves half-written"] = len(fresh) - len(landed) - len(absent)
    f["killed merges (stale, cannot write)"] = len(dead) - len(fresh)
    versions = sum(documents[d].version - before[d]["version"] for d in docs)
    f["versions written"] = versions
    f["accepted saves = versions written"] = versions == len(accepted) + len(landed)
    claimed = defaultdict(list)
    for r in accepted:
        if r.info.get("version") is not None:
            claimed[r.doc].append(r.info["version"])
    f["version collisions or gaps"] = sum(
        len(v) - len(set(v)) + sum(1 for n in v if not before[d]["version"] < n
                                   <= documents[d].version)
        for d, v in claimed.items()
    )  # fmt: skip
    new = [r for d in docs for r in revisions[d] if r.number > before[d]["revision"]]
    f["revisions created"] = len(new)
    edited = Counter(
        Event.objects.filter(document__in=docs, kind=Event.Kind.EDITED, revision__in=new)
        .values_list("revision", flat=True)
    )  # fmt: skip
    f["revisions without exactly one edit event"] = sum(1 for r in new if edited[r.pk] != 1)
    lost = [r for r in accepted for m in r.info["markers"] if m not in current[r.doc]]
    no_text = [r for r in refused if not r.info.get("text_back")]
    unsaved = [m for r in refused for m in r.info["markers"] if m not in current[r.doc]]
    f["lost texts"] = len(lost) + len(no_text) + len(unsaved)
    half = 0
    for d in docs:
        doc = documents[d]
        for rev in revisions[d]:
            content = rev.as_content()
            report = getattr(rev, "gate_report", None)
            findings = [x.to_json() for x in run_gates(draft_of(rev))]
            stored = (rev.rendered, rev.word_count, report and report.findings)
            half += stored != (render_content(content), content.word_count, findings)
        cur = doc.current_revision
        if (doc.title, doc.word_count) != (cur.title, cur.word_count) or cur.number != len(
            revisions[d]
        ):
            half += 1
    f["half-written revisions"] = half

    comments = [r for r in log if r.kind == "comment"]
    bodies = Counter()
    for body in Comment.objects.filter(thread__document__in=docs).values_list("body", flat=True):
        for marker in re.findall(r"cm\d+x\w+?x\d+z", body):
            bodies[marker] += 1
    f["comments accepted"] = sum(1 for r in comments if r.status == 302)
    f["comments lost or doubled"] = sum(1 for r in comments if r.status == 302
                                        and bodies[r.marker] != 1)  # fmt: skip
    f["comments killed, doubled"] = sum(1 for r in comments if r.status in KILLED
                                        and bodies[r.marker] > 1)  # fmt: skip
    commented = Event.objects.filter(document__in=docs, kind=Event.Kind.COMMENTED).count()
    f["comment events = comments"] = (
        commented == Comment.objects.filter(thread__document__in=docs).count()
    )

    submits = [r for r in log if r.kind == "submit"]
    rounds = ReviewRound.objects.filter(document__in=docs)
    new_rounds = [r for r in rounds if r.number > before[r.document_id]["rounds"]]
    f["submissions accepted"] = sum(1 for r in submits if r.status == 302)
    f["submissions refused"] = sum(1 for r in submits if r.status == 400)
    f["submissions killed"] = sum(1 for r in submits if r.status in KILLED)
    f["rounds opened"] = len(new_rounds)
    answered = {(r.doc, r.info["round"]) for r in submits if r.status == 302}
    unclaimed = [r for r in new_rounds if (r.document_id, r.number) not in answered]
    f["rounds opened = accepted + killed submissions that landed"] = (
        len(answered) == f["submissions accepted"]
        and len(unclaimed) <= f["submissions killed"]
        and all((d, n) in {(r.document_id, r.number) for r in rounds} for d, n in answered)
    )
    f["rounds by state"] = dict(Counter(r.state for r in new_rounds))

    verdicts = [r for r in log if r.kind == "verdict"]
    f["verdicts accepted"] = sum(1 for r in verdicts if r.status == 302)
    f["verdicts refused (text changed or decided)"] = sum(1 for r in verdicts if r.status == 400)
    f["verdicts killed"] = sum(1 for r in verdicts if r.status in KILLED)
    stored = {
        v.rationale: v for v in Verdict.objects.filter(round__document__in=docs)
        .select_related("revision", "round")
    }  # fmt: skip
    f["verdicts on a revision other than the one read"] = sum(
        1 for r in verdicts
        if r.status == 302 and f"Reasoned {r.marker}." in stored
        and stored[f"Reasoned {r.marker}."].revision.number != r.info["seen"]
    )  # fmt: skip
    wrong = 0
    for round_ in rounds.filter(state=ReviewRound.State.APPROVED):
        approvers = set(round_.assignments.filter(role="approver").values_list("user", flat=True))
        counted = round_.verdicts.filter(decision="approve", dismissed_at__isnull=True)
        wrong += sum(1 for v in counted if v.revision_id != round_.decided_revision_id)
        wrong += len(approvers - {v.reviewer_id for v in counted})
    f["approvals counted for another revision"] = wrong
    decisions = Counter(
        Event.objects.filter(document__in=docs, kind=Event.Kind.DECISION)
        .values_list("round", flat=True)
    )  # fmt: skip
    two = 0
    for round_ in rounds:
        want = 0 if round_.state in ("open", "withdrawn") else 1
        two += decisions[round_.pk] != want
    for d in docs:
        latest = rounds.filter(document=d).order_by("-number").first()
        status = documents[d].status
        opened = rounds.filter(document=d, state="open").count()
        decided = status in ("approved", "rejected", "changes_requested")
        two += opened > 1 or (status == "in_review") != (opened == 1)
        two += bool(latest and decided and latest.state != status)
    f["rounds in two states"] = two
    given = set(Verdict.objects.filter(round__document__in=docs).values_list("round", "reviewer"))
    f["verdict events without a verdict"] = sum(
        1 for pair in Event.objects.filter(document__in=docs, kind=Event.Kind.VERDICT)
        .values_list("round", "actor") if pair not in given
    )  # fmt: skip
    f["check_integrity exit code"] = integrity
    return f


PASSES = {
    "server errors (500)": 0,
    "killed saves half-written": 0,
    "version collisions or gaps": 0,
    "revisions without exactly one edit event": 0,
    "lost texts": 0,
    "half-written revisions": 0,
    "comments lost or doubled": 0,
    "comments killed, doubled": 0,
    "verdicts on a revision other than the one read": 0,
    "approvals counted for another revision": 0,
    "rounds in two states": 0,
    "verdict events without a verdict": 0,
    "check_integrity exit code": 0,
    "accepted saves = versions written": True,
    "comment events = comments": True,
    "rounds opened = accepted + killed submissions that landed": True,
    "sessions lost (sent to sign in again)": 0,
    "saves answered otherwise": 0,
    "clients stopped by an error": 0,
}


def failures(f: dict, killing: bool) -> list[str]:
    bad = [f"{k} = {f[k]} (want {v})" for k, v in PASSES.items() if f[k] != v]
    if len(f["backends"]) < 2:
        bad.append(f"only one backend served requests: {f['backends']}")
    if f["saves accepted"] == 0 or f["saves refused (409)"] == 0:
        bad.append("the load made no accepted or no refused save")
    if killing and f["worker kills"] == 0:
        bad.append("no worker was killed")
    return bad


def render(phases: list[tuple[str, dict]]) -> str:
    names = [n for n, _ in phases]
    lines = ["| figure | " + " | ".join(names) + " |", "| --- |" + " ---: |" * len(names)]
    for key in phases[0][1]:
        cells = []
        for _, f in phases:
            value = f[key]
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v}" for k, v in sorted(value.items())) or "none"
            elif isinstance(value, bool):
                value = "yes" if value else "**no**"
            cells.append(str(value))
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def record(table: str, options) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()  # fmt: skip
    header = (
        f"## Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}\n\n"
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; nginx round-robin over two gunicorn instances "
        f"(2 sync workers each) on one PostgreSQL; {options.documents} documents, 9 clients, "
        f"{options.seconds} s per phase, {options.kills} worker kills in phase two.\n\n"
    )
    path = ROOT / "bench" / "RELIABILITY.md"
    previous = path.read_text() if path.exists() else "# Reliability runs\n"
    intro, mark, runs = previous.partition("## Run of")  # the newest run goes first
    path.write_text(f"{intro.rstrip()}\n\n{header}{table}\n" + (f"\n{mark}{runs}" if mark else ""))


# -- Main --------------------------------------------------------------------------------


def check_integrity() -> int:
    """``manage.py check_integrity``'s exit status; what it found goes to standard error."""
    from django.core.management import call_command

    try:
        call_command("check_integrity", stdout=sys.stderr)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


CLOCK = time.monotonic()


def say(what: str) -> None:
    print(f"[{time.monotonic() - CLOCK:5.1f}s] {what}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--kills", type=int, default=8)
    parser.add_argument("--documents", type=int, default=3)
    parser.add_argument("--port", type=int, default=8840, help="nginx; gunicorn on +1 and +2")
    parser.add_argument("--database", default="prfaq_cluster")
    parser.add_argument("--short", action="store_true", help="5 s per phase, 2 kills, 2 documents")
    parser.add_argument("--no-record", action="store_true", help="do not write RELIABILITY.md")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--log", type=Path, help="write every response's record here (JSON lines)")
    options = parser.parse_args()
    if options.short:
        options.seconds, options.kills, options.documents = 5, 2, 2
    if not Path(NGINX).exists():
        sys.exit("nginx is not installed: apt-get install nginx")
    url, maintenance = database_urls(options.database)
    env = dict(
        os.environ, DATABASE_URL=url, DEBUG="0", SECRET_KEY="cluster-only-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1", CONN_MAX_AGE="60", EMAIL_HOST="", LOG_LEVEL="ERROR",
        TRUSTED_PROXY_COUNT="1", DJANGO_SETTINGS_MODULE="prfaq.settings",
    )  # fmt: skip
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    started: list[subprocess.Popen] = []
    temp = Path(tempfile.mkdtemp(prefix="prfaq-cluster-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    create_database(options.database, maintenance)
    try:
        static = subprocess.Popen([sys.executable, "manage.py", "collectstatic", "--noinput",
                                   "-v0"], cwd=ROOT, env=env, start_new_session=True)  # fmt: skip
        started.append(static)
        if static.wait() != 0:
            raise RuntimeError("collectstatic failed")
        # The servers boot (without touching the database) while it is migrated and seeded.
        ports = [options.port + 1, options.port + 2]
        masters = []
        for port in ports:
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "prfaq.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", "2", "--worker-class", "sync", "--log-level", "critical",
                 "--graceful-timeout", "5", "--preload"],
                cwd=ROOT, env=env, start_new_session=True,
                stdout=subprocess.DEVNULL, stderr=(temp / f"gunicorn-{port}.log").open("w"),
            )  # fmt: skip
            started.append(server)
            masters.append(server.pid)
        proxy = subprocess.Popen(
            [NGINX, "-p", str(temp), "-e", str(temp / "error.log"), "-c",
             str(nginx_config(temp, options.port, ports))],
            start_new_session=True,
        )  # fmt: skip
        started.append(proxy)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        ids = seed(options.documents)
        say(f"database {options.database} migrated and seeded")
        for port, server in zip(ports, started[1:3], strict=True):
            wait_for(port, server, f"gunicorn on {port}")
        wait_for(options.port, proxy, "nginx")
        say(f"nginx on {options.port} over gunicorn on {ports[0]} and {ports[1]}")
        clients = sign_in_all(options.port)
        say("7 people signed in through nginx")

        phases = []
        for phase, kills in ((1, 0), (2, options.kills)):
            before = snapshot(ids["documents"])
            load, killed = run_phase(clients, ids, options.seconds, phase, kills,
                                     masters, ports)  # fmt: skip
            say(f"phase {phase}: {len(load.log)} requests, {len(killed)} workers killed")
            if options.log:
                with options.log.open("a") as out:
                    out.writelines(json.dumps({"phase": phase, **vars(r)}) + "\n" for r in load.log)
            figures = audit(load, before, ids["documents"], killed, check_integrity())
            figures["texts still unsaved at the end"] = load.pending
            figures["sessions lost (sent to sign in again)"] = load.signed_out
            figures["clients stopped by an error"] = len(load.errors)
            for error in load.errors:
                print(f"client error: {error}", file=sys.stderr)
            say(f"phase {phase} checked")
            name = "two servers" if not kills else "two servers, workers killed"
            phases.append((name, figures))
        table = render(phases)
        print(table)
        bad = [f"{n}: {b}" for n, f in phases for b in failures(f, n.endswith("killed"))]
        print("FIGURES " + json.dumps(dict(phases)))
        if not options.no_record:
            record(table, options)
        for line in bad:
            print(f"FAILED {line}", file=sys.stderr)
        if bad:  # what the servers said about it
            for log in sorted(temp.glob("*.log")):
                lines = log.read_text().splitlines()
                print(f"{log.name}:", *lines[-60:], sep="\n  ", file=sys.stderr)
        return 1 if bad else 0
    finally:
        for process in reversed(started):
            stop(process)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django may not be set up if the start failed
            pass
        if not options.keep:
            drop_database(options.database, maintenance)
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
