"""Jingle audio call signalling: SDP mapping, Jingle and JMI stanzas (pure)."""
