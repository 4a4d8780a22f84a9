"""Inspect an .xls, .xlsb or .ods before python-calamine reads it (issue 11): the reader's limits on
rows and columns (FUPIN_SHEET_MAX_ROWS, FUPIN_SHEET_MAX_COLUMNS) hold for these formats as for .xlsx,
and a file crafted to make calamine allocate without bound is refused first.

What calamine does with each, and so what is checked (calamine 0.37, read in its source):

.xls (BIFF in an OLE2 compound file)
  The OLE2 container is read whole at open: a sector chain that loops, a sector index past the
  allocation table, or a header asking for a huge table makes it loop, panic or abort. Then every
  sheet is parsed at open: a sheet's DIMENSIONS record reserves rows × columns cells (declared up
  to 2³² × 2¹⁶: an abort), and the cells are laid out densely up to the farthest one. So the
  container's chains are followed here with each sector visited once, and each sheet's records are
  walked (from where the workbook says the sheet starts, as calamine does) for a DIMENSIONS or a
  cell beyond the limits.
.xlsb (zip of binary records)
  A cell's column is a 32-bit number, and the range is dense up to the farthest cell. Each
  worksheet part's records are walked in 1 MB pieces for a row or a cell beyond the limits.
.ods (zip with content.xml)
  ``table:number-rows-repeated`` and ``table:number-columns-repeated`` repeat a cell up to
  100 million times. content.xml is parsed as a stream (no tree is built, no DOCTYPE allowed),
  counting rows with their repeats; a non-empty cell beyond the limits is refused. Empty rows
  repeated at the end (LibreOffice writes them) are not: calamine does not expand them.

The zip-level checks (inflated size, compression ratio) are the reader's and apply to every zip.
Anything structurally broken raises :class:`Damaged`; the reader says the file is damaged.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from typing import IO, Protocol
from xml.parsers import expat


class Damaged(Exception):
    """The file is not a readable workbook of its kind (or is crafted so that reading it would not end)."""


class Limits(Protocol):
    rows: int
    columns: int

    def too_far(self, reference: str) -> Exception: ...

    def too_many_rows(self, rows: int) -> Exception: ...


def _letters(column: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _check_cell(limits: Limits, row: int, column: int) -> None:
    """``row`` and ``column`` 1-based."""
    if row > limits.rows or column > limits.columns:
        raise limits.too_far(f"{_letters(column)}{row}")


# --- .xls: the OLE2 compound file ---------------------------------------------------------------

_END_OF_CHAIN = 0xFFFFFFFE
_RESERVED = 0xFFFFFFFA  # sector numbers from here on are markers, not sectors
_DIF_SECTOR = 0xFFFFFFFC
_WORKBOOK_STREAMS = ("Workbook", "Book", "WORKBOOK", "BOOK")  # the names calamine looks for, in order
#: calamine reserves 4 bytes per entry the header declares: more than this is not a real workbook.
_MAX_DECLARED_ENTRIES = 1 << 24


def _u32s(data: bytes) -> list[int]:
    return [number for (number,) in struct.iter_unpack("<I", data[:len(data) // 4 * 4])]


class _Compound:
    """An OLE2 compound file read as calamine reads it, but refusing what would make calamine loop,
    panic or allocate without bound."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise Damaged
        self.data = data
        shift = struct.unpack_from("<H", data, 30)[0]
        if shift not in (9, 12):
            raise Damaged
        self.size = 1 << shift
        self.last = len(data) // self.size  # calamine's highest sector number
        fat_sectors, directory_start = struct.unpack_from("<II", data, 44)
        mini_start, mini_sectors, difat_start = struct.unpack_from("<III", data, 60)
        # calamine reserves for the header's counts (its "difat length" is read at offset 62).
        if max(fat_sectors, struct.unpack_from("<I", data, 62)[0]) > _MAX_DECLARED_ENTRIES:
            raise Damaged
        difat = list(struct.unpack_from("<109I", data, 76))
        # The allocation table needs one sector per (sector size / 4) sectors of the file: a header or
        # DIFAT that lists more (or one twice) would have calamine (and this check) build a table far
        # larger than the file.
        per_sector = self.size // 4
        needed = self.last // per_sector + 2
        seen: set[int] = set()
        while difat_start < _RESERVED:
            if difat_start in seen or len(seen) > needed // (per_sector - 1) + 1:
                raise Damaged
            seen.add(difat_start)
            difat.extend(_u32s(self._sector(difat_start)))
            difat_start = difat.pop()
        tables = [sector for sector in difat if sector < _DIF_SECTOR]
        if len(tables) > needed or len(set(tables)) != len(tables):
            raise Damaged
        self.fat: list[int] = []
        for sector in tables:
            self.fat.extend(_u32s(self._sector(sector)))
        directory = self.chain(directory_start, self.fat, self._sector, None)
        self.entries = [directory[i:i + 128] for i in range(0, len(directory) - 127, 128)]
        if not self.entries:
            raise Damaged
        self.mini_fat: list[int] = []
        self.mini_stream = b""
        if mini_sectors:
            root_size = self._entry_size(self.entries[0])
            self.mini_stream = self.chain(struct.unpack_from("<I", self.entries[0], 116)[0], self.fat, self._sector,
                                          root_size)
            table = self.chain(mini_start, self.fat, self._sector, mini_sectors * self.size)
            self.mini_fat = _u32s(table)

    def _sector(self, number: int) -> bytes:
        if number > self.last:
            raise Damaged
        start = self.size * (number + 1)
        return self.data[start:start + self.size]

    def _mini_sector(self, number: int) -> bytes:
        start = number * 64
        if start + 64 > len(self.mini_stream):
            raise Damaged
        return self.mini_stream[start:start + 64]

    def _entry_size(self, entry: bytes) -> int:
        return struct.unpack_from("<Q" if self.size == 4096 else "<I", entry, 120)[0]

    @staticmethod
    def chain(start: int, table: list[int], sector: Callable[[int], bytes], length: int | None) -> bytes:
        """The bytes of the chain from ``start``, each sector at most once (calamine would go round a
        loop for ever, or until it has ``length`` bytes)."""
        pieces: list[bytes] = []
        got, seen = 0, set()
        while start != _END_OF_CHAIN and (length is None or got < length):
            if start in seen or start >= len(table):  # a loop, or calamine indexing past its table (a panic)
                raise Damaged
            seen.add(start)
            piece = sector(start)
            pieces.append(piece)
            got += len(piece)
            start = table[start]
        data = b"".join(pieces)
        return data if length is None else data[:length]

    def workbook(self) -> bytes:
        names = {}
        for entry in self.entries:
            length = min(struct.unpack_from("<H", entry, 64)[0], 64)
            name = entry[:length].decode("utf-16-le", errors="replace").rstrip("\x00")
            names.setdefault(name, entry)
        for name in _WORKBOOK_STREAMS:
            if name in names:
                entry = names[name]
                start, size = struct.unpack_from("<I", entry, 116)[0], self._entry_size(entry)
                if size < 4096:
                    return self.chain(start, self.mini_fat, self._mini_sector, size)
                return self.chain(start, self.fat, self._sector, size)
        raise Damaged


