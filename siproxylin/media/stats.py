"""What the call's "details" panel shows: the chosen candidate pair, both sides'
advertised candidates, packet counters and round-trip time.

Read from aiortc (``getStats`` and the ICE transport; the chosen pair is a
private aioice field, pinned aioice 0.13.0). Nothing here opens a connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiortc import RTCPeerConnection

from siproxylin.media.audio import SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class CallStatistics:
    """A snapshot of one call's media.

    Attributes:
        state: aiortc's connection state (new, connecting, connected, failed, closed).
        turn_server: The TURN URI used (no credentials).
        local_candidates: Ours, as ``"relay 203.0.113.5:49162"``.
        remote_candidates: The other side's, as advertised.
        selected_local: Our address of the pair in use (the relay), if connected.
        selected_remote: The other side's address of that pair.
        packets_sent: RTP packets sent.
        packets_received: RTP packets received.
        packets_lost: RTP packets lost, as the receiver counts them.
        jitter: Interarrival jitter in seconds, if known.
        round_trip: RTCP round-trip time in seconds, if known.
    """

    state: str
    turn_server: str
    local_candidates: tuple[str, ...] = ()
    remote_candidates: tuple[str, ...] = ()
    selected_local: str = ""
    selected_remote: str = ""
    packets_sent: int = 0
    packets_received: int = 0
    packets_lost: int = 0
    jitter: float | None = None
    round_trip: float | None = None


def _describe(candidate: Any) -> str:
    """``"relay 127.0.0.1:49162"`` for an aiortc or an aioice candidate."""
    address = getattr(candidate, "ip", None) or candidate.host
    return f"{candidate.type} {address}:{candidate.port}"


async def collect(pc: RTCPeerConnection, turn_server: str) -> CallStatistics:
    """Read the statistics of ``pc`` now."""
    ice = _ice_transport(pc)
    local = tuple(_describe(c) for c in ice.iceGatherer.getLocalCandidates()) if ice else ()
    remote = tuple(_describe(c) for c in ice.getRemoteCandidates()) if ice else ()
    selected_local = selected_remote = ""
    nominated = getattr(getattr(ice, "_connection", None), "_nominated", {}) if ice else {}
    pair = nominated.get(1)
    if pair is not None:
        selected_local = _describe(pair.local_candidate)
        selected_remote = _describe(pair.remote_candidate)
    sent = received = lost = 0
    jitter = round_trip = None
    report = await pc.getStats() if pc.connectionState != "closed" else {}
    for stat in report.values():
        if stat.type == "outbound-rtp":
            sent += stat.packetsSent
        elif stat.type == "inbound-rtp":
            received += stat.packetsReceived
            lost += stat.packetsLost
            jitter = stat.jitter / SAMPLE_RATE  # RTP timestamp units
        elif stat.type == "remote-inbound-rtp":
            round_trip = stat.roundTripTime
    return CallStatistics(
        state=pc.connectionState,
        turn_server=turn_server,
        local_candidates=local,
        remote_candidates=remote,
        selected_local=selected_local,
        selected_remote=selected_remote,
        packets_sent=sent,
        packets_received=received,
        packets_lost=lost,
        jitter=jitter,
        round_trip=round_trip,
    )


def _ice_transport(pc: RTCPeerConnection) -> Any:
    for transceiver in pc.getTransceivers():
        dtls = transceiver.sender.transport
        if dtls is not None:
            return dtls.transport
    return None
