"""Call media: relay-only peer connections (aiortc), audio tracks, audio devices.

Owns everything aiortc and PyAV; core and domain never import it. It opens no
connection itself: aioice does, through the hook in ``net/turn.py``.
"""
