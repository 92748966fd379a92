"""Jingle and SDP as the clients we meet write them (shapes from the calls feasibility notes)."""
# ruff: noqa: E501 (SDP lines are quoted whole, as the engines write them)

from __future__ import annotations

FP256 = ":".join(f"{i * 7 % 256:02X}" for i in range(32))
FP384 = ":".join(f"{i * 5 % 256:02X}" for i in range(48))
FP512 = ":".join(f"{i * 3 % 256:02X}" for i in range(64))

# A session-initiate from Conversations (libwebrtc): many codecs, extmap, ssrc, rtcp-fb,
# BUNDLE, host/IPv6/srflx/relay/tcp/mDNS candidates.
# language=XML
CONVERSATIONS_INITIATE = f"""
<iq xmlns='jabber:client' type='set' id='cv1'
    from='romeo@montague.example/Conversations.Xu3q' to='juliet@capulet.example/sip1'>
  <jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='Hk2HAVWJdLwIv5Yz8Wm8uA'
          initiator='romeo@montague.example/Conversations.Xu3q'>
    <content creator='initiator' name='0' senders='both'>
      <description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>
        <payload-type id='111' name='opus' clockrate='48000' channels='2'>
          <parameter name='minptime' value='10'/>
          <parameter name='useinbandfec' value='1'/>
          <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='transport-cc'/>
        </payload-type>
        <payload-type id='63' name='red' clockrate='48000' channels='2'>
          <parameter value='111/111'/>
        </payload-type>
        <payload-type id='9' name='G722' clockrate='8000'/>
        <payload-type id='0' name='PCMU' clockrate='8000'/>
        <payload-type id='8' name='PCMA' clockrate='8000'/>
        <payload-type id='13' name='CN' clockrate='8000'/>
        <payload-type id='110' name='telephone-event' clockrate='48000'>
          <parameter value='0-15'/>
        </payload-type>
        <payload-type id='126' name='telephone-event' clockrate='8000'/>
        <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='nack' subtype='pli'/>
        <rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='1'
                    uri='urn:ietf:params:rtp-hdrext:ssrc-audio-level'/>
        <rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='2'
                    uri='http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time'/>
        <rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='3'
          uri='http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'/>
        <rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='4'
                    uri='urn:ietf:params:rtp-hdrext:sdes:mid'/>
        <extmap-allow-mixed xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0'/>
        <source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='2245128384'>
          <parameter name='cname' value='4p1nEqUGqRuQm5R4'/>
          <parameter name='msid' value='my-media-stream my-audio-track'/>
        </source>
        <rtcp-mux/>
      </description>
      <transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='Qj9L'
                 pwd='X4y5u2kpfAvm1fsDklrhVUMf'>
        <fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256'
                     setup='actpass'>{FP256}</fingerprint>
        <candidate component='1' foundation='1863406406' generation='0' id='a1'
                   ip='192.168.1.23' network='1' port='46015' priority='2122260223'
                   protocol='udp' type='host'/>
        <candidate component='1' foundation='2999745851' generation='0' id='a2'
                   ip='2001:db8::5' network='2' port='51543' priority='2122197247'
                   protocol='udp' type='host'/>
        <candidate component='1' foundation='842163049' generation='0' id='a3'
                   ip='198.51.100.7' network='1' port='46015' priority='1686052607'
                   protocol='udp' type='srflx' rel-addr='192.168.1.23' rel-port='46015'/>
        <candidate component='1' foundation='3109226880' generation='0' id='a4'
                   ip='203.0.113.50' network='1' port='61423' priority='41885439'
                   protocol='udp' type='relay' rel-addr='0.0.0.0' rel-port='0'/>
        <candidate component='1' foundation='4233069003' generation='0' id='a5'
                   ip='192.168.1.23' network='1' port='9' priority='1518280447'
                   protocol='tcp' type='host'/>
        <candidate component='1' foundation='2177855240' generation='0' id='a6'
                   ip='5b0dfe46-8a1f-4a8e-9a5c-6a3b1e4d8c21.local' network='1' port='46016'
                   priority='2122260223' protocol='udp' type='host'/>
      </transport>
    </content>
    <group xmlns='urn:xmpp:jingle:apps:grouping:0' semantics='BUNDLE'>
      <content name='0'/>
    </group>
  </jingle>
</iq>
"""

