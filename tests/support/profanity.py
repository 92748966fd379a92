"""Profanity (an independent XMPP client with its own OMEMO) driven inside tmux, for
interop tests against the test Prosody.

    prof = Profanity(server, jid, password)
    await prof.start()                        # logged in, TLS verified against the test CA
    await prof.send(peer_jid, "hello")        # /msg peer hello (focuses that chat window)
    await prof.wait_for_message(peer_jid, "hi back")
    device_id = await prof.generate_omemo()   # /omemo gen
    own = await prof.fingerprint()            # own OMEMO fingerprint
    await prof.start_omemo(peer_jid)          # /omemo start (fetches device list + bundles)
    await prof.trust(peer_jid, fingerprint)   # /omemo trust, retried until the bundle is in
    await prof.send(peer_jid, "secret")       # encrypted once the window is in OMEMO mode
    await prof.stop()

Each instance runs in a private tmux server (its own socket under the instance
directory, no tmux config of the user) with HOME and the XDG directories under that
directory, so nothing touches the real home. Profanity 0.13 (Debian 12) runs as root
without complaint, so no user switch is needed.

TLS: the test CA is put into a hashed certificate directory (``openssl rehash``) that
``/tls certpath set`` hands to libstrophe; the account uses ``tls force`` (STARTTLS
required, certificate verified for the JID's domain). Nothing is ever accepted with
``/tls allow``: without the CA Profanity stops at its certificate prompt.

Everything that waits polls ``tmux capture-pane`` (the visible window only: Profanity is
a full-screen curses program, tmux keeps no scrollback of it). Waits are async, so a
client of the test's own running on the same event loop keeps working meanwhile. A
failed wait raises AssertionError with the pane and the tail of Profanity's debug log.

Profanity 0.13.1 against Prosody 0.12, known quirks (see ``seed_device_list`` and
``make_contacts``):

* It looks for ``pubsub#publish-options`` in the *server's* disco#info, where Prosody
  does not announce it (it is on the account's bare JID), so it publishes its device
  list and bundle without publish-options: the nodes get Prosody's default access model
  ``presence``. Peers must be mutual contacts to fetch them (``make_contacts``).
* On a fresh account it asks for its own device list, gets item-not-found (no ``code``
  attribute, which is what it checks) and never publishes its device. Publishing an
  empty list first (``seed_device_list``) makes it add itself and publish.
* ``/omemo trust`` only knows a fingerprint after the peer's bundle arrived, which
  ``/omemo start`` requests; ``trust`` retries until Profanity confirms.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import itertools
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from slixmpp.xmlstream import ET

from .tmpdirs import make_shared_tmpdir, remove_tree
from .xmpp import online

PROFANITY_INSTALL_HINT = (
    "Profanity or tmux is not installed. Run `make test` (it runs "
    "tools/install-test-deps.sh, which installs them), or run "
    "`sudo tools/install-test-deps.sh` yourself."
)

OMEMO_NS = "eu.siacs.conversations.axolotl"
DEVICE_LIST_NODE = f"{OMEMO_NS}.devicelist"

START_TIMEOUT = 10.0
WAIT_TIMEOUT = 10.0
POLL_INTERVAL = 0.05

_FINGERPRINT = r"[0-9a-f]{8}(?:-[0-9a-f]{8}){7}"
_OWN_FINGERPRINT = re.compile(rf"Your OMEMO fingerprint: ({_FINGERPRINT})")
_DEVICE_ID = re.compile(r"Your Device ID is (\d+)")
_names = itertools.count(1)


def unavailable_reason() -> str | None:
    """Why Profanity interop tests cannot run here, or None when they can."""
    missing = [tool for tool in ("profanity", "tmux", "openssl") if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} not installed. {PROFANITY_INSTALL_HINT}"
    return None


def profanity_version() -> str:
    """The first line of ``profanity --version`` (e.g. "Profanity, version 0.13.1")."""
    out = subprocess.run(
        ["profanity", "--version"], capture_output=True, text=True, timeout=10, check=False
    ).stdout
    return out.splitlines()[0] if out else ""


class ServerLike(Protocol):
    host: str
    domain: str
    c2s_port: int
    direct_tls_port: int

    @property
    def ca_file(self) -> Path: ...


class ProfanityError(RuntimeError):
    pass


_LIVE: set[Profanity] = set()
_LIVE_LOCK = threading.Lock()


@atexit.register
def _stop_all() -> None:
    with _LIVE_LOCK:
        live = list(_LIVE)
    for prof in live:
        with contextlib.suppress(Exception):
            prof.kill()


class Profanity:
    """One Profanity process for one account, in a tmux server of its own."""

    def __init__(
        self,
        server: ServerLike,
        jid: str,
        password: str,
        *,
        trust_ca: bool = True,
        width: int = 220,
        height: int = 50,
    ) -> None:
        """``trust_ca=False`` leaves the test CA out (for "refuses the certificate"
        tests; Profanity then stops at its TLS prompt and is never told to allow)."""
        reason = unavailable_reason()
        if reason is not None:
            raise ProfanityError(reason)
        self.server = server
        self.jid = jid
        self.password = password
        self.trust_ca = trust_ca
        self.width = width
        self.height = height
        self.account = f"acct{next(_names)}"
        self.base_dir = make_shared_tmpdir("profanity")
        self.home = self.base_dir / "home"
        self.config_home = self.base_dir / "config"
        self.data_home = self.base_dir / "data"
        self.cache_home = self.base_dir / "cache"
        self.ca_dir = self.base_dir / "ca"
        self.tmux_dir = self.base_dir / "tmux"
        self.log_path = self.data_home / "profanity" / "logs" / "profanity.log"
        self._tmux_conf = self.base_dir / "tmux.conf"
        self._started = False

    def __repr__(self) -> str:
        return f"<Profanity {self.jid} in {self.base_dir}>"

    # ---- process -------------------------------------------------------------------

    def _tmux(self, *args: str, check: bool = True) -> str:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TMUX_TMPDIR": str(self.tmux_dir)}
        proc = subprocess.run(
            ["tmux", "-f", str(self._tmux_conf), "-L", "profanity", *args],
            capture_output=True,
            text=True,
            timeout=10,
            env=env,
            check=False,
        )
        if check and proc.returncode != 0:
            raise ProfanityError(f"tmux {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
        return proc.stdout

    def _prepare_dirs(self) -> None:
        for path in (self.home, self.config_home, self.data_home, self.cache_home, self.ca_dir):
            path.mkdir(parents=True, exist_ok=True)
        self.tmux_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        # remain-on-exit: if Profanity dies, its last screen stays readable.
        self._tmux_conf.write_text("set -g remain-on-exit on\nset -g history-limit 0\n")
        if self.trust_ca:
            shutil.copyfile(self.server.ca_file, self.ca_dir / "test-ca.pem")
            subprocess.run(["openssl", "rehash", str(self.ca_dir)], check=True, capture_output=True)

    async def start(self, *, wait_online: bool = True, timeout: float = START_TIMEOUT) -> None:
        """Start Profanity, set the CA directory, create the account and connect.

        With ``wait_online`` returns once Profanity reports the login; otherwise
        right after ``/connect`` (the test then waits for what it expects)."""
        if self._started:
            raise ProfanityError(f"{self!r} already started")
        self._prepare_dirs()
        env = {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.config_home),
            "XDG_DATA_HOME": str(self.data_home),
            "XDG_CACHE_HOME": str(self.cache_home),
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        }
        command = ["env", "-i", *(f"{k}={v}" for k, v in env.items()), "profanity", "-l", "DEBUG"]
        self._tmux(
            "new-session",
            "-d",
            "-s",
            "prof",
            "-x",
            str(self.width),
            "-y",
            str(self.height),
            *command,
        )
        self._started = True
        with _LIVE_LOCK:
            _LIVE.add(self)
        await self.wait_for_text("Type '/help'", timeout)
        if self.trust_ca:
            await self.command(
                f"/tls certpath set {self.ca_dir}",
                expect="Certificate path set to",
                timeout=timeout,
            )
        for setting in (
            f"/account add {self.account}",
            f"/account set {self.account} jid {self.jid}",
            f"/account set {self.account} server {self.server.host}",
            f"/account set {self.account} port {self.server.c2s_port}",
            f"/account set {self.account} tls force",
            f"/account set {self.account} password {self.password}",
        ):
            # Each answer is different ("Account created.", "Updated jid for account..."):
            # wait for the input line to be consumed before typing the next command.
            await self.command(setting)
        await self.command(f"/connect {self.account}")
        if wait_online:
            await self.wait_for_text(f"{self.jid}/", timeout, pattern=r"\S* logged in successfully")

    async def stop(self, timeout: float = 3.0) -> None:
        """``/quit`` (a clean stream close), then end this instance's tmux server."""
        if self._started and self._alive():
            with contextlib.suppress(ProfanityError):
                self._type("/quit")
            for _ in range(int(timeout / POLL_INTERVAL)):
                if not self._alive():
                    break
                await asyncio.sleep(POLL_INTERVAL)
        self.kill()

    def kill(self) -> None:
        """End this instance's tmux server (and Profanity with it) at once."""
        if self._started:
            self._tmux("kill-server", check=False)
            self._started = False
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def cleanup(self) -> None:
        self.kill()
        remove_tree(self.base_dir)

    def _alive(self) -> bool:
        out = self._tmux("list-panes", "-t", "prof", "-F", "#{pane_dead}", check=False)
        return out.strip() == "0"

    # ---- screen --------------------------------------------------------------------

    def pane(self) -> str:
        """The visible screen (the current Profanity window)."""
        return self._tmux("capture-pane", "-p", "-J", "-t", "prof")

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def diagnostics(self) -> str:
        try:
            pane = self.pane()
        except ProfanityError as exc:
            pane = f"(no pane: {exc})"
        pane = "\n".join(line.rstrip() for line in pane.splitlines() if line.strip())
        return f"--- pane of {self!r}\n{pane}\n--- {self.log_path} (tail)\n{self.log_tail()}"

    async def wait_for_text(
        self, text: str, timeout: float = WAIT_TIMEOUT, *, pattern: str | None = None
    ) -> re.Match[str]:
        """Poll the pane until ``text`` (literally, then ``pattern`` as a regex, when
        given) shows; returns the match. AssertionError with diagnostics on timeout."""
        regex = re.compile(re.escape(text) + (pattern or ""))
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.pane())
            if match is not None:
                return match
            if not self._alive():
                raise AssertionError(
                    f"Profanity exited while waiting for {text!r}\n{self.diagnostics()}"
                )
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"{text!r}{' + /' + pattern + '/' if pattern else ''} not on the "
                    f"Profanity screen within {timeout}s\n{self.diagnostics()}"
                )
            await asyncio.sleep(POLL_INTERVAL)

    async def wait_for_any(self, texts: Iterable[str], timeout: float = WAIT_TIMEOUT) -> str:
        """The first of ``texts`` that shows on the pane."""
        wanted = list(texts)
        deadline = time.monotonic() + timeout
        while True:
            pane = self.pane()
            for text in wanted:
                if text in pane:
                    return text
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"none of {wanted!r} on the Profanity screen within {timeout}s\n"
                    f"{self.diagnostics()}"
                )
            await asyncio.sleep(POLL_INTERVAL)

    # ---- input ---------------------------------------------------------------------

    def _type(self, line: str) -> None:
        self._tmux("send-keys", "-t", "prof", "-l", line)
        self._tmux("send-keys", "-t", "prof", "Enter")

    async def command(
        self, line: str, *, expect: str | None = None, timeout: float = WAIT_TIMEOUT
    ) -> None:
        """Type one line and press Enter; wait until the input line is empty again
        (Profanity took it), and for ``expect`` on the screen when given."""
        self._type(line)
        deadline = time.monotonic() + timeout
        while line[:40] in self._input_line():
            if time.monotonic() >= deadline:
                raise AssertionError(f"Profanity did not take {line!r}\n{self.diagnostics()}")
            await asyncio.sleep(POLL_INTERVAL)
        if expect is not None:
            await self.wait_for_text(expect, max(0.1, deadline - time.monotonic()))

    def _input_line(self) -> str:
        lines = self.pane().rstrip("\n").splitlines()
        return lines[-1] if lines else ""

    def title(self) -> str:
        """The title bar (first line): the focused window's contact and its modes."""
        lines = self.pane().splitlines()
        return lines[0] if lines else ""

    async def wait_for_title(
        self, jid: str, marker: str = "", timeout: float = WAIT_TIMEOUT
    ) -> None:
        """Wait until the focused window is the chat with ``jid`` showing ``marker``."""
        deadline = time.monotonic() + timeout
        while True:
            title = self.title()
            if title.startswith(f" {jid} ") and marker in title:
                return
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"chat window {jid} {marker} not focused within {timeout}s\n"
                    f"{self.diagnostics()}"
                )
            await asyncio.sleep(POLL_INTERVAL)

    async def open_chat(self, jid: str) -> None:
        """Focus the chat window with ``jid`` (``/msg jid``), creating it if needed.
        Incoming messages of a window that is not focused are not on the screen."""
        await self.command(f"/msg {jid}")
        await self.wait_for_title(jid)

    async def send(self, jid: str, text: str) -> None:
        """``/msg jid text``: sends (OMEMO-encrypted if that window is in OMEMO mode)
        and focuses the chat window. Waits until Profanity shows it as sent."""
        await self.command(f"/msg {jid} {text}")
        await self.wait_for_text("me: ", pattern=re.escape(text))

    async def wait_for_message(
        self, jid: str, text: str, timeout: float = WAIT_TIMEOUT
    ) -> re.Match[str]:
        """Focus the chat with ``jid`` and wait for an incoming line with ``text``.

        The match's group 1 is the marker Profanity puts before the sender: "-" for a
        plain message, "~" (the OMEMO character) for one it decrypted."""
        await self.open_chat(jid)
        return await self.wait_for_text(
            "",
            timeout,
            pattern=rf"\d\d:\d\d:\d\d ([-~!]) {re.escape(jid)}(?:/\S*)?: {re.escape(text)}",
        )

    # ---- OMEMO ---------------------------------------------------------------------

    async def generate_omemo(self, timeout: float = WAIT_TIMEOUT) -> int:
        """``/omemo gen``; returns the new device id (about 0.5 s on 2 cores)."""
        await self.command("/omemo gen")
        match = await self.wait_for_text("", timeout, pattern=_DEVICE_ID.pattern)
        return int(match.group(1))

    async def fingerprint(self, timeout: float = WAIT_TIMEOUT) -> str:
        """Own OMEMO fingerprint, as Profanity prints it (8 groups of 8 hex digits)."""
        await self.command("/omemo fingerprint")
        match = await self.wait_for_text("", timeout, pattern=_OWN_FINGERPRINT.pattern)
        return match.group(1)

    async def start_omemo(self, jid: str, timeout: float = WAIT_TIMEOUT) -> None:
        """``/omemo start jid``: opens the chat window in OMEMO mode and fetches the
        peer's device list and bundles (trust them next)."""
        await self.command(f"/omemo start {jid}")
        await self.wait_for_title(jid, "[OMEMO]", timeout)

    async def trust(self, jid: str, fingerprint: str, timeout: float = WAIT_TIMEOUT) -> None:
        """``/omemo trust jid fingerprint``, repeated until Profanity shows it trusted
        (it refuses a fingerprint whose bundle it has not fetched yet)."""
        confirmation = f"{jid}'s OMEMO fingerprint: {fingerprint} (trusted)"
        deadline = time.monotonic() + timeout
        while True:
            await self.command(f"/omemo trust {jid} {fingerprint}")
            try:
                await self.wait_for_text(confirmation, 0.5)
                return
            except AssertionError:
                if time.monotonic() >= deadline:
                    raise


