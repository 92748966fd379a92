"""SearchDialog: Edit > Find…: a query field and the hits across every account.

Typing goes to ``SearchPresenter`` (which waits for a pause before searching);
each hit shows the peer, the account, the time and a one-line snippet with the
matched words in bold. Enter or a double-click on a hit (Enter in the query
field takes the selected, else the first hit) emits ``open_requested`` and
closes the dialog; the window opens the conversation at that message. The
dialog is not modal and keeps its query and hits when shown again. Qt widgets,
``gui.presenters`` and ``gui.labels``.
"""

from __future__ import annotations

import time
from math import ceil

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QPainter,
    QPalette,
    QShowEvent,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from siproxylin.core.ports import SearchHit
from siproxylin.gui import labels
from siproxylin.gui.models.search_results import SearchRole
from siproxylin.gui.presenters.search import SearchPresenter

Index = QModelIndex | QPersistentModelIndex

PLACEHOLDER = "Search messages in every account"
_PAD_X = 10.0
_PAD_Y = 6.0
_GAP = 2.0  # between the header line and the snippet line


def utf16_offsets(text: str, matches: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """``(start, length)`` in UTF-16 code units (what Qt counts) of code point ranges."""
    if text.isascii() or not matches:
        return [(start, end - start) for start, end in matches]
    units = [0]
    for char in text:
        units.append(units[-1] + (2 if ord(char) > 0xFFFF else 1))
    return [(units[start], units[end] - units[start]) for start, end in matches]


class SearchHitDelegate(QStyledItemDelegate):
    """Two lines per hit: peer · account and the time; the snippet, matches in bold."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        line = QFontMetricsF(option.font).height()
        small = QFontMetricsF(_small_font(option.font)).height()
        return QSize(200, ceil(2 * _PAD_Y + small + _GAP + line))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        hit: SearchHit | None = index.data(SearchRole.HIT)
        if hit is None:
            return
        view_option = QStyleOptionViewItem(option)
        self.initStyleOption(view_option, index)
        view_option.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(
            QStyle.PrimitiveElement.PE_PanelItemViewItem, view_option, painter, widget
        )
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = option.palette
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text_colour = palette.color(role)
        dim = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        rect = QRectF(option.rect).adjusted(_PAD_X, _PAD_Y, -_PAD_X, -_PAD_Y)
        font: QFont = option.font
        painter.save()
        painter.setClipRect(option.rect)
        header_bottom = self._paint_header(painter, index, hit, rect, font, text_colour, dim)
        self._paint_snippet(painter, hit, rect, header_bottom + _GAP, font, text_colour)
        painter.restore()

    # --- internals ---------------------------------------------------------------

    def _paint_header(
        self,
        painter: QPainter,
        index: Index,
        hit: SearchHit,
        rect: QRectF,
        font: QFont,
        text_colour: QColor,
        dim: QColor,
    ) -> float:
        small = _small_font(font)
        metrics = QFontMetricsF(small)
        baseline = rect.top() + metrics.ascent()
        stamp = labels.message_time(hit.message.timestamp, time.time())
        stamp_width = metrics.horizontalAdvance(stamp)
        painter.setFont(small)
        painter.setPen(dim)
        painter.drawText(QPointF(rect.right() - stamp_width, baseline), stamp)
        room = rect.width() - stamp_width - _PAD_X
        bold = QFont(small)
        bold.setBold(True)
        bold_metrics = QFontMetricsF(bold)
        peer = bold_metrics.elidedText(
            str(index.data(SearchRole.PEER)), Qt.TextElideMode.ElideRight, room * 0.6
        )
        painter.setFont(bold)
        painter.setPen(text_colour)
        painter.drawText(QPointF(rect.left(), baseline), peer)
        left = rect.left() + bold_metrics.horizontalAdvance(peer)
        account = metrics.elidedText(
            f"  ·  {index.data(SearchRole.ACCOUNT)}",
            Qt.TextElideMode.ElideRight,
            max(0.0, rect.left() + room - left),
        )
        painter.setFont(small)
        painter.setPen(dim)
        painter.drawText(QPointF(left, baseline), account)
        return rect.top() + metrics.height()

    def _paint_snippet(
        self,
        painter: QPainter,
        hit: SearchHit,
        rect: QRectF,
        top: float,
        font: QFont,
        text_colour: QColor,
    ) -> None:
        layout = QTextLayout(hit.snippet, font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.NoWrap)
        layout.setTextOption(option)
        bold = QTextCharFormat()
        bold.setFontWeight(QFont.Weight.Bold)
        ranges = []
        for start, length in utf16_offsets(hit.snippet, hit.matches):
            span = QTextLayout.FormatRange()
            span.start, span.length, span.format = start, length, bold
            ranges.append(span)
        layout.setFormats(ranges)
        layout.beginLayout()
        line = layout.createLine()
        line.setLineWidth(1e6)
        line.setPosition(QPointF(0.0, 0.0))
        layout.endLayout()
        painter.setPen(text_colour)
        if line.naturalTextWidth() <= rect.width():
            layout.draw(painter, QPointF(rect.left(), top))
            return
        # Too long: clip before an ellipsis drawn at the right edge.
        ellipsis = "…"
        room = rect.width() - QFontMetricsF(font).horizontalAdvance(ellipsis)
        painter.save()
        painter.setClipRect(QRectF(rect.left(), top, room, line.height()))
        layout.draw(painter, QPointF(rect.left(), top))
        painter.restore()
        painter.setFont(font)
        painter.drawText(QPointF(rect.left() + room, top + line.ascent()), ellipsis)


def _small_font(font: QFont) -> QFont:
    small = QFont(font)
    size = font.pointSizeF()
    if size > 0:
        small.setPointSizeF(size * 0.88)
    return small


class SearchDialog(QDialog):
    """Find messages in every account; opening a hit is the window's job."""

    open_requested = Signal(object)  # SearchHit: show its conversation at the message

    def __init__(self, presenter: SearchPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self.setWindowTitle("Find Messages")
        self.setModal(False)
        self.resize(640, 480)
        column = QVBoxLayout(self)
        self.query_edit = QLineEdit(self)
        self.query_edit.setObjectName("searchQuery")
        self.query_edit.setPlaceholderText(PLACEHOLDER)
        self.query_edit.setClearButtonEnabled(True)
        self.query_edit.installEventFilter(self)
        column.addWidget(self.query_edit)
        self.results = QListView(self)
        self.results.setObjectName("searchResults")
        self.results.setModel(presenter.model)
        self.results.setItemDelegate(SearchHitDelegate(self.results))
        self.results.setUniformItemSizes(True)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setAlternatingRowColors(True)
        column.addWidget(self.results, 1)
        self.status_label = QLabel(self)
        self.status_label.setStyleSheet("color: palette(placeholder-text);")
        column.addWidget(self.status_label)
        self.query_edit.textChanged.connect(presenter.set_query)
        self.query_edit.returnPressed.connect(self._on_return_pressed)
        self.results.activated.connect(self._on_result_activated)
        presenter.results_changed.connect(self._on_results_changed)
        presenter.pending_changed.connect(self._update_status)
        self.query_edit.setText(presenter.text)
        self._update_status()

    def open_row(self, row: int) -> None:
        """Ask for the hit in ``row`` to be opened, and close."""
        if not 0 <= row < self.presenter.model.rowCount():
            return
        hit = self.presenter.model.hit(row)
        self.open_requested.emit(hit)
        self.close()

    # --- handlers ----------------------------------------------------------------

    def _on_return_pressed(self) -> None:
        self.presenter.run()  # do not wait for the pause
        current = self.results.currentIndex()
        self.open_row(current.row() if current.isValid() else 0)

    def _on_result_activated(self, index: QModelIndex) -> None:
        self.open_row(index.row())

    def _on_results_changed(self) -> None:
        if self.presenter.model.rowCount():
            self.results.setCurrentIndex(self.presenter.model.index(0, 0))
        self._update_status()

    def _update_status(self) -> None:
        presenter = self.presenter
        count = presenter.model.rowCount()
        if presenter.error:
            text = f"Search failed: {presenter.error}"
        elif not presenter.text.strip():
            text = "Type to search every conversation of every account."
        elif presenter.pending:
            text = "Searching…"
        elif not count:
            text = "No messages found."
        elif count >= presenter.limit:
            text = f"The newest {count} messages found. Type more words to narrow the search."
        else:
            text = (
                f"{count} message{'s' if count != 1 else ''} found. Enter opens the selected one."
            )
        self.status_label.setText(text)

    # --- Qt virtuals -------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            watched is self.query_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key()
            in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp)
        ):
            # The arrows move through the hits while the cursor stays in the query.
            QApplication.sendEvent(self.results, event)
            return True
        return False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.query_edit.setFocus()
        self.query_edit.selectAll()