# A session-initiate from Dino (libnice, RFC 5245 mode): content named 'audio', numeric
# foundations, 4-character ufrag, its relay candidate with its base as rel-addr, no BUNDLE.
# language=XML
DINO_INITIATE = f"""
<iq xmlns='jabber:client' type='set' id='dn1'
    from='mercutio@verona.example/dino.7f3a' to='juliet@capulet.example/sip1'>
  <jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='e5b1b6c7-93d5-4a25'
          initiator='mercutio@verona.example/dino.7f3a'>
    <content creator='initiator' name='audio' senders='both'>
      <description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>
        <payload-type id='96' name='opus' clockrate='48000' channels='2'>
          <parameter name='useinbandfec' value='1'/>
        </payload-type>
        <payload-type id='97' name='speex' clockrate='32000'/>
        <payload-type id='98' name='speex' clockrate='16000'/>
        <payload-type id='99' name='speex' clockrate='8000'/>
        <payload-type id='0' name='PCMU' clockrate='8000'/>
        <payload-type id='8' name='PCMA' clockrate='8000'/>
        <payload-type id='100' name='telephone-event' clockrate='48000'/>
        <rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='1'
                    uri='urn:ietf:params:rtp-hdrext:ssrc-audio-level'/>
        <source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1434215622'/>
        <rtcp-mux/>
      </description>
      <transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='q0XC'
                 pwd='bkZ9Vw3fRxT0yLmNp2QsAc'>
        <fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256'
                     setup='actpass'>{FP256}</fingerprint>
        <candidate component='1' foundation='1' generation='0' id='5e6a3b'
                   ip='10.0.0.12' network='0' port='45331' priority='2013266431'
                   protocol='udp' type='host'/>
        <candidate component='1' foundation='2' generation='0' id='5e6a3c'
                   ip='198.51.100.9' network='0' port='45331' priority='1677721855'
                   protocol='udp' type='srflx' rel-addr='10.0.0.12' rel-port='45331'/>
        <candidate component='1' foundation='3' generation='0' id='5e6a3d'
                   ip='203.0.113.60' network='0' port='53122' priority='16777215'
                   protocol='udp' type='relay' rel-addr='10.0.0.12' rel-port='45331'/>
      </transport>
    </content>
  </jingle>
</iq>
"""

# Dino trickles one candidate per transport-info.
# language=XML
DINO_TRANSPORT_INFO = """
<iq xmlns='jabber:client' type='set' id='dn2'
    from='mercutio@verona.example/dino.7f3a' to='juliet@capulet.example/sip1'>
  <jingle xmlns='urn:xmpp:jingle:1' action='transport-info' sid='e5b1b6c7-93d5-4a25'
          initiator='mercutio@verona.example/dino.7f3a'>
    <content creator='initiator' name='audio'>
      <transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='q0XC'
                 pwd='bkZ9Vw3fRxT0yLmNp2QsAc'>
        <candidate component='1' foundation='4' generation='0' id='5e6a3e'
                   ip='198.51.100.10' network='0' port='40000' priority='1677721854'
                   protocol='udp' type='srflx' rel-addr='10.0.0.12' rel-port='45332'/>
      </transport>
    </content>
  </jingle>
</iq>
"""