# --- .xls: the BIFF records ---------------------------------------------------------------------

_BOF, _EOF, _BOUNDSHEET, _DIMENSIONS, _FILEPASS = 0x0809, 0x000A, 0x0085, 0x0200, 0x002F
#: Records that start with a cell's row and column (u16 each): FORMULA, BLANK, NUMBER, LABEL, BOOLERR,
#: RK, LABELSST, RSTRING; MULRK and MULBLANK also end with their last column.
_CELLS = frozenset({0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6})
_MULTIPLE = frozenset({0x00BD, 0x00BE})


def _records(stream: bytes, position: int) -> Iterator[tuple[int, int, int]]:
    """(type, start of data, length) of each record from ``position`` to the stream's end."""
    end = len(stream)
    while position + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, position)
        if position + 4 + length > end:
            return
        yield kind, position + 4, length
        position += 4 + length


def _check_dimensions(stream: bytes, start: int, length: int, limits: Limits) -> None:
    """As calamine reads DIMENSIONS, and the rows × columns it reserves for it."""
    if length == 14:
        first_row, last_row, first_column, last_column = struct.unpack_from("<IIHH", stream, start)
    elif length == 10:
        first_row, last_row, first_column, last_column = struct.unpack_from("<HHHH", stream, start)
    else:
        return  # calamine refuses the file
    if first_column > 0xFF or last_column < first_column:
        first_column = 0
    if last_row < 1 or last_column < 1:
        return
    rows = (last_row - 1 - first_row + 1) & 0xFFFFFFFF
    columns = (last_column - 1 - first_column + 1) & 0xFFFFFFFF
    if rows > limits.rows or columns > limits.columns:
        raise limits.too_far(f"{_letters(last_column)}{last_row}")


