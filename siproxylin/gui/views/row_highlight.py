"""RowHighlight: a translucent band over one row of an item view that fades out.

Shows the user which message a search opened: the band covers the row (it
follows scrolling, resizes and row changes), stays for ``hold_ms`` and fades
over ``fade_ms``; a model reset removes it. It paints over the view's viewport
and lets every mouse event through, so the view and its delegate need not know
about it. Qt widgets only.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QObject,
    QPersistentModelIndex,
    QRectF,
    Qt,
    QTimer,
    QVariantAnimation,
)
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QAbstractItemView, QWidget

HOLD_MS = 2500
FADE_MS = 900
_FILL_ALPHA = 0.30  # of the palette's highlight colour, at full strength
_BAR_WIDTH = 3.0


class RowHighlight(QWidget):
    """Highlights one row of ``view``; call :meth:`show_row`."""

    def __init__(
        self, view: QAbstractItemView, *, hold_ms: int = HOLD_MS, fade_ms: int = FADE_MS
    ) -> None:
        super().__init__(view.viewport())
        self.setObjectName("rowHighlight")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._view = view
        self._index = QPersistentModelIndex()
        self._strength = 1.0
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.setInterval(hold_ms)
        self._hold.timeout.connect(self._on_hold_timeout)
        self._fade = QVariantAnimation(self)
        self._fade.setDuration(fade_ms)
        self._fade.setStartValue(1.0)
        self._fade.setEndValue(0.0)
        self._fade.valueChanged.connect(self._on_fade_value_changed)
        self._fade.finished.connect(self.clear)
        view.verticalScrollBar().valueChanged.connect(self._place)
        view.viewport().installEventFilter(self)
        model = view.model()
        model.modelReset.connect(self.clear)
        model.layoutChanged.connect(self._place)
        model.rowsInserted.connect(self._place)
        model.rowsRemoved.connect(self._place)
        self.hide()

    @property
    def row(self) -> int | None:
        """The highlighted row while the band shows, else None."""
        if not self.isVisible() or not self._index.isValid():
            return None
        return self._index.row()

    def show_row(self, row: int) -> None:
        """Scroll ``row`` to the middle of the view and highlight it."""
        index = self._view.model().index(row, 0)
        if not index.isValid():
            self.clear()
            return
        self._index = QPersistentModelIndex(index)
        self._view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self._fade.stop()
        self._strength = 1.0
        self._hold.start()
        self._place()
        self.show()
        self.raise_()
        self.update()

    def clear(self) -> None:
        """Remove the highlight."""
        self._hold.stop()
        self._fade.stop()
        self._index = QPersistentModelIndex()
        self.hide()

    # --- handlers ----------------------------------------------------------------

    def _on_hold_timeout(self) -> None:
        self._fade.start()

    def _on_fade_value_changed(self, value: object) -> None:
        self._strength = float(value) if isinstance(value, int | float) else 0.0
        self.update()

    def _place(self) -> None:
        if not self._index.isValid():
            self.clear()
            return
        index = self._view.model().index(self._index.row(), self._index.column())
        self.setGeometry(self._view.visualRect(index))

    # --- Qt virtuals -------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize and self._index.isValid():
            QTimer.singleShot(0, self._place)  # after the view laid its rows out again
        return False

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        colour = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        fill = QColor(colour)
        fill.setAlphaF(_FILL_ALPHA * self._strength)
        painter.fillRect(self.rect(), fill)
        colour.setAlphaF(self._strength)
        painter.setBrush(colour)
        painter.drawRect(QRectF(0.0, 0.0, _BAR_WIDTH, float(self.height())))
        painter.end()
