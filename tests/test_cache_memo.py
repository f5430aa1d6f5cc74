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
