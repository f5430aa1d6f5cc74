"""Recognising indicator codes in running text."""
from __future__ import annotations

from bs4 import BeautifulSoup

from site_gen.codes import CodeIndex, code_key, indicator_slug
from site_gen.markdown import MarkdownRenderer
from site_gen.models import Indicator, Source


def indicator(code, *aliases):
    return Indicator(code=code, title=code, portfolio=None, priority=None, unit=None, polarity="none",
                     aliases=aliases, description=None, values=(), source=Source("x"))


INDEX = CodeIndex({i.code: i for i in (indicator("CFSE.29", "CFSE29"), indicator("CFSE.5"), indicator("NI 117"))})


def found(text):
    return [(m.written, m.code, m.defined) for m in INDEX.find(text)]


def test_spellings_of_a_defined_code():
    assert found("CFSE.29, CFSE29, CFSE 29 and cfse.29.") == [
        ("CFSE.29", "CFSE.29", True), ("CFSE29", "CFSE.29", True), ("CFSE 29", "CFSE.29", True),
        ("cfse.29", "CFSE.29", True)]


def test_trailing_punctuation_is_not_part_of_the_code():
    assert found("about CFSE.5.") == [("CFSE.5", "CFSE.5", True)]
    assert found("(CFSE.5)") == [("CFSE.5", "CFSE.5", True)]


def test_undefined_code_with_a_known_prefix():
    assert found("CFSE.62 and CFSE62") == [("CFSE.62", "CFSE.62", False), ("CFSE62", "CFSE.62", False)]


def test_unknown_prefixes_are_not_codes():
    assert found("KS2 results, Y11, Covid-19, SK1 3XE, CFSEX.1, XCFSE.1, CFSE.29a") == []


def test_codes_that_are_not_prefix_and_number():
    assert found("NI 117 and NI117 and NI-117") == [("NI 117", "NI 117", True), ("NI117", "NI 117", True),
                                                    ("NI-117", "NI 117", True)]


def test_near_misses():
    assert [(m.written, m.suggestion) for m in INDEX.near_misses("CSFE.63 and CFS.2 but not KS2 or CFSE.1")] == [
        ("CSFE.63", "CFSE.63"), ("CFS.2", "CFSE.2")]


def test_keys_and_slugs():
    assert code_key("cfse 29") == code_key("CFSE.29") == "CFSE.29"
    assert indicator_slug("CFSE.29") == "cfse-29"
    assert indicator_slug("NI 117") == "ni-117"


def test_markdown_rule_records_mentions_with_their_sentence_and_line():
    renderer = MarkdownRenderer(INDEX, lambda code: f"/i/{code}/")
    result = renderer.render("First line.\n\n- One. About CFSE29 here! Next one.\n- `CFSE.5` in code", first_line=10)
    assert [(m.code, m.sentence, m.line) for m in result.mentions] == [("CFSE.29", "About CFSE29 here!", 12)]
    links = BeautifulSoup(result.html, "html5lib").find_all("a")
    assert [(a.get_text(), a["href"], a["class"], a["title"]) for a in links] == [
        ("CFSE29", "/i/CFSE.29/", ["indicator-code"], "Indicator CFSE.29")]
