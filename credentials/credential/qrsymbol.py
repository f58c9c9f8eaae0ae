"""QR Code symbols of version 11 for our two-segment payload, built fast from a precomputed layout.

Pure Python, no dependency. ISO/IEC 18004 model 2, version 11 (61 × 61 modules): the function
patterns, the placement order of data bits and the eight mask patterns are computed once; a symbol
is then the data bits (a byte segment for the URL, a numeric segment for the digits), Reed–Solomon
error correction per block, interleaving, and a few big-integer operations. About ten times faster
than a general encoder, which matters when an institution prints thousands of certificates.

Mask choice: all four ISO/IEC 18004 penalty rules (7.8.3), scored for each of the eight masks on
the symbol before its format and version information are written (7.8): N1 runs of five or more
modules of one colour in a row or column, N2 2 × 2 blocks of one colour, N3 the finder-like
1:1:3:1:1 pattern beside four light modules, N4 the dark-module balance; the lowest score wins (the
first on a tie). The symbol is scored as two integers of one bit per module, by rows and by columns,
each rule a few shifts, ANDs and bit counts (N3 follows segno's search order only where two
patterns overlap). The tests compare the choice with segno's and our modules with segno's for the
same error level and mask, and read thousands of symbols back with zxing-cpp; ``bench/qr_bench.py``
measures it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

VERSION = 11
SIZE = 17 + 4 * VERSION  # 61
_ALIGNMENT = (6, 30, 54)
# error level -> (format bits, [(blocks, data codewords per block)], EC codewords per block)
_LEVELS = {
    "L": (0b01, ((4, 81),), 20),
    "M": (0b00, ((1, 50), (4, 51)), 30),
    "Q": (0b11, ((4, 22), (4, 23)), 28),
    "H": (0b10, ((3, 12), (8, 13)), 24),
}
_BOOST_ORDER = ("H", "Q", "M", "L")
_MODE_BYTE = 0b0100
_MODE_NUMERIC = 0b0001
_COUNT_BITS_BYTE = 16  # versions 10-26
_COUNT_BITS_NUMERIC = 12

# --- GF(256) with the QR polynomial 0x11D ------------------------------------------------------------
_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


def _mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


@cache
def _generator(degree: int) -> tuple[int, ...]:
    """Coefficients of prod (x - a^i), i < degree, highest power first (leading 1 dropped)."""
    poly = [1]
    for i in range(degree):
        nxt = [0] * (len(poly) + 1)
        for j, c in enumerate(poly):
            nxt[j] ^= c
            nxt[j + 1] ^= _mul(c, _EXP[i])
        poly = nxt
    return tuple(poly[1:])


@cache
def _times_table(degree: int) -> tuple[int, ...]:
    """For each byte value c: the generator's coefficients times c, packed into one integer."""
    gen = _generator(degree)
    return tuple(int.from_bytes(bytes(_mul(c, g) for g in gen), "big") for c in range(256))


def _ec(data: bytes, degree: int) -> bytes:
    """Reed–Solomon remainder of ``data`` (polynomial division with packed rows)."""
    table = _times_table(degree)
    top = 8 * (degree - 1)
    full = (1 << (8 * degree)) - 1
    rem = 0
    for byte in data:
        lead = (rem >> top) ^ byte
        rem = ((rem << 8) & full) ^ table[lead]
    return rem.to_bytes(degree, "big")


# --- the fixed layout -------------------------------------------------------------------------------


def _bch(value: int, poly: int, bits: int) -> int:
    v = value << (poly.bit_length() - 1)
    while v.bit_length() >= poly.bit_length():
        v ^= poly << (v.bit_length() - poly.bit_length())
    return (value << (poly.bit_length() - 1)) | v


@dataclass(frozen=True, slots=True)
class _Layout:
    function: bytes  # 1 where the module belongs to a function pattern or format/version area
    base: bytes  # the dark function modules (format info not yet written)
    order: tuple[int, ...]  # module index of each data bit, in placement order
    format_cells: tuple[tuple[int, ...], tuple[int, ...]]  # two copies, 15 cells each