# The offer aiortc 1.16 writes relay-only (three fingerprints, end-of-candidates, PT 96).
AIORTC_OFFER = f"""v=0\r
o=- 3912345678 3912345678 IN IP4 0.0.0.0\r
s=-\r
t=0 0\r
a=group:BUNDLE 0\r
a=msid-semantic:WMS *\r
m=audio 49162 UDP/TLS/RTP/SAVPF 96 9 0 8\r
c=IN IP4 127.0.0.1\r
a=sendrecv\r
a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r
a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r
a=mid:0\r
a=msid:5b6ad1e9-7d2c-4b71-9c52-1f0b6f1c2d3e 2f0c6a43-51d1-4a5e-8a0e-3b1e6f2a9c7d\r
a=rtcp:9 IN IP4 0.0.0.0\r
a=rtcp-mux\r
a=ssrc:3421345632 cname:9a1e1d5c-3f0a-4f55-9a66-0e4f3a2b1c0d\r
a=rtpmap:96 opus/48000/2\r
a=rtpmap:9 G722/8000\r
a=rtpmap:0 PCMU/8000\r
a=rtpmap:8 PCMA/8000\r
a=candidate:16893dfba04efb4b632c146cfc811f40 1 udp 16777215 127.0.0.1 49162 typ relay raddr 0.0.0.0 rport 9\r
a=end-of-candidates\r
a=ice-ufrag:Xt3a\r
a=ice-pwd:p4SMNZfD3hJd8Fj3h3Ohk8Ia\r
a=fingerprint:sha-256 {FP256}\r
a=fingerprint:sha-384 {FP384}\r
a=fingerprint:sha-512 {FP512}\r
a=setup:actpass\r
"""

# aiortc's answer to Conversations' offer: shared codecs only, no fmtp, setup active.
AIORTC_ANSWER = f"""v=0\r
o=- 3912345679 3912345679 IN IP4 0.0.0.0\r
s=-\r
t=0 0\r
a=group:BUNDLE 0\r
a=msid-semantic:WMS *\r
m=audio 49166 UDP/TLS/RTP/SAVPF 111 9 0 8\r
c=IN IP4 127.0.0.1\r
a=sendrecv\r
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r
a=mid:0\r
a=msid:0e1d2c3b-4a59-6877-8695-a4b3c2d1e0f9 1f2e3d4c-5b6a-7988-a7b6-c5d4e3f2a1b0\r
a=rtcp:9 IN IP4 0.0.0.0\r
a=rtcp-mux\r
a=ssrc:1208723961 cname:2c3d4e5f-6a7b-8c9d-0e1f-2a3b4c5d6e7f\r
a=rtpmap:111 opus/48000/2\r
a=rtpmap:9 G722/8000\r
a=rtpmap:0 PCMU/8000\r
a=rtpmap:8 PCMA/8000\r
a=candidate:0d5bbd3ac5b0e2ffb64fba3bd87ef1b6 1 udp 16777215 127.0.0.1 49166 typ relay raddr 0.0.0.0 rport 9\r
a=end-of-candidates\r
a=ice-ufrag:Pz7c\r
a=ice-pwd:Vg0cF7b3XqN2mL8kR5tW1yZa\r
a=fingerprint:sha-256 {FP256}\r
a=fingerprint:sha-384 {FP384}\r
a=fingerprint:sha-512 {FP512}\r
a=setup:active\r
"""

# libwebrtc (M128) relay-only offer: session-level extmap-allow-mixed, ssrc lines with msid,
# rtcp-fb, fmtp, raddr 0.0.0.0 rport 0 on its relay candidate, extra candidate fields.
LIBWEBRTC_OFFER = f"""v=0
o=- 4611731400430051336 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0
a=extmap-allow-mixed
a=msid-semantic: WMS stream
m=audio 61423 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
c=IN IP4 203.0.113.50
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:3109226880 1 udp 41885439 203.0.113.50 61423 typ relay raddr 0.0.0.0 rport 0 generation 0 network-id 1 network-cost 10
a=ice-ufrag:Qj9L
a=ice-pwd:X4y5u2kpfAvm1fsDklrhVUMf
a=ice-options:trickle
a=fingerprint:sha-256 {FP256}
a=setup:actpass
a=mid:0
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=sendrecv
a=msid:stream track
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:63 red/48000/2
a=fmtp:63 111/111
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:13 CN/8000
a=rtpmap:110 telephone-event/48000
a=rtpmap:126 telephone-event/8000
a=ssrc:2245128384 cname:4p1nEqUGqRuQm5R4
a=ssrc:2245128384 msid:stream track
"""
