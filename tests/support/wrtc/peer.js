"use strict";
// A libwebrtc peer for the call interop tests (tests/support/wrtc_peer.py drives it).
//
//   node peer.js --turn turn:127.0.0.1:PORT?transport=udp --username U --credential P
//                [--tone 440] [--level 0.3] [--trickle | --no-trickle]
//
// One RTCPeerConnection (node-webrtc, @roamhq/wrtc), relay-only with exactly one TURN
// server, so libwebrtc contacts nothing but that server: no host or server-reflexive
// candidate is used, no STUN server is configured. It sends a sine tone through the
// nonstandard RTCAudioSource (10 ms frames, 48 kHz mono) and measures what arrives
// through RTCAudioSink (frames, loud frames, frequency of the loud ones).
//
// Driven with JSON lines. On stdin:
//   {"create_offer": true}               -> {"offer": sdp}
//   {"offer": sdp}                       -> {"answer": sdp}     (we answer it)
//   {"answer": sdp}                      -> {"answered": true}
//   {"candidate": "candidate:...", "mid": "0"}  (a remote candidate; "" = end of candidates)
//   {"stats": true}                      -> {"stats": {...}}
//   {"close": true}                      -> {"closed": true}, then exit
// On stdout, unasked: {"ready": {...}}, {"candidate": "candidate:...", "mid": m} (trickle),
// {"gathered": true}, {"state": connection state}, {"error": text}.
// With --no-trickle the offer/answer waits for gathering to complete and carries the
// candidates itself (no "candidate" lines are written).

const readline = require("readline");

let wrtc;
try {
  wrtc = require("@roamhq/wrtc");
} catch (error) {
  process.stdout.write(JSON.stringify({ error: `cannot load @roamhq/wrtc: ${error.message}` }) + "\n");
  process.exit(3);
}
const { RTCPeerConnection, nonstandard } = wrtc;

const SAMPLE_RATE = 48000;
const FRAME_SAMPLES = SAMPLE_RATE / 100; // 10 ms
const LOUD_RMS = 1000; // s16, as RecordingSink.loud_frames

function options(argv) {
  const out = { tone: 440, level: 0.3, trickle: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--turn") out.turn = argv[++i];
    else if (arg === "--username") out.username = argv[++i];
    else if (arg === "--credential") out.credential = argv[++i];
    else if (arg === "--tone") out.tone = Number(argv[++i]);
    else if (arg === "--level") out.level = Number(argv[++i]);
    else if (arg === "--trickle") out.trickle = true;
    else if (arg === "--no-trickle") out.trickle = false;
    else throw new Error(`unknown option ${arg}`);
  }
  if (!out.turn || !/^turns?:127\.0\.0\.1:\d+(\?transport=(udp|tcp))?$/.test(out.turn)) {
    // the tests only ever use a TURN server on loopback; refuse anything else
    throw new Error(`--turn must be turn:127.0.0.1:PORT[?transport=udp|tcp], got ${out.turn}`);
  }
  if (out.username === undefined || out.credential === undefined) {
    throw new Error("--username and --credential are required");
  }
  return out;
}

function send(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

const opts = options(process.argv.slice(2));

const pc = new RTCPeerConnection({
  iceServers: [{ urls: [opts.turn], username: opts.username, credential: opts.credential }],
  iceTransportPolicy: "relay",
  bundlePolicy: "max-bundle",
  rtcpMuxPolicy: "require",
  iceCandidatePoolSize: 0,
  sdpSemantics: "unified-plan",
});

// ---- what we send: a sine tone, paced by the clock --------------------------------------

const source = new nonstandard.RTCAudioSource();
const sender = pc.addTrack(source.createTrack());
let framesSent = 0;
let sampleIndex = 0;
let started = null;

function sendDueFrames() {
  const now = process.hrtime.bigint();
  if (started === null) started = now;
  const due = Number((now - started) / 10_000_000n) + 1;
  const amplitude = opts.level * 32767;
  const step = (2 * Math.PI * opts.tone) / SAMPLE_RATE;
  // never more than 10 frames at once (a stalled event loop must not flood the encoder)
  for (let n = 0; framesSent < due && n < 10; n++) {
    const samples = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      samples[i] = Math.round(amplitude * Math.sin(step * (sampleIndex + i)));
    }
    sampleIndex += FRAME_SAMPLES;
    source.onData({ samples, sampleRate: SAMPLE_RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME_SAMPLES });
    framesSent++;
  }
  if (framesSent < due) framesSent = due; // skipped, not queued
}
const ticker = setInterval(sendDueFrames, 10);

// ---- what we receive ---------------------------------------------------------------------

const received = { frames: 0, loud: 0, samples: 0, sampleRate: 0, channels: 0, hz: [] };
let sink = null;