@cache
def _layout() -> _Layout:
    n = SIZE
    func = bytearray(n * n)
    dark = bytearray(n * n)

    def put(r: int, c: int, value: int) -> None:
        func[r * n + c] = 1
        dark[r * n + c] = value

    for r0, c0 in ((0, 0), (0, n - 7), (n - 7, 0)):
        for r in range(-1, 8):
            for c in range(-1, 8):
                rr, cc = r0 + r, c0 + c
                if 0 <= rr < n and 0 <= cc < n:
                    inside = 0 <= r <= 6 and 0 <= c <= 6
                    ring = inside and (r in (0, 6) or c in (0, 6) or (2 <= r <= 4 and 2 <= c <= 4))
                    put(rr, cc, 1 if ring else 0)
    for i in range(8, n - 8):
        put(6, i, 1 - i % 2)
        put(i, 6, 1 - i % 2)
    for r in _ALIGNMENT:
        for c in _ALIGNMENT:
            if (r, c) in ((6, 6), (6, n - 7), (n - 7, 6)):
                continue  # these would overlap a finder pattern
            for dr in range(-2, 3):
                for dc in range(-2, 3):
                    put(r + dr, c + dc, 1 if max(abs(dr), abs(dc)) != 1 else 0)
    # version information (18 bits, versions 7+): bottom-left and top-right 6 × 3 blocks
    version_bits = _bch(VERSION, 0x1F25, 18)
    for i in range(18):
        bit = (version_bits >> i) & 1
        a, b = i // 3, n - 11 + i % 3
        put(b, a, bit)
        put(a, b, bit)
    # format information areas (written per error level and mask) and the dark module
    # bit i of the 15 format bits goes to first[i] and second[i] (ISO/IEC 18004 §7.9.1)
    first = (
        [(r, 8) for r in range(6)] + [(7, 8), (8, 8), (8, 7)] + [(8, c) for c in range(5, -1, -1)]
    )
    second = [(8, n - 1 - i) for i in range(8)] + [(n - 15 + i, 8) for i in range(8, 15)]
    for r, c in first + second:
        put(r, c, 0)
    put(n - 8, 8, 1)
    order = []
    upward = True
    col = n - 1
    while col > 0:
        if col == 6:
            col -= 1
        rows = range(n - 1, -1, -1) if upward else range(n)
        for r in rows:
            for c in (col, col - 1):
                if not func[r * n + c]:
                    order.append(r * n + c)
        upward = not upward
        col -= 2
    return _Layout(
        bytes(func),
        bytes(dark),
        tuple(order),
        (tuple(r * n + c for r, c in first), tuple(r * n + c for r, c in second)),
    )


_MASKS = (
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
)


_CELLS = SIZE * SIZE
_FULL = (1 << _CELLS) - 1
_TO_ASCII = bytes.maketrans(b"\x00\x01", b"01")
_FROM_ASCII = bytes.maketrans(b"01", b"\x00\x01")


def _pack(modules: bytes) -> int:
    """Modules (0/1 bytes, row after row) as one bit each, the first module most significant:
    ``x >> 1`` puts each module's left neighbour under it, ``x >> SIZE`` the one above."""
    return int(modules.translate(_TO_ASCII), 2)


def _unpack(bits: int) -> bytes:
    return format(bits, f"0{_CELLS}b").encode("ascii").translate(_FROM_ASCII)


def _transpose(modules: bytes) -> bytes:
    """Columns after columns: the symbol's columns read as rows."""
    return b"".join(modules[c::SIZE] for c in range(SIZE))


