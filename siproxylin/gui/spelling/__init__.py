"""Spell checking of the composer: words, dictionaries, the highlighter, language names.

``words`` (pure) says which parts of a line are words to check, ``dictionaries``
wraps Enchant (optional: without it every language is missing), ``highlighter``
underlines what a dictionary rejects, ``languages`` names the dictionaries for
menus. Nothing here imports ``core``; the language of each conversation is chosen
in ``gui.presenters.spelling``.
"""