def _check_sheet(stream: bytes, position: int, limits: Limits) -> None:
    seen_bof, depth = False, 0
    for kind, start, length in _records(stream, position):
        if depth:  # an embedded chart's records: calamine skips them
            depth += (kind == _BOF) - (kind == _EOF)
            continue
        if kind == _BOF:
            depth, seen_bof = (1, seen_bof) if seen_bof else (0, True)
        elif kind == _EOF:
            return
        elif kind == _DIMENSIONS:
            _check_dimensions(stream, start, length, limits)
        elif length >= 4 and (kind in _CELLS or kind in _MULTIPLE):
            row, column = struct.unpack_from("<HH", stream, start)
            if kind in _MULTIPLE and length >= 6:
                column = max(column, struct.unpack_from("<H", stream, start + length - 2)[0])
            _check_cell(limits, row + 1, column + 1)


def check_xls(data: bytes, limits: Limits) -> None:
    """Raise ``limits``' error for a sheet beyond the limits, :class:`Damaged` for a container or
    workbook calamine would loop, panic or abort on."""
    try:
        stream = _Compound(data).workbook()
    except struct.error as exc:
        raise Damaged from exc
    sheets: list[int] = []
    for kind, start, length in _records(stream, 0):
        if kind == _FILEPASS and length >= 2 and stream[start:start + 2] != b"\x00\x00":
            return  # encrypted: calamine asks for the password before it reads a sheet
        if kind == _BOUNDSHEET and length >= 4:
            sheets.append(struct.unpack_from("<I", stream, start)[0])
        elif kind == _EOF:
            break
    for position in sheets:
        if position > len(stream):  # calamine slices the stream there: a panic
            raise Damaged
        _check_sheet(stream, position, limits)


# --- .xlsb ----------------------------------------------------------------------------------------

_ROW_HEADER, _END_SHEET_DATA = 0x0000, 0x0092
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Cell records calamine reads a value from (BrtCellRk … BrtFmlaBool); each starts with its column (u32).
_XLSB_CELLS = frozenset(range(0x0002, 0x000B))
_XLSB_LAST_ROW = 0x0010_0000  # calamine stops reading a sheet at a row number above this


def _xlsb_header(buffer: bytes, position: int) -> tuple[int, int, int] | None:
    """(type, length, start of data) of the record at ``position``, None if its header is cut."""
    end = len(buffer)
    if position >= end:
        return None
    kind = buffer[position]
    position += 1
    if kind & 0x80:
        if position >= end:
            return None
        kind = (kind & 0x7F) + ((buffer[position] & 0x7F) << 7)
        position += 1
    length = 0
    for shift in range(0, 28, 7):
        if position >= end:
            return None
        byte = buffer[position]
        position += 1
        length += (byte & 0x7F) << shift
        if not byte & 0x80:
            break
    return kind, length, position


