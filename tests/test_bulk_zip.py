"""The bulk download is assembled from the previous build's compressed members where a file is the
same: the bytes must be those of a zip made from scratch, as zipfile writes it."""
from __future__ import annotations

import io
import zipfile

from site_gen import opendata


def reference_zip(files: dict[str, bytes]) -> bytes:
    """The zip as ZipFile.writestr makes it (what the build wrote before it reused members)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=opendata.ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return buffer.getvalue()


def zipped(files: dict[str, bytes], previous: bytes | None = None, same=None, read=None) -> bytes:
    """The zip the build makes of `files` (each opened as a file), from a `previous` zip's bytes."""
    into = io.BytesIO()
    opendata.bulk_zip(list(files), lambda name: io.BytesIO(read(name) if read else files[name]),
                      None if previous is None else io.BytesIO(previous), same or (lambda name: False), into)
    return into.getvalue()


FILES = {f"meetings/2020/2020-0{n}-01-cabinet/meeting.json": (f'{{"n": {n}}}\n' * (50 * n)).encode()
         for n in range(1, 6)}
FILES["data/meetings.json"] = b'{"meetings": []}\n'
FILES["indicators/pi-1.csv"] = "code,title\r\nPI.1,Délai\r\n".encode("utf-8-sig")


def test_a_zip_made_from_scratch_is_the_one_zipfile_writes():
    made = zipped(FILES)
    assert made == reference_zip(FILES)
    with zipfile.ZipFile(io.BytesIO(made)) as archive:
        assert archive.testzip() is None
        assert {name: archive.read(name) for name in archive.namelist()} == FILES


def test_a_zip_made_from_the_previous_one_is_the_same_as_from_scratch(monkeypatch):
    previous = zipped(FILES)
    changed = dict(FILES)
    changed["meetings/2020/2020-02-01-cabinet/meeting.json"] += b"edited\n"  # a member edited
    same_size = changed["meetings/2020/2020-03-01-cabinet/meeting.json"]
    changed["meetings/2020/2020-03-01-cabinet/meeting.json"] = same_size.replace(b"3", b"4", 1)  # same size
    del changed["meetings/2020/2020-04-01-cabinet/meeting.json"]  # one gone
    changed["meetings/2021/2021-01-01-cabinet/meeting.json"] = b'{"new": true}\n'  # one new
    compressed = []
    compressobj = opendata.zlib.compressobj
    monkeypatch.setattr(opendata.zlib, "compressobj", lambda *args: compressed.append(args) or compressobj(*args))
    made = zipped(changed, previous)
    assert len(compressed) == 3  # only the edited, the changed and the new member
    monkeypatch.undo()
    assert made == reference_zip(changed)


def test_a_previous_zip_that_cannot_be_read_is_not_used():
    for previous in (b"", b"not a zip", reference_zip(FILES)[:-30]):
        assert zipped(FILES, previous) == reference_zip(FILES)


def deflated(data: bytes) -> bytes:
    deflate = opendata.zlib.compressobj(6, opendata.zlib.DEFLATED, -15)
    return deflate.compress(data) + deflate.flush()


def test_a_member_is_compared_a_step_at_a_time_to_the_end():
    """A member larger than one step of inflating (the indicators' JSON): equal only when every
    byte is, to the end of the stream and of the file."""
    data = b"".join(b'{"code": "PI.%d", "value": %d}\n' % (n, n * 7919 % 1000) for n in range(120_000))
    assert len(data) > 3 * opendata.INFLATE_STEP
    stream = deflated(data)
    # compared with a file read as it goes, as the build reads a member from the site being written
    assert opendata.inflates_to(stream, io.BytesIO(data))
    assert opendata.inflates_to(memoryview(stream), io.BytesIO(data))
    middle = len(data) // 2
    assert not opendata.inflates_to(stream, io.BytesIO(data[:middle] + b"X" + data[middle + 1:]))
    assert not opendata.inflates_to(stream, io.BytesIO(data + b"\n"))
    assert not opendata.inflates_to(stream, io.BytesIO(data[:-1]))
    assert not opendata.inflates_to(stream[:-10], io.BytesIO(data))  # a stream cut short
    assert not opendata.inflates_to(b"not deflated at all", io.BytesIO(data))


