"""The cache's memo seam: a value is computed once for its key, reused by the next build, and
what computing it reported is replayed every time it is used; it survives the cache file."""
from __future__ import annotations

from site_gen.cache import BuildCache, State
from site_gen.problems import Report


def compute_counting(calls: list[str], value: str):
    def compute(report: Report) -> str:
        calls.append(value)
        report.warning("content/x.md", 3, f"made {value}")
        return value
    return compute


def test_a_value_is_computed_once_and_its_problems_replayed_when_reused():
    cache = BuildCache.disabled()
    calls: list[str] = []
    first = Report()
    assert cache.memo("blob_statuses", "k1", compute_counting(calls, "approved"), first) == "approved"
    cache.advance()  # the next build
    again = Report()
    assert cache.memo("blob_statuses", "k1", compute_counting(calls, "draft"), again) == "approved"
    assert calls == ["approved"]
    assert [p.message for p in again.problems] == [p.message for p in first.problems] == ["made approved"]
    # another key is computed; a key not used by a build is not kept for the one after
    cache.advance()
    assert cache.memo("blob_statuses", "k2", compute_counting(calls, "draft"), Report()) == "draft"
    cache.advance()
    assert "k1" not in cache.previous.blob_statuses and "k2" in cache.previous.blob_statuses


def test_memo_many_computes_the_missing_together_in_order_and_may_leave_some_out():
    cache = BuildCache.disabled()
    cache.previous = State(blob_statuses={"b": "kept"})
    asked: list[list[str]] = []

    def compute_missing(missing: list[str]):
        asked.append(missing)
        return {key: (key.upper(), []) for key in missing if key != "gone"}
    values = cache.memo_many("blob_statuses", ["c", "b", "gone", "a"], compute_missing)
    assert asked == [["c", "gone", "a"]]
    assert list(values.items()) == [("c", "C"), ("b", "kept"), ("a", "A")]
    cache.advance()
    assert cache.memo_many("blob_statuses", ["a"], compute_missing) == {"a": "A"}
    assert asked[-1] == []  # called once even when nothing is missing


def test_memoised_values_and_problems_survive_the_cache_file(tmp_path):
    cache = BuildCache(tmp_path / "build-test.cache", "s" * 40)
    calls: list[str] = []
    cache.memo("blob_statuses", "k", compute_counting(calls, "approved"), Report())
    cache.save()
    again = BuildCache(tmp_path / "build-test.cache", "s" * 40)
    again.read()
    assert again.ignored is None
    report = Report()
    assert again.memo("blob_statuses", "k", compute_counting(calls, "draft"), report) == "approved"
    assert calls == ["approved"] and [p.message for p in report.problems] == ["made approved"]
    other_code = BuildCache(tmp_path / "build-test.cache", "o" * 40)
    other_code.read()
    assert "k" not in other_code.previous.blob_statuses


def test_a_kept_value_that_no_longer_stands_is_computed_again():
    """What output reuse needs: a record kept from the last build is used only while the file it
    describes is still the one recorded."""
    cache = BuildCache.disabled()
    cache.previous = State(blob_statuses={"page": "record of the old file"})
    values = cache.memo_many("blob_statuses", ["page"], lambda missing: {k: ("written again", []) for k in missing},
                             usable=lambda record: False)
    assert values == {"page": "written again"}


def test_values_spilled_beside_the_cache_are_read_back_checked_and_saved(tmp_path):
    """A command-line build keeps its largest values in a scratch file, not in memory: each is read
    back as it was set, one damaged since is not given back (it is made again), a forked worker's
    stays its own, and saving (anew, then by appending) copies the values into the cache file."""
    import os

    from site_gen.renders import ItemHtml, MeetingMarkup, MeetingRows

    cache = BuildCache(tmp_path / "build-test.cache", "s" * 40)
    cache.spill(("markup", "rows"))
    markup = MeetingMarkup("<p>Before the items</p>", {1: ItemHtml(minutes="<p>Noted ’</p>", codes=("PI.1",))})
    cache.current.markup["m1"] = markup
    cache.current.rows["r1"] = MeetingRows('{\n  "slug": "a"\n}', {2: "{}"}, "0f")
    assert not isinstance(cache.current.markup, dict)  # spilled, not held
    assert cache.current.markup["m1"] == markup and "m1" in cache.current.markup and len(cache.current.markup) == 1
    assert cache.current.rows.get("r1") == MeetingRows('{\n  "slug": "a"\n}', {2: "{}"}, "0f")

    pid = os.fork()
    if pid == 0:  # a worker: what it sets is its own, and the file's end is left where it was
        cache.current.markup["m2"] = markup
        os._exit(0 if cache.current.markup["m2"] == markup else 1)
    assert os.waitpid(pid, 0)[1] == 0
    assert "m2" not in cache.current.markup

    cache.save()
    again = BuildCache(tmp_path / "build-test.cache", "s" * 40)
    again.read()
    assert again.previous.markup["m1"] == markup and again.previous.rows["r1"].items == {2: "{}"}
    again.spill(("markup",))
    again.carry("markup", ["m1"])
    again.current.markup["m3"] = MeetingMarkup(None, {})
    again.save()  # appended: m1 where it was, m3 from the scratch file
    third = BuildCache(tmp_path / "build-test.cache", "s" * 40)
    third.read()
    assert third.previous.markup["m1"] == markup and third.previous.markup["m3"] == MeetingMarkup(None, {})

    offset, length, _ = cache.current.markup.entries["m1"]
    os.pwrite(cache.current.markup.stream.fileno(), b"x" * length, offset)  # damaged since it was set
    assert cache.current.markup.get("m1") is None


def test_values_are_read_a_run_at_a_time_and_a_damaged_one_is_computed_again(tmp_path, monkeypatch):
    """A build reads the last build's values of a stage, and what computing them reported, a run of
    neighbours at a time; a value damaged since (its keyed hash no longer matches) is computed again
    while its neighbours in the same run are still used."""
    from site_gen import cache as cache_module

    path = tmp_path / "build-test.cache"
    cache = BuildCache(path, "s" * 40)
    keys = [f"k{n}" for n in range(5)]
    for key in keys:
        cache.memo("blob_statuses", key, compute_counting([], f"v{key}"), Report())
    cache.save()
    again = BuildCache(path, "s" * 40)
    again.read()
    offset, length, _ = again.previous.blob_statuses.entries["k2"]
    data = bytearray(path.read_bytes())
    data[cache_module.HEAD + offset + length // 2] ^= 0x01
    path.write_bytes(bytes(data))

    again = BuildCache(path, "s" * 40)
    again.read()
    reads: list[int] = []
    read_at = cache_module._read_at
    monkeypatch.setattr(cache_module, "_read_at",
                        lambda stream, at, size: reads.append(size) or read_at(stream, at, size))
    report = Report()
    values = again.memo_many("blob_statuses", keys, lambda missing: {key: ("again", []) for key in missing}, report)
    assert values == {"k0": "vk0", "k1": "vk1", "k2": "again", "k3": "vk3", "k4": "vk4"}
    assert [p.message for p in report.problems] == ["made vk0", "made vk1", "made vk3", "made vk4"]
    assert len(reads) == 2  # the values in one run, what they reported in another
