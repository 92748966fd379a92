"""Test-support code: real local servers (Prosody, ...), test certificates, plain
slixmpp clients. Import it as ``tests.support`` (``tests/conftest.py`` makes sure the
project root is on ``sys.path``). The application (``siproxylin/``) never imports it.
"""