def _where(test: Callable[[int, int], bool]) -> int:
    """The modules (row, column) for which ``test`` holds, packed."""
    return _pack(bytes(test(i // SIZE, i % SIZE) for i in range(_CELLS)))


@cache
def _mask_bits(mask: int) -> tuple[int, int]:
    """The mask pattern over data modules, packed by rows and by columns."""
    layout = _layout()
    lanes = bytes(
        not layout.function[i] and _MASKS[mask](i // SIZE, i % SIZE) for i in range(_CELLS)
    )
    return _pack(lanes), _pack(_transpose(lanes))


@cache
def _format_bits(level: str, mask: int) -> int:
    """Base modules plus both copies of the format information for (level, mask), packed."""
    layout = _layout()
    bits = _bch((_LEVELS[level][0] << 3) | mask, 0x537, 15) ^ 0x5412
    lanes = bytearray(layout.base)
    for copy in layout.format_cells:
        for i, cell in enumerate(copy):
            lanes[cell] = (bits >> i) & 1
    return _pack(bytes(lanes))


@cache
def _placement() -> tuple[slice, ...]:
    """Where each module's data bit is, column after column, as slices of the data bits followed
    by one placeholder per module (read for function modules and the remainder cells): the
    placement order runs up and down two-column strips, so a column is a few slices of it."""
    layout = _layout()
    spare = len(layout.order)
    at = [spare + i for i in range(_CELLS)]
    for k, cell in enumerate(layout.order):
        at[cell] = k
    wanted = [at[r * SIZE + c] for c in range(SIZE) for r in range(SIZE)]
    slices: list[slice] = []
    i = 0
    while i < len(wanted):
        j, step = i, wanted[i + 1] - wanted[i] if i + 1 < len(wanted) else 1
        while step and j + 1 < len(wanted) and wanted[j + 1] - wanted[j] == step:
            j += 1
        step = step or 1
        stop: int | None = wanted[j] + (1 if step > 0 else -1)
        slices.append(slice(wanted[i], None if stop == -1 else stop, step))
        i = j + 1
    return tuple(slices)


@cache
def _interleaving(level: str) -> tuple[int, ...]:
    """The order of the codewords in the symbol (ISO/IEC 18004 §7.6): the data blocks' first
    codewords, their second, …, then the error-correction blocks' likewise; as indexes into the
    blocks' data followed by the blocks' error correction, block after block."""
    _, spec, ec_size = _LEVELS[level]
    sizes = [size for count, size in spec for _ in range(count)]
    starts = [sum(sizes[:b]) for b in range(len(sizes))]
    order = [starts[b] + i for i in range(max(sizes)) for b in range(len(sizes)) if i < sizes[b]]
    data = sum(sizes)
    order += [data + b * ec_size + i for i in range(ec_size) for b in range(len(sizes))]
    return tuple(order)


_NUMERIC = {f"{v:03d}": f"{v:010b}" for v in range(1000)} | {
    f"{v:02d}": f"{v:07b}" for v in range(100)} | {str(v): f"{v:04b}" for v in range(10)}  # fmt: skip


# --- encoding -------------------------------------------------------------------------------------


def _data_bits(prefix: bytes, digits: str) -> tuple[int, int]:
    """The segments as one integer and its bit length (before terminator and padding)."""
    value, length = _MODE_BYTE, 4
    value = (value << _COUNT_BITS_BYTE) | len(prefix)
    value = (value << (8 * len(prefix))) | int.from_bytes(prefix, "big")
    length += _COUNT_BITS_BYTE + 8 * len(prefix)
    value = (value << 4) | _MODE_NUMERIC
    value = (value << _COUNT_BITS_NUMERIC) | len(digits)
    length += 4 + _COUNT_BITS_NUMERIC
    groups = "".join(
        map(_NUMERIC.__getitem__, [digits[i : i + 3] for i in range(0, len(digits), 3)])
    )
    value = (value << len(groups)) | int(groups or "0", 2)
    length += len(groups)
    return value, length


def _capacity(level: str) -> int:
    return sum(count * size for count, size in _LEVELS[level][1])


def fits(prefix: bytes, digits: str, *, level: str = "M") -> bool:
    """Whether the two segments fit version 11 at ``level``."""
    return (_data_bits(prefix, digits)[1] + 7) // 8 <= _capacity(level)


@dataclass(frozen=True, slots=True)
class Symbol:
    """A QR symbol: ``rows`` of 0/1 modules (1 = dark), its error level and mask."""

    modules: bytes  # SIZE * SIZE, row after row
    level: str
    mask: int

    @property
    def matrix(self) -> list[bytes]:
        """Row after row, 1 for a dark module."""
        return [self.modules[r * SIZE : (r + 1) * SIZE] for r in range(SIZE)]

    @property
    def designator(self) -> str:
        """e.g. ``11-M``."""
        return f"{VERSION}-{self.level}"


def encode(
    prefix: bytes, digits: str, *, level: str | None = None, mask: int | None = None
) -> Symbol:
    """The symbol for a byte segment and a numeric segment; the highest error level that fits
    (at least M) unless ``level`` is given, and the cheapest-penalty mask unless ``mask`` is."""
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError("the numeric segment holds decimal digits only")
    value, length = _data_bits(prefix, digits)
    levels = (level,) if level else tuple(lv for lv in _BOOST_ORDER if lv != "L")
    chosen = next((lv for lv in levels if (length + 7) // 8 <= _capacity(lv)), None)
    if chosen is None:
        raise ValueError(f"{(length + 7) // 8} data codewords do not fit version {VERSION}")
    capacity = _capacity(chosen)
    term = min(4, capacity * 8 - length)
    value <<= term
    length += term
    pad = -length % 8
    value <<= pad
    length += pad
    data = bytearray(value.to_bytes(length // 8, "big"))
    fill = (0xEC, 0x11)
    i = 0
    while len(data) < capacity:
        data.append(fill[i % 2])
        i += 1
    _, blocks_spec, ec_size = _LEVELS[chosen]
    ecs = []
    offset = 0
    for count, size in blocks_spec:
        for _ in range(count):
            ecs.append(_ec(bytes(data[offset : offset + size]), ec_size))
            offset += size
    stream = bytes(map((data + b"".join(ecs)).__getitem__, _interleaving(chosen)))
    bits = format(int.from_bytes(stream, "big"), f"0{8 * len(stream)}b").encode("ascii")
    source = bits.ljust(len(_layout().order) + _CELLS, b"0")
    by_columns = b"".join(map(source.__getitem__, _placement()))  # ASCII 0/1 per module
    placed = _transpose(by_columns)
    packed = int(placed, 2)
    if mask is None:
        columns = int(by_columns, 2)
        base_rows, base_columns = _evaluated_base()
        scores = []
        for m in range(8):
            by_rows, by_cols = _mask_bits(m)
            scores.append(_penalty(packed ^ by_rows | base_rows, columns ^ by_cols | base_columns))
        mask = scores.index(min(scores))  # the first on a tie
    return Symbol(_unpack(packed ^ _mask_bits(mask)[0] | _format_bits(chosen, mask)), chosen, mask)


def penalty(modules: bytes) -> int:
    """The ISO 18004 penalty of a complete symbol (``modules``: 0/1 bytes, row after row)."""
    return _penalty(_pack(modules), _pack(_transpose(modules)))


def _penalty(rows: int, columns: int) -> int:
    """The ISO 18004 penalty of a symbol (rules N1 to N4, scored as segno scores them), given
    packed (``_pack``) by rows and by columns."""
    n = SIZE
    has_left, has_above, has_both = _edge_masks()
    light = rows ^ _FULL
    # N2: 3 for each 2 x 2 block of one colour (anchored at its lower right module)
    blocks = 0
    for x in (rows, light):
        blocks += (x & (x >> 1) & (x >> n) & (x >> (n + 1)) & has_both).bit_count()
    # N1: a run of L >= 5 modules of one colour scores L - 2. With E the modules equal to the one
    # before them (L - 1 per run), that is the windows of four E (L - 4 per run) plus 2 for each
    # run (its first window: the module before it is not E).
    runs = 0
    for step, edge in ((1, has_left), (n, has_above)):
        same = ~(rows ^ (rows >> step)) & edge
        four = same & (same >> step) & (same >> (2 * step)) & (same >> (3 * step))
        runs += four.bit_count() + 2 * (four & ~(same >> (4 * step))).bit_count()
    # N3: 40 for each finder-like pattern, in rows and in columns
    finders = _finder_like(rows) + _finder_like(columns)
    # N4: 10 for each full 5 % away from half dark
    balance = abs(rows.bit_count() * 100 - 50 * n * n) // (5 * n * n)
    return runs + 3 * blocks + 40 * finders + 10 * balance


@cache
def _evaluated_base() -> tuple[int, int]:
    """The function patterns as the masks are scored, packed by rows and by columns: ISO/IEC
    18004 §7.8 scores a mask before the format and version information are written, so their
    areas count as light here."""
    n = SIZE
    base = bytearray(_layout().base)
    for i in range(18):
        a, b = i // 3, n - 11 + i % 3
        base[b * n + a] = base[a * n + b] = 0
    return _pack(bytes(base)), _pack(_transpose(bytes(base)))


@cache
def _edge_masks() -> tuple[int, int, int]:
    """The modules with a left neighbour, with one above, with both."""
    return (_where(lambda r, c: c > 0), _where(lambda r, c: r > 0),
            _where(lambda r, c: r > 0 and c > 0))  # fmt: skip


@cache
def _finder_masks() -> tuple[int, tuple[int, ...], tuple[int, ...]]:
    """Where a finder-like pattern may start (it ends in the same line); for k = 1 to 4, the
    starts with fewer than k modules before them in the line; for k = 7 to 10, those with fewer
    than k - 6 modules after the pattern (beyond the line's edge counts as light)."""
    n = SIZE
    starts = _where(_in_columns(range(n - 6)))
    before = tuple(_where(_in_columns(range(k))) for k in range(1, 5))
    after = tuple(_where(_in_columns(range(n - k, n))) for k in range(7, 11))
    return starts, before, after


def _in_columns(columns: range) -> Callable[[int, int], bool]:
    """The test "the module's column is in ``columns``", for ``_where``."""
    return lambda r, c: c in columns


def _finder_like(x: int) -> int:
    """N3 over the packed lines of ``x``: how many 1:1:3:1:1 patterns (dark, light, 3 dark,
    light, dark) have four light modules (or the edge of the line) on one side. segno searches
    each line left to right and, after a pattern that counts, goes on past it (7 modules), else
    4 modules on: patterns overlap only 4 or 6 apart, so only such neighbours are searched in
    order; every other pattern counts when its side is light."""
    starts, early, late = _finder_masks()
    light = x ^ _FULL
    found = x & (light << 1) & (x << 2) & (x << 3) & (x << 4) & (light << 5) & (x << 6) & starts
    if not found:
        return 0
    b1, b2, b3, b4 = early
    a7, a8, a9, a10 = late
    before = ((light >> 1) | b1) & ((light >> 2) | b2) & ((light >> 3) | b3) & ((light >> 4) | b4)
    after = ((light << 7) | a7) & ((light << 8) | a8) & ((light << 9) | a9) & ((light << 10) | a10)
    counts = found & (before | after)
    near = (found << 4) | (found >> 4) | (found << 6) | (found >> 6)
    alone = found & ~near
    total = (alone & counts).bit_count()
    chained = found & near
    resume = -1  # segno's search position, as a module index
    while chained:
        top = chained.bit_length() - 1
        chained ^= 1 << top
        at = _CELLS - 1 - top
        if at < resume:
            continue
        if counts >> top & 1:
            total += 1
            resume = at + 7
        else:
            resume = at + 4
    return total
