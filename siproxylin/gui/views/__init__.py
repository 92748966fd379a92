"""Widgets: the main window, chat view, dialogs and small parts they are made of."""
