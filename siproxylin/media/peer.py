"""A relay-only audio peer connection: aiortc with one TURN server and nothing else.

``RelayPeer`` wraps ``aiortc.RTCPeerConnection`` configured with exactly one TURN
server and ``iceTransportPolicy=relay``: no host socket is bound, no STUN server
is asked, the only candidate is the TURN relay. Every aiortc call runs under the
call's ``TurnRoute`` (``net/turn.py``), so the TURN connection goes through the
account's proxy and under its fail-closed policy. Before any local description
or candidate is handed out, the guard (``media/candidates.py``) checks it.

Signalling is the caller's: SDP text in and out (Jingle is converted elsewhere),
candidates trickled with ``add_remote_candidate``. Failures are
``CallMediaError`` with a ``CallFailure`` and a sentence for the user.
This module lives in ``media/`` because it opens no connection itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import NoReturn

from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCIceTransportPolicy,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.sdp import candidate_from_sdp

from siproxylin.domain.call_media import CallFailure, CallMediaError, TurnServer
from siproxylin.media.audio import AudioSink, AudioSource
from siproxylin.media.candidates import check_candidate, relay_candidates
from siproxylin.media.stats import CallStatistics, collect
from siproxylin.media.tracks import SourceTrack, pump
from siproxylin.net.turn import TurnAttempt, TurnRoute, turn_route

log = logging.getLogger(__name__)

LocalCandidateCallback = Callable[[str, str], None]
"""Called with ``("candidate:...", mid)`` for each checked local candidate."""

WRONG_CERTIFICATE = (
    "the encryption of the call could not be set up: the other side's certificate is not"
    " the one it announced (someone may be in between)"
)
NEVER_CONNECTED = "the peer never connected"


class RelayPeer:
    """One side of an audio call, relayed through one TURN server.

    Args:
        server: The TURN server (``core.turn_choice`` picks it).
        route: How to reach it (the account's proxy, timeouts, extra CA).
        source: The audio we send.
        sink: Where the audio we receive goes.
        ice_timeout: Seconds from offer (or accepted offer) to connected; after
            that the call fails with "the peer never connected".
        on_local_candidate: Gets each local candidate once it is checked.
    """

    def __init__(
        self,
        server: TurnServer,
        route: TurnRoute,
        source: AudioSource,
        sink: AudioSink,
        *,
        ice_timeout: float = 30.0,
        on_local_candidate: LocalCandidateCallback | None = None,
    ) -> None:
        self.server = server
        self.ice_timeout = ice_timeout
        self._attempt = TurnAttempt(route)
        self._sink = sink
        self._on_local_candidate = on_local_candidate
        self._connected = asyncio.Event()
        self._ended = asyncio.Event()
        self._failure: CallMediaError | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._watchdog: asyncio.Task[None] | None = None
        self._closing = False
        ice_server = RTCIceServer(
            urls=[server.uri], username=server.username, credential=server.password
        )
        # Never iceServers=None: aiortc would add a public STUN server.
        config = RTCConfiguration(
            iceServers=[ice_server], iceTransportPolicy=RTCIceTransportPolicy.RELAY
        )
        self._pc = RTCPeerConnection(config)
        self._track = SourceTrack(source)
        self._pc.addTrack(self._track)
        self._pc.on("track", self._on_track)
        self._pc.on("connectionstatechange", self._on_connection_state_change)

    # ---- state --------------------------------------------------------------------

    @property
    def state(self) -> str:
        """aiortc's connection state: new, connecting, connected, failed or closed."""
        return str(self._pc.connectionState)

    @property
    def failure(self) -> CallMediaError | None:
        """Why the call failed, once it has."""
        return self._failure

    @property
    def muted(self) -> bool:
        """True while silence is sent instead of the source."""
        return bool(self._track.muted)

    def set_muted(self, muted: bool) -> None:
        """Send silence (True) or the source again (False)."""
        self._track.muted = muted

    # ---- offer / answer -------------------------------------------------------------

    async def create_offer(self) -> str:
        """Gather the relay candidate and return our offer (SDP text, checked)."""
        self._start_watchdog()
        with self._route():
            await self._pc.setLocalDescription(await self._pc.createOffer())
        return await self._checked_local()

    async def accept_offer(self, sdp: str) -> str:
        """Take the other side's offer and return our answer (SDP text, checked)."""
        self._start_watchdog()
        await self._set_remote(sdp, "offer")
        with self._route():
            await self._pc.setLocalDescription(await self._pc.createAnswer())
        return await self._checked_local()

    async def set_answer(self, sdp: str) -> None:
        """Take the other side's answer to our offer; ICE starts."""
        await self._set_remote(sdp, "answer")

    async def add_remote_candidate(self, candidate: str, mid: str | None = None) -> None:
        """Add one trickled candidate of the other side (``candidate:...`` or ``a=...``)."""
        text = candidate.strip().removeprefix("a=").removeprefix("candidate:")
        try:
            parsed = candidate_from_sdp(text)
        except (AssertionError, ValueError, IndexError) as exc:
            log.info("ignored a malformed remote candidate: %s", exc)
            return
        parsed.sdpMid = mid if mid is not None else self._first_mid()
        with self._route():
            await self._pc.addIceCandidate(parsed)

    # ---- connection -----------------------------------------------------------------

    async def wait_connected(self) -> None:
        """Return once media flows.

        Raises:
            CallMediaError: The call failed or was closed before it connected.
        """
        connected = asyncio.ensure_future(self._connected.wait())
        ended = asyncio.ensure_future(self._ended.wait())
        try:
            await asyncio.wait({connected, ended}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            connected.cancel()
            ended.cancel()
        if not self._connected.is_set():
            raise self._failure or CallMediaError(CallFailure.CLOSED, "the call was closed")

    async def statistics(self) -> CallStatistics:
        """What the details panel shows (candidates, chosen pair, counters)."""
        return await collect(self._pc, self.server.uri)

    async def close(self) -> None:
        """Hang up: stop the media, delete the TURN allocation. Safe to call twice."""
        if self._closing:
            return
        self._closing = True
        current = asyncio.current_task()
        if self._watchdog is not None and self._watchdog is not current:
            self._watchdog.cancel()
        self._track.stop()
        with self._route():
            await self._pc.close()
        others = [task for task in self._tasks if task is not current]
        for task in others:
            task.cancel()
        if others:
            await asyncio.gather(*others, return_exceptions=True)
        self._ended.set()

    # ---- internals ------------------------------------------------------------------

    def _route(self) -> contextlib.AbstractContextManager[None]:
        return turn_route(self._attempt)

    async def _set_remote(self, sdp: str, kind: str) -> None:
        try:
            with self._route():
                await self._pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=kind))
        except (ValueError, AssertionError, IndexError) as exc:
            await self._fail(CallMediaError(CallFailure.BAD_DESCRIPTION, f"unusable {kind}: {exc}"))

    async def _checked_local(self) -> str:
        description = self._pc.localDescription
        sdp = str(description.sdp) if description is not None else ""
        try:
            lines = relay_candidates(sdp)
        except CallMediaError as exc:
            await self._fail(exc)
        if not lines:
            failure, reason = self._attempt.problem()
            await self._fail(CallMediaError(failure, reason))
        mid = self._first_mid()
        if self._on_local_candidate is not None:
            for line in lines:
                check_candidate(line)
                self._on_local_candidate(line.removeprefix("a="), mid)
        return sdp

    def _first_mid(self) -> str:
        for transceiver in self._pc.getTransceivers():
            if transceiver.mid is not None:
                return str(transceiver.mid)
        return "0"

    async def _fail(self, error: CallMediaError) -> NoReturn:
        """Record ``error``, close everything and raise it."""
        if self._failure is None:
            self._failure = error
        log.info("call media failed: %s", error)
        await self.close()
        raise error

    def _start_watchdog(self) -> None:
        if self._watchdog is None:
            self._watchdog = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        try:
            await asyncio.wait_for(self._connected.wait(), self.ice_timeout)
        except TimeoutError:
            if self._failure is None:
                self._failure = self._not_connected()
            log.info("no connection after %g s: closing", self.ice_timeout)
            await self.close()

    def _not_connected(self) -> CallMediaError:
        """Why media never flowed: ICE found no path, or it did and DTLS failed (the
        peer's certificate is not the one its description named)."""
        ice = self._pc.iceConnectionState
        dtls = {
            transceiver.receiver.transport.state
            for transceiver in self._pc.getTransceivers()
            if transceiver.receiver.transport is not None
        }
        if "failed" in dtls or ice in ("connected", "completed"):
            return CallMediaError(CallFailure.SECURITY, WRONG_CERTIFICATE)
        return CallMediaError(CallFailure.ICE_TIMEOUT, NEVER_CONNECTED)

    def _on_track(self, track: object) -> None:
        task = asyncio.ensure_future(pump(track, self._sink))  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_connection_state_change(self) -> None:
        state = self._pc.connectionState
        if state == "connected":
            self._connected.set()
        elif state == "failed" and self._failure is None:
            if self._connected.is_set():
                self._failure = CallMediaError(CallFailure.CLOSED, "the connection was lost")
            else:
                self._failure = self._not_connected()
            task = asyncio.ensure_future(self.close())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif state == "closed":
            self._ended.set()
