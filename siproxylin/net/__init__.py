"""Network plumbing owned per account: streams through the account's proxy.

The only package that imports python-socks / aiohttp(-socks). Imports ``domain``.
"""
