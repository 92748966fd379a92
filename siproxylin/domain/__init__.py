"""Pure values shared by every layer: ids, models, events, config, errors.

Imports only the standard library, never another siproxylin package.
"""