def normalize_fingerprint(fingerprint: str) -> str:
    """Profanity's "xxxxxxxx-xxxxxxxx-..." as plain lowercase hex."""
    return fingerprint.replace("-", "").replace(":", "").replace(" ", "").lower()


def format_fingerprint(hex_digits: str) -> str:
    """Plain hex (e.g. an identity key without its 0x05 type byte) in Profanity's form."""
    digits = normalize_fingerprint(hex_digits)
    return "-".join(digits[i : i + 8] for i in range(0, len(digits), 8))


# ---- server-side preparation through plain slixmpp clients -----------------------------


async def make_contacts(
    server: ServerLike, first: tuple[str, str], second: tuple[str, str], timeout: float = 5.0
) -> None:
    """Make two accounts mutual contacts (subscription both), before either client of
    the test logs in. Profanity's PEP nodes have the ``presence`` access model."""
    (a_jid, a_pw), (b_jid, b_pw) = first, second
    async with online(server, a_jid, a_pw) as a, online(server, b_jid, b_pw) as b:
        # slixmpp's roster accepts and asks back on its own (auto_authorize/subscribe).
        a.send_presence(pto=b_jid, ptype="subscribe")
        deadline = time.monotonic() + timeout
        while not (
            a.client_roster[b_jid]["subscription"] == "both"
            and b.client_roster[a_jid]["subscription"] == "both"
        ):
            if time.monotonic() >= deadline:
                raise ProfanityError(f"{a_jid} and {b_jid} did not become mutual contacts")
            await asyncio.sleep(POLL_INTERVAL)


async def seed_device_list(server: ServerLike, jid: str, password: str) -> None:
    """Publish an empty OMEMO (0.3, eu.siacs.conversations.axolotl) device list with an
    open access model for ``jid``, so Profanity adds its own device to it."""
    async with online(server, jid, password, presence=False) as client:
        iq = client.make_iq_set()
        iq.append(
            ET.fromstring(
                "<pubsub xmlns='http://jabber.org/protocol/pubsub'>"
                f"<publish node='{DEVICE_LIST_NODE}'><item id='current'>"
                f"<list xmlns='{OMEMO_NS}'/></item></publish>"
                "<publish-options><x xmlns='jabber:x:data' type='submit'>"
                "<field var='FORM_TYPE' type='hidden'>"
                "<value>http://jabber.org/protocol/pubsub#publish-options</value></field>"
                "<field var='pubsub#access_model'><value>open</value></field>"
                "</x></publish-options></pubsub>"
            )
        )
        await iq.send(timeout=5)  # type: ignore[no-untyped-call]