function analyse(data) {
  const channels = data.channelCount || 1;
  const samples = data.samples;
  const count = Math.floor(samples.length / channels);
  let sum = 0;
  const crossings = [];
  let before = samples[0];
  for (let i = 0; i < count; i++) {
    const s = samples[i * channels];
    sum += s * s;
    if (i > 0) {
      if (before < 0 && s >= 0) crossings.push(i - 1 + -before / (s - before));
      before = s;
    }
  }
  received.frames++;
  received.samples += count;
  received.sampleRate = data.sampleRate;
  received.channels = channels;
  if (Math.sqrt(sum / Math.max(count, 1)) > LOUD_RMS) {
    received.loud++;
    if (crossings.length >= 3 && received.hz.length < 2000) {
      const period = (crossings[crossings.length - 1] - crossings[0]) / (crossings.length - 1);
      received.hz.push(data.sampleRate / period);
    }
  }
}

pc.ontrack = (event) => {
  if (event.track.kind !== "audio" || sink !== null) return;
  sink = new nonstandard.RTCAudioSink(event.track);
  sink.ondata = analyse;
};

function median(values) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// ---- ICE and signalling -------------------------------------------------------------------

const localCandidates = [];
let gathered;
const gatheredPromise = new Promise((resolve) => (gathered = resolve));

pc.onicecandidate = (event) => {
  if (!event.candidate) {
    gathered();
    send({ gathered: true });
    return;
  }
  localCandidates.push(event.candidate.candidate);
  if (opts.trickle) send({ candidate: event.candidate.candidate, mid: event.candidate.sdpMid });
};
pc.onconnectionstatechange = () => send({ state: pc.connectionState });

async function localDescription() {
  if (!opts.trickle) await gatheredPromise;
  return pc.localDescription.sdp;
}

async function stats() {
  const report = await pc.getStats();
  const all = [];
  report.forEach((entry) => all.push(entry));
  const byId = new Map(all.map((entry) => [entry.id, entry]));
  const transport = all.find((e) => e.type === "transport");
  const pair = transport && byId.get(transport.selectedCandidatePairId);
  const local = pair && byId.get(pair.localCandidateId);
  const remote = pair && byId.get(pair.remoteCandidateId);
  const inbound = all.find((e) => e.type === "inbound-rtp" && e.kind === "audio");
  const outbound = all.find((e) => e.type === "outbound-rtp" && e.kind === "audio");
  const codec = inbound && byId.get(inbound.codecId);
  return {
    connectionState: pc.connectionState,
    iceConnectionState: pc.iceConnectionState,
    localCandidates: localCandidates,
    localCandidateTypes: all.filter((e) => e.type === "local-candidate").map((e) => e.candidateType),
    selected: pair
      ? {
          local: local && `${local.candidateType} ${local.protocol} ${local.address}:${local.port} via ${local.relayProtocol || "-"}`,
          remote: remote && `${remote.candidateType} ${remote.address}:${remote.port}`,
          rtt: pair.currentRoundTripTime,
        }
      : null,
    codec: codec ? `${codec.mimeType}/${codec.clockRate}` : null,
    packetsReceived: inbound ? inbound.packetsReceived : 0,
    packetsLost: inbound ? inbound.packetsLost : 0,
    packetsSent: outbound ? outbound.packetsSent : 0,
    framesSent,
    received: {
      frames: received.frames,
      loud: received.loud,
      seconds: received.sampleRate ? received.samples / received.sampleRate : 0,
      sampleRate: received.sampleRate,
      channels: received.channels,
      hz: median(received.hz),
    },
  };
}

async function close() {
  clearInterval(ticker);
  if (sink !== null) sink.stop();
  sender.track.stop();
  pc.close();
  send({ closed: true });
  setTimeout(() => process.exit(0), 50);
}

async function handle(message) {
  if (message.create_offer) {
    await pc.setLocalDescription(await pc.createOffer());
    send({ offer: await localDescription() });
  } else if (message.offer !== undefined) {
    await pc.setRemoteDescription({ type: "offer", sdp: message.offer });
    await pc.setLocalDescription(await pc.createAnswer());
    send({ answer: await localDescription() });
  } else if (message.answer !== undefined) {
    await pc.setRemoteDescription({ type: "answer", sdp: message.answer });
    send({ answered: true });
  } else if (message.candidate !== undefined) {
    if (message.candidate) {
      await pc.addIceCandidate({ candidate: message.candidate, sdpMid: message.mid === undefined ? "0" : message.mid });
    }
  } else if (message.stats) {
    send({ stats: await stats() });
  } else if (message.close) {
    await close();
  } else {
    send({ error: `unknown message ${JSON.stringify(message).slice(0, 80)}` });
  }
}

const input = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
input.on("line", (line) => {
  if (!line.trim()) return;
  let message;
  try {
    message = JSON.parse(line);
  } catch (error) {
    send({ error: `not JSON: ${error.message}` });
    return;
  }
  // one message at a time, in order (an answer must not overtake its offer)
  queue = queue.then(() => handle(message)).catch((error) => send({ error: String(error && error.message || error) }));
});
input.on("close", () => close());

send({ ready: { node: process.version, napi: process.versions.napi, turn: opts.turn, trickle: opts.trickle } });
