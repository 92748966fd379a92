"""The media of calls, as the core's ``CallMediaFactory``: RelayPeer + TurnRoute + audio.

``RelayMediaFactory`` builds one ``RelayCallMedia`` per call: a relay-only
``RelayPeer`` (``media/peer.py``) through exactly one TURN server, reached the
account's way (``net/turn.py``: a ``TurnRoute`` over the account's
``AccountNetwork``, so a proxied account reaches TURN over TCP/TLS through its
proxy). It speaks the core's signalling values: SDP is written and read with
``xmpp/jingle/sdp.py`` (our own SDP is refused unless every candidate is an
allowed relay one, ``check_outgoing_sdp``). Audio comes from real devices
(``CallAudio``) unless a test or benchmark passes its own source and sink.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from siproxylin.core.ports import LocalCandidate
from siproxylin.domain.call_info import CallDetails
from siproxylin.domain.call_media import CallFailure, CallMediaError, TurnScheme, TurnServer
from siproxylin.domain.calls import CallSignallingError, Candidate, SessionDescription
from siproxylin.domain.ids import AccountId
from siproxylin.media.audio import AudioSink, AudioSource
from siproxylin.net.network import AccountNetwork
from siproxylin.xmpp.jingle.sdp import check_outgoing_sdp, write_sdp
from siproxylin.xmpp.jingle.sdp_candidates import candidate_from_sdp, candidate_to_sdp

if TYPE_CHECKING:  # aiortc, PyAV and QtMultimedia load with the first call, not at start
    from siproxylin.media.call_audio import CallAudio
    from siproxylin.media.peer import RelayPeer
    from siproxylin.net.turn import TurnRoute

log = logging.getLogger(__name__)

AudioFactory = Callable[[AccountId], tuple[AudioSource, AudioSink]]
"""Gives a call's audio source and sink (tests: tones and a recorder)."""


def _codec(session: SessionDescription | None) -> str:
    if session is None or not session.contents:
        return ""
    types = session.contents[0].description.payload_types
    if not types:
        return ""
    pt = types[0]
    return f"{pt.name}/{pt.clockrate}" + (f"/{pt.channels}" if pt.channels > 1 else "")


class RelayCallMedia:
    """One call's media (implements ``core.ports.CallMedia``).

    Args:
        peer: The relay-only peer connection.
        route: How the TURN server is reached.
        audio: The devices, when real ones are used.
    """

    def __init__(self, peer: RelayPeer, route: TurnRoute, audio: CallAudio | None) -> None:
        self._peer = peer
        self._route = route
        self._audio = audio
        self._negotiated: SessionDescription | None = None

    async def create_offer(self) -> SessionDescription:
        """Our offer, relay-only."""
        return self._checked(await self._peer.create_offer(), initiator=True)

    async def accept_offer(self, offer: SessionDescription) -> SessionDescription:
        """Our answer to the peer's offer, relay-only."""
        sdp = write_sdp(offer, writer_is_initiator=True, answer=False)
        answer = self._checked(await self._peer.accept_offer(sdp), initiator=False)
        self._negotiated = answer
        return answer

    async def set_answer(self, answer: SessionDescription) -> None:
        """The peer's answer to our offer."""
        self._negotiated = answer
        await self._peer.set_answer(write_sdp(answer, writer_is_initiator=False, answer=True))

    async def add_remote_candidate(self, content: str, candidate: Candidate) -> None:
        """A candidate the peer trickled."""
        await self._peer.add_remote_candidate(candidate_to_sdp(candidate), content)

    async def wait_connected(self) -> None:
        """Until media flows."""
        await self._peer.wait_connected()

    def set_muted(self, muted: bool) -> None:
        """Send silence or the microphone."""
        self._peer.set_muted(muted)

    def set_devices(self, input_id: str | None, output_id: str | None) -> None:
        """Switch devices (real audio only)."""
        if self._audio is not None:
            self._audio.set_input(input_id)
            self._audio.set_output(output_id)

    async def details(self) -> CallDetails:
        """The TURN server, how it is reached and the chosen pair."""
        stats = await self._peer.statistics()
        server = self._peer.server
        transport = "tls" if server.scheme is TurnScheme.TURNS else server.transport.value
        if self._route.proxied:
            transport += " through the proxy"
        return CallDetails(
            turn_server=server.uri,
            turn_transport=transport,
            chosen_local=stats.selected_local,
            chosen_remote=stats.selected_remote,
            codec=_codec(self._negotiated),
        )

    async def close(self) -> None:
        """Hang up."""
        await self._peer.close()

    def _checked(self, sdp: str, *, initiator: bool) -> SessionDescription:
        try:
            return check_outgoing_sdp(sdp, writer_is_initiator=initiator)
        except CallSignallingError as exc:
            raise CallMediaError(CallFailure.REFUSED_CANDIDATE, str(exc)) from None


class RelayMediaFactory:
    """Builds call media (implements ``core.ports.CallMediaFactory``).

    Args:
        network_of: The account's network (None: direct, for tests).
        audio: Source and sink of a call; None opens the real devices.
        ca_file: An extra CA trusted for ``turns:`` servers (tests).
        allocation_timeout: Seconds for the TURN allocation (Tor is slow).
    """

    def __init__(
        self,
        network_of: Callable[[AccountId], AccountNetwork | None],
        *,
        audio: AudioFactory | None = None,
        ca_file: str = "",
        allocation_timeout: float = 30.0,
    ) -> None:
        self._installed = False
        self._network_of = network_of
        self._audio = audio
        self._ca_file = ca_file
        self._allocation_timeout = allocation_timeout
        self._input: str | None = None
        self._output: str | None = None

    def set_devices(self, input_id: str | None, output_id: str | None) -> None:
        """Devices for calls from now on."""
        self._input, self._output = input_id, output_id

    def __call__(
        self,
        account: AccountId,
        server: TurnServer,
        *,
        ice_timeout: float,
        on_local_candidate: LocalCandidate | None = None,
    ) -> RelayCallMedia:
        """The media of one call of ``account`` through ``server``."""
        from siproxylin.media.call_audio import CallAudio  # noqa: PLC0415 - heavy, first call
        from siproxylin.media.peer import RelayPeer  # noqa: PLC0415
        from siproxylin.net.turn import TurnRoute, install  # noqa: PLC0415

        if not self._installed:
            install()
            self._installed = True
        route = TurnRoute(
            self._network_of(account),
            allocation_timeout=self._allocation_timeout,
            ca_file=self._ca_file,
        )
        devices: CallAudio | None = None
        if self._audio is not None:
            source, sink = self._audio(account)
        else:
            devices = CallAudio.open(self._input, self._output)
            source, sink = devices.source, devices.sink

        def local(line: str, mid: str) -> None:
            if on_local_candidate is None:
                return
            try:
                on_local_candidate(mid, candidate_from_sdp(line))
            except CallSignallingError as exc:
                log.info("local candidate not read: %s", exc)

        peer = RelayPeer(
            server, route, source, sink, ice_timeout=ice_timeout, on_local_candidate=local
        )
        return RelayCallMedia(peer, route, devices)