def test_a_large_member_kept_from_the_previous_zip(monkeypatch):
    files = dict(FILES)
    files["data/indicators.json"] = b"".join(b'{"n": %d}\n' % n for n in range(400_000))
    previous = zipped(files)
    files["data/meetings.json"] = b'{"meetings": [1]}\n'
    compressed = []
    compressobj = opendata.zlib.compressobj
    monkeypatch.setattr(opendata.zlib, "compressobj", lambda *args: compressed.append(args) or compressobj(*args))
    made = zipped(files, previous)
    assert len(compressed) == 1  # the edited member only: the large one is taken again
    monkeypatch.undo()
    assert made == reference_zip(files)


def test_members_known_to_be_the_same_are_neither_read_nor_compared(monkeypatch):
    previous = zipped(FILES)
    changed = dict(FILES)
    edited = "meetings/2020/2020-02-01-cabinet/meeting.json"
    changed[edited] += b"edited\n"
    changed["meetings/2021/2021-01-01-cabinet/meeting.json"] = b'{"new": true}\n'  # not in the previous zip
    read = []
    inflated = []
    inflates_to = opendata.inflates_to
    monkeypatch.setattr(opendata, "inflates_to", lambda *args: inflated.append(args) or inflates_to(*args))
    headers = []  # the kept members' headers are copied with their bytes, not made again
    file_header = zipfile.ZipInfo.FileHeader
    monkeypatch.setattr(zipfile.ZipInfo, "FileHeader", lambda info, *args: headers.append(info.filename)
                        or file_header(info, *args))
    made = zipped(changed, previous, same=lambda name: name != edited,
                  read=lambda name: read.append(name) or changed[name])
    monkeypatch.undo()
    assert sorted(read) == sorted([edited, "meetings/2021/2021-01-01-cabinet/meeting.json"])
    assert sorted(headers) == sorted(read)
    assert not inflated  # the edited member's CRC differs: compressed again without comparing
    assert made == reference_zip(changed)


def test_a_zip_written_into_a_file_from_the_previous_file(tmp_path):
    """As the build makes it: the previous zip read where it is, the new one written into a file;
    a previous file cut short (or ending in the middle of a member) is no help, never a wrong zip."""
    previous_path = tmp_path / "previous.zip"
    with open(previous_path, "wb") as into:
        opendata.bulk_zip(list(FILES), lambda name: io.BytesIO(FILES[name]), None, lambda name: False, into)
    assert previous_path.read_bytes() == reference_zip(FILES)
    changed = dict(FILES)
    changed["data/meetings.json"] = b'{"meetings": [2]}\n'
    whole = previous_path.read_bytes()
    for previous_bytes in (whole, whole[:len(whole) // 2], whole[:-30]):
        previous_path.write_bytes(previous_bytes)
        made = tmp_path / "made.zip"
        with open(previous_path, "rb") as previous, open(made, "wb") as into:
            # each member an open file, as the build reads them
            opendata.bulk_zip(list(changed), lambda name: io.BytesIO(changed[name]), previous,
                              lambda name: name in FILES and name != "data/meetings.json", into)
        assert made.read_bytes() == reference_zip(changed)


def test_members_that_cannot_be_copied_from_the_previous_zip_are_made_again(monkeypatch):
    """The previous zip's directory read, then its file found shorter (changed since): the members
    it was to give are compressed again, and the zip is still the one made from scratch."""
    previous = zipped(FILES)
    members = opendata.zip_members(io.BytesIO(previous))
    monkeypatch.setattr(opendata, "zip_members", lambda stream: members)
    changed = dict(FILES)
    changed["data/meetings.json"] = b'{"meetings": [3]}\n'
    for cut in (previous[:len(previous) // 2], b""):
        made = zipped(changed, cut, same=lambda name: name != "data/meetings.json")
        assert made == reference_zip(changed)