def check_xlsb_sheet(stream: IO[bytes], limits: Limits, chunk: int = 1 << 20) -> None:
    """Walk a worksheet part's records ``chunk`` bytes at a time; only a record's first four bytes
    are ever needed (a row's number, a cell's column), the rest is skipped without being kept."""
    buffer, position, skip = b"", 0, 0
    row = 0
    first = b"\x00" * 4  # calamine reuses one buffer: a record shorter than 4 bytes reads the last one's
    while True:
        piece = stream.read(chunk)
        if not buffer and piece.startswith(_OLE):
            return  # a macro project (vbaProject.bin) or embedded object, not a sheet
        buffer = buffer[position:] + piece
        position = min(skip, len(buffer))
        skip -= position
        while not skip:
            header = _xlsb_header(buffer, position)
            if header is None:
                break
            kind, length, start = header
            if kind == _ROW_HEADER or kind in _XLSB_CELLS:
                if start + min(length, 4) > len(buffer):
                    break  # read on
                first = buffer[start:start + min(length, 4)] + first[min(length, 4):]
                number = int.from_bytes(first, "little")
                if kind == _ROW_HEADER:
                    if number > _XLSB_LAST_ROW:
                        return
                    row = number
                else:
                    _check_cell(limits, row + 1, number + 1)
            elif kind == _END_SHEET_DATA:
                return
            position = start + length
            if position > len(buffer):
                skip, position = position - len(buffer), len(buffer)
        if not piece:
            return


# --- .ods -----------------------------------------------------------------------------------------

_TABLE, _ROW, _CELL, _COVERED = "table:table", "table:table-row", "table:table-cell", "table:covered-table-cell"


class _OdsScanner:
    """Counts one table's rows (with their repeats) and the columns up to its last non-empty cell.
    Names are matched with their usual prefixes, as calamine matches them."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.rows = self.row_elements = 0
        self.in_table = self.in_row = False
        self.cell_depth = 0  # > 0 inside a cell (its children, nested tables included, are content)
        self.repeats = self.column = self.width = 0
        self.cell_repeats, self.cell_filled = 1, False

    @staticmethod
    def _count(attributes: dict[str, str], name: str) -> int:
        try:
            count = int(attributes.get(name, "1"))
        except ValueError as exc:
            raise Damaged from exc
        if count < 0:
            raise Damaged
        return count

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if self.cell_depth:
            self.cell_depth += 1
            self.cell_filled = True  # text or anything else in a cell: count it as not empty
        elif name == _TABLE and not self.in_table:  # a table started inside one does not start a new range
            self.in_table, self.rows, self.row_elements = True, 0, 0
        elif name == _ROW and self.in_table:
            self.in_row, self.column, self.width = True, 0, 0
            self.repeats = self._count(attributes, "table:number-rows-repeated")
            self.row_elements += 1
            if self.row_elements > self.limits.rows:
                raise self.limits.too_many_rows(self.row_elements)
        elif name in (_CELL, _COVERED) and self.in_row:
            self.cell_depth = 1
            self.cell_repeats = self._count(attributes, "table:number-columns-repeated")
            self.cell_filled = "office:value-type" in attributes

    def end(self, name: str) -> None:
        if self.cell_depth:
            self.cell_depth -= 1
            if not self.cell_depth:
                self.column += self.cell_repeats
                if self.cell_filled:
                    self.width = self.column
        elif name == _ROW and self.in_row:
            self.in_row = False
            if self.width:
                _check_cell(self.limits, self.rows + self.repeats, self.width)
            self.rows += self.repeats
        elif name == _TABLE and not self.in_row:  # calamine ends the range at the first end of a table
            self.in_table = False

    def text(self, data: str) -> None:
        if self.cell_depth and not data.isspace():
            self.cell_filled = True


def _no_doctype(*_args: object) -> None:
    raise Damaged  # a DTD could declare entities; content.xml never has one


def check_ods_content(stream: IO[bytes], limits: Limits, chunk: int = 1 << 20) -> None:
    scanner = _OdsScanner(limits)
    parser = expat.ParserCreate()
    parser.StartElementHandler = scanner.start
    parser.EndElementHandler = scanner.end
    parser.CharacterDataHandler = scanner.text
    parser.StartDoctypeDeclHandler = _no_doctype
    parser.EntityDeclHandler = _no_doctype
    try:
        while piece := stream.read(chunk):
            parser.Parse(piece, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise Damaged from exc

