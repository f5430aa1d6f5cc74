"""Make Pagefind's output byte-identical from build to build.

Pagefind 1.5 writes each filter's values in hash-map order, which changes from
run to run (Pagefind issue #638: fragments were made stable in 1.3, filter
indexes were not). Each filter file is gzip'd CBOR:
    [filter name, [[value, [page numbers]], ...]]
We sort the values, name the file by a hash of its new content, and rewrite
the two places that refer to filter files by name: the language's .pf_meta
file (whose list of filters and sorts is in hash-map order too; we sort it)
and pagefind-entry.json. Everything else Pagefind writes is already stable.

The same pass closes the gaps between the index chunks' word ranges (see
`contiguous`), which decides how many bytes a search fetches.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path

SIGNATURE = b"pagefind_dcd"


class UnexpectedIndex(Exception):
    """Pagefind's files are not shaped as this module expects (a new Pagefind version?)."""


# -- a minimal CBOR codec: the subset Pagefind writes ---------------------------

def _decode(data: bytes, pos: int):
    initial = data[pos]
    major, info = initial >> 5, initial & 0x1F
    pos += 1
    if major == 7:
        if info == 20:
            return False, pos
        if info == 21:
            return True, pos
        if info == 22:
            return None, pos
        if info == 25:
            return ("f16", data[pos:pos + 2]), pos + 2
        if info == 26:
            return struct.unpack(">f", data[pos:pos + 4])[0], pos + 4
        if info == 27:
            return struct.unpack(">d", data[pos:pos + 8])[0], pos + 8
        raise UnexpectedIndex(f"CBOR simple value {info}")
    if info < 24:
        argument = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        argument = int.from_bytes(data[pos:pos + size], "big")
        pos += size
    else:
        raise UnexpectedIndex(f"CBOR indefinite length (major {major})")
    if major == 0:
        return argument, pos
    if major == 1:
        return -1 - argument, pos
    if major == 2:
        return bytes(data[pos:pos + argument]), pos + argument
    if major == 3:
        return data[pos:pos + argument].decode("utf-8"), pos + argument
    if major == 4:
        items = []
        for _ in range(argument):
            item, pos = _decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        pairs = []
        for _ in range(argument):
            key, pos = _decode(data, pos)
            value, pos = _decode(data, pos)
            pairs.append((key, value))
        return ("map", pairs), pos
    raise UnexpectedIndex(f"CBOR major type {major}")


def _head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise UnexpectedIndex("CBOR integer too large")


def _encode(value) -> bytes:
    if value is False:
        return b"\xf4"
    if value is True:
        return b"\xf5"
    if value is None:
        return b"\xf6"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        encoded = value.encode("utf-8")
        return _head(3, len(encoded)) + encoded
    if isinstance(value, tuple) and value[0] == "f16":
        return b"\xf9" + value[1]
    if isinstance(value, tuple) and value[0] == "map":
        return _head(5, len(value[1])) + b"".join(_encode(k) + _encode(v) for k, v in value[1])
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(item) for item in value)
    raise UnexpectedIndex(f"cannot encode {type(value).__name__}")


def read(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise UnexpectedIndex(f"{path.name} has no Pagefind signature")
    value, end = _decode(data, len(SIGNATURE))
    if end != len(data):
        raise UnexpectedIndex(f"{path.name} has trailing bytes")
    if _encode(value) != data[len(SIGNATURE):]:
        raise UnexpectedIndex(f"{path.name} does not round-trip")
    return value


def write(path: Path, value) -> bytes:
    data = SIGNATURE + _encode(value)
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return data


def _replace_strings(value, renames: dict[str, str]):
    if isinstance(value, str):
        return renames.get(value, value)
    if isinstance(value, list):
        return [_replace_strings(item, renames) for item in value]
    if isinstance(value, tuple) and value and value[0] == "map":
        return ("map", [(_replace_strings(k, renames), _replace_strings(v, renames)) for k, v in value[1]])
    return value


LAST = "\U0010ffff"  # sorts after every word


def _just_below(word: str) -> str:
    """The greatest string that sorts before `word` as far as any word of an index is concerned."""
    code = ord(word[-1]) - 1
    if 0xD800 <= code <= 0xDFFF:  # not a character: the one before the surrogates
        code = 0xD7FF
    return word[:-1] + chr(code) + LAST if code >= 0 else word[:-1]


def contiguous(chunks):
    """The index chunks' word ranges, [from, to, file] in word order, made to cover every word.

    Pagefind names each chunk by the shortest prefixes that tell its first and last words from
    its neighbours' ("notec" to "of", then "off" to "ofst"), and the browser looks a query word
    up unstemmed, as typed: "ofsted" sorts after "ofst" and before the next chunk, in no range.
    When no word of a query falls in a range, Pagefind loads, for each word, the first chunk
    whose prefixes could hold it: the chunk ending at "of" for "ofsted", at "in" for
    "inspection" — the chunks of the commonest words, hundreds of kilobytes each, and not
    the ones that hold the word. So each range is stretched to just below the next chunk's
    first word (and the last to after every word): a word, found or not, is looked up in the
    one chunk where it would be, the chunk Pagefind itself would have written it into."""
    if not (isinstance(chunks, list) and all(isinstance(c, list) and len(c) == 3 and all(isinstance(x, str) for x in c)
                                             and c[0] for c in chunks)):
        raise UnexpectedIndex("the index chunks are not [from, to, file]")
    return [[first if number else "", _just_below(chunks[number + 1][0]) if number + 1 < len(chunks) else LAST, name]
            for number, (first, _, name) in enumerate(chunks)]


def stabilise(bundle: Path) -> None:
    """Rewrite the filter indexes of a Pagefind bundle folder in a fixed order."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in sorted(entry["languages"].items()):
        renames: dict[str, str] = {}
        for filter_path in sorted((bundle / "filter").glob(f"{language}_*.pf_filter")):
            value = read(filter_path)
            if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], list)):
                raise UnexpectedIndex(f"{filter_path.name} is not [name, values]")
            value[1].sort(key=lambda entry_: _encode(entry_[0]))
            for entry_ in value[1]:
                if isinstance(entry_, list) and len(entry_) == 2 and isinstance(entry_[1], list):
                    entry_[1].sort(key=lambda page: _encode(page))
            old_hash = filter_path.name[: -len(".pf_filter")]
            digits = len(old_hash) - len(language) - 1
            content = write(filter_path, value)
            new_hash = f"{language}_" + hashlib.sha256(content).hexdigest()[:digits]
            if new_hash != old_hash:
                filter_path.rename(filter_path.with_name(new_hash + ".pf_filter"))
                renames[old_hash] = new_hash
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _replace_strings(read(meta_path), renames)
        # [version, pages, index chunks, filters, sorts, ...]: filters and sorts
        # are [name, ...] pairs listed in hash-map order too
        if not (isinstance(meta, list) and len(meta) >= 5):
            raise UnexpectedIndex(f"{meta_path.name} is not shaped as expected")
        for position in (3, 4):
            meta[position].sort(key=lambda pair: _encode(pair[0]))
        meta[2] = contiguous(meta[2])
        content = write(meta_path, meta)
        digits = len(info["hash"]) - len(language) - 1
        new_meta_hash = f"{language}_" + hashlib.sha256(content).hexdigest()[:digits]
        if new_meta_hash != info["hash"]:
            meta_path.rename(bundle / f"pagefind.{new_meta_hash}.pf_meta")
            info["hash"] = new_meta_hash
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
