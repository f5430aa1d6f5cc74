"""Open data read by the validators and models of the formats' own publishers:

- every Atom feed (the site's, each committee's, issue's and indicator's, /changes/) against
  RFC 4287's RELAX NG grammar (lxml), its Schematron rules, and the rules of the RFC's prose
  that the W3C Feed Validation Service checks and a grammar cannot (ids, dates, links);
- sitemap.xml against the sitemaps.org XML Schema (lxml);
- every meeting.json and committees.json through pupa's scrape models and their validation
  (the Open Civic Data Event and Organization schemas), and python-opencivicdata's Django models
  (field by field, without a database);
- the council's Open Civic Data division and jurisdiction ids (site.yml `ocd_division_id`).

The published schemas are in tests/fixtures/validators/ with their licences (README.md there).
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import rnc2rng
from conftest import SAMPLE_CONTENT, build_into, without_history
from lxml import etree
from opendata_support import BASE, CONTENT, PUBLISHED

from site_gen import ocd

VALIDATORS = Path(__file__).resolve().parent / "fixtures" / "validators"
ATOM = "http://www.w3.org/2005/Atom"
NS = {"atom": ATOM}
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
DIVISION = "ocd-division/country:gb/dis:e99999999"  # the fixture archive's site.yml
# RFC 3339 (RFC 4287 3.3): a full date and time, an upper-case T, and a time zone
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The open-data fixture archive, with its history (so /changes/ has a feed)."""
    return build_into(CONTENT, tmp_path_factory.mktemp("validators") / "_site", with_search=False)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The sample archive (content/), which names no OCD division."""
    return build_into(SAMPLE_CONTENT, tmp_path_factory.mktemp("validators-sample") / "_site", with_search=False)


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    """The fixture archive outside git: the sitemap dated from the content alone."""
    folder = tmp_path_factory.mktemp("validators-plain")
    return build_into(without_history(CONTENT, folder), folder / "_site", with_search=False)


# -- Atom ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def atom_grammar() -> etree.RelaxNG:
    compact = (VALIDATORS / "atom.rnc").read_text(encoding="utf-8")
    # rnc2rng declares `local = ""` as xmlns:local="", which XML namespaces forbid; the
    # grammar refers to the empty namespace as ns="" anyway, so the declaration is not needed
    xml = rnc2rng.dumps(rnc2rng.loads(compact)).replace(' xmlns:local=""', "").replace('\n         xmlns:local=""', "")
    return etree.RelaxNG(etree.fromstring(xml.encode("utf-8")))


def feeds(site: Path) -> list[Path]:
    return sorted(site.rglob("feed.xml"))


def absolute_iri(value: str) -> bool:
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value) is not None


def atom_problems(grammar: etree.RelaxNG, data: bytes) -> tuple[list[str], list[str]]:
    """(errors, warnings) as the W3C feed validator would class them, for one Atom document."""
    tree = etree.fromstring(data)
    errors = [f"line {e.line}: {e.message}" for e in grammar.error_log] if not grammar.validate(tree) else []
    warnings: list[str] = []
    entries = tree.findall("atom:entry", NS)
    # the grammar's two Schematron rules (annotations lxml's RELAX NG does not run)
    if tree.find("atom:author", NS) is None and any(e.find("atom:author", NS) is None for e in entries):
        errors.append("an atom:feed must have an atom:author unless all of its entries have one")
    for entry in entries:
        if not entry.xpath("atom:link[@rel='alternate'] or atom:link[not(@rel)] or atom:content", namespaces=NS):
            errors.append(f"entry {entry.findtext('atom:id', namespaces=NS)}: no alternate link and no content")
    # RFC 4287's prose
    for element in tree.iter(f"{{{ATOM}}}id"):
        if not absolute_iri(element.text or ""):
            errors.append(f"atom:id is not an absolute IRI: {element.text!r}")
    for element in list(tree.iter(f"{{{ATOM}}}updated")) + list(tree.iter(f"{{{ATOM}}}published")):
        if not RFC3339.match(element.text or ""):
            errors.append(f"{etree.QName(element).localname} is not an RFC 3339 date-time: {element.text!r}")
    for owner in [tree, *entries]:
        alternates = [(link.get("type"), link.get("hreflang")) for link in owner.findall("atom:link", NS)
                      if link.get("rel", "alternate") == "alternate"]
        if len(alternates) != len(set(alternates)):
            errors.append("two alternate links with the same type and hreflang")
        for link in owner.findall("atom:link", NS):
            if not absolute_iri(link.get("href", "")) and tree.get(XML_BASE) is None:
                errors.append(f"a relative link with no xml:base: {link.get('href')}")
    seen: dict[tuple[str, str], int] = {}
    for entry in entries:
        key = (entry.findtext("atom:id", namespaces=NS), entry.findtext("atom:updated", namespaces=NS))
        seen[key] = seen.get(key, 0) + 1
    errors += [f"entry {key[0]} appears twice with the same updated date" for key, n in seen.items() if n > 1]
    # what the validator only warns about
    if not tree.xpath("atom:link[@rel='self']", namespaces=NS):
        warnings.append("no atom:link rel=self")
    updated = [e.findtext("atom:updated", namespaces=NS) for e in entries]
    if len(updated) != len(set(updated)):
        warnings.append("two entries have the same atom:updated (readers may sort them either way)")
    for entry in entries:
        content = entry.find("atom:content", NS)
        if content is not None and content.get("type") == "html" and re.search(
                r"<script|\son[a-z]+\s*=|(?:href|src)=\"/", content.text or "", re.IGNORECASE):
            errors.append(f"entry {entry.findtext('atom:id', namespaces=NS)}: script or a root-relative link")
    return errors, warnings


def test_every_atom_feed_is_valid_atom(site, sample, atom_grammar):
    checked = {}
    for built in (site, sample):
        for path in feeds(built):
            errors, warnings = atom_problems(atom_grammar, path.read_bytes())
            assert not errors, (path, errors)
            checked[path.relative_to(built).as_posix().split("/")[0]] = warnings
    # the site's, a committee's, an issue's, an indicator's and the record's changes
    assert {"feed.xml", "committees", "issues", "indicators", "changes"} <= set(checked)


def test_the_feeds_only_warnings_are_these(site, sample, atom_grammar):
    """What the validator would still warn about, listed so a new warning is noticed."""
    warned = {}
    for built in (site, sample):
        for path in feeds(built):
            for warning in atom_problems(atom_grammar, path.read_bytes())[1]:
                warned.setdefault(warning, []).append(path.relative_to(built).as_posix())
    # entries for one meeting's changes may share a commit's time, and two meetings' first
    # publication may be one commit: the same atom:updated, which RFC 4287 allows
    assert set(warned) <= {"two entries have the same atom:updated (readers may sort them either way)"}, warned


@pytest.mark.parametrize("breakage, expected", [
    (lambda t: t.replace(b"<id>", b"<identifier>", 1).replace(b"</id>", b"</identifier>", 1), "line"),
    (lambda t: re.sub(rb"<updated>([^<]+)\+00:00</updated>", rb"<updated>\1</updated>", t, count=1), "RFC 3339"),
    (lambda t: re.sub(rb"<id>https://", b"<id>/", t, count=1), "absolute IRI"),
    (lambda t: re.sub(rb"<author>.*?</author>", b"", t, count=1, flags=re.S), "atom:author"),
])
def test_the_atom_checks_catch_a_broken_feed(site, atom_grammar, breakage, expected):
    raw = (site / "committees" / "planning" / "feed.xml").read_bytes()
    assert not atom_problems(atom_grammar, raw)[0]
    broken = breakage(raw)
    assert broken != raw
    errors = atom_problems(atom_grammar, broken)[0]
    assert any(expected in e for e in errors), errors


# -- sitemaps.org -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sitemap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(VALIDATORS / "sitemap.xsd")))


def test_the_sitemap_is_valid_against_the_sitemaps_org_schema(site, sample, plain, sitemap_schema):
    for built in (site, sample, plain):
        document = etree.parse(str(built / "sitemap.xml"))
        assert sitemap_schema.validate(document), (built, list(sitemap_schema.error_log))
        urls = document.getroot()
        # the protocol's limits for one file; past them a sitemap index would be needed
        assert 0 < len(urls) <= 50_000 and (built / "sitemap.xml").stat().st_size <= 50 * 1024 * 1024
        assert not list(built.glob("sitemap*.xml"))[1:], "a sitemap index is not made, so none is to validate"
    dated = etree.parse(str(plain / "sitemap.xml")).getroot()
    lastmods = [e.text for e in dated.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}lastmod")]
    assert lastmods and all(re.match(r"^\d{4}-\d{2}-\d{2}$", d) for d in lastmods)


def test_the_sitemap_schema_rejects_a_broken_sitemap(site, sitemap_schema):
    raw = (site / "sitemap.xml").read_bytes()
    day_first = re.sub(rb"<lastmod>(\d{4})-(\d{2})-(\d{2})</lastmod>", rb"<lastmod>\3/\2/\1</lastmod>", raw, count=1)
    for broken in (day_first,
                   raw.replace(b"<loc>", b"<location>", 1).replace(b"</loc>", b"</location>", 1)):
        assert broken != raw
        assert not sitemap_schema.validate(etree.fromstring(broken))


# -- pupa and python-opencivicdata ---------------------------------------------------------

def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def meeting_files(site: Path) -> list[Path]:
    return sorted(site.glob("meetings/*/*/meeting.json"))


# what meeting.json says beyond pupa's scrape schema: the file's header (who publishes it and
# under what licence), the OCD id the archive gives it, its committee and council as OCD
# Organization and Jurisdiction, and the time zone its times are in
BEYOND_PUPA_EVENT = {"schema", "publisher", "source", "documentation", "licence", "licence_url", "id",
                     "organization", "jurisdiction", "timezone"}


def pupa_event(data: dict):
    """The meeting as pupa's scrape Event, built through its constructor and attributes (which
    refuse a property its schema does not have)."""
    from pupa.scrape import Event
    event = Event(name=data["name"], start_date=data["start_date"], all_day=data["all_day"],
                  description=data["description"], end_date=data["end_date"], status=data["status"],
                  classification=data["classification"])
    for key, value in data.items():
        if key not in BEYOND_PUPA_EVENT:
            setattr(event, key, copy.deepcopy(value))
    return event


def pupa_organization(data: dict):
    from pupa.scrape import Organization
    organization = Organization(data["name"], classification=data["classification"], parent_id=data["parent_id"])
    for key in ("identifiers", "links", "sources", "jurisdiction_id", "division_id"):
        if key in data:
            setattr(organization, key, copy.deepcopy(data[key]))
    return organization


def test_every_meeting_json_passes_pupas_event_validation(site, sample):
    checked = 0
    for built in (site, sample):
        for path in meeting_files(built):
            data = load(path)
            assert set(data) - BEYOND_PUPA_EVENT <= set(pupa_event(data)._schema["properties"]), path
            pupa_event(data).validate()  # raises pupa's ScrapeValueError, naming every failure
            pupa_organization(data["organization"]).validate()
            checked += 1
    assert checked == len(PUBLISHED) + len(meeting_files(sample))


def test_every_committees_json_passes_pupas_organization_validation(site, sample):
    for built in (site, sample):
        data = load(built / "data" / "committees.json")
        pupa_organization(data["organization"]).validate()
        for committee in data["committees"]:
            pupa_organization(committee).validate()


def test_pupas_validation_catches_what_ocd_does_not_allow(site):
    from pupa.exceptions import ScrapeValueError
    data = load(site / "meetings/2021/2021-03-24-planning/meeting.json")
    for field, wrong in (("status", "held"), ("start_date", "24 March 2021"), ("documents", [{"media_type": None}])):
        with pytest.raises(ScrapeValueError):
            pupa_event({**data, field: wrong}).validate()
    with pytest.raises(ScrapeValueError):  # OCD has no `government` organisation: that is a jurisdiction
        pupa_organization({**data["organization"], "classification": "government"}).validate()


@pytest.fixture(scope="module")
def ocd_models():
    """python-opencivicdata's core and legislative models (Django), with settings that never open a
    database: only field validation (clean_fields) is used, and relations are checked by id here.
    The legislative models are GeoDjango's (an event location's coordinates are a point), which
    loads the GDAL library (Debian's gdal-bin, installed by scripts/test.sh)."""
    import django
    from django.conf import settings
    if not settings.configured:
        settings.configure(
            INSTALLED_APPS=["django.contrib.contenttypes", "opencivicdata.core.apps.BaseConfig",
                            "opencivicdata.legislative.apps.BaseConfig"],
            DATABASES={"default": {"ENGINE": "django.contrib.gis.db.backends.postgis", "NAME": "unused"}},
            USE_TZ=True)
        django.setup()
    from opencivicdata.core import models as core
    from opencivicdata.legislative import models as legislative
    names = {name: getattr(module, name) for module in (core, legislative) for name in dir(module)
             if name[0].isupper()}
    return SimpleNamespace(**names)


RELATIONS = ["jurisdiction", "parent", "division"]  # foreign keys: their validation asks the database


def clean(instance, *relations: str) -> None:
    instance.clean_fields(exclude=[*RELATIONS, *relations])


def check_organization(models, data: dict) -> None:
    organization = models.Organization(id=data["id"], name=data["name"], classification=data["classification"])
    clean(organization)
    for identifier in data["identifiers"]:
        clean(models.OrganizationIdentifier(organization=organization, **identifier), "organization")
    for link in data["links"]:
        clean(models.OrganizationLink(organization=organization, **link), "organization")
    for source in data["sources"]:
        clean(models.OrganizationSource(organization=organization, **source), "organization")


def check_event(models, data: dict) -> int:
    """Load a meeting.json into the Event models field by field, as pupa's importer maps a scraped
    event onto them; returns how many model instances were checked."""
    event = models.Event(id=data["id"], name=data["name"], description=data["description"],
                         classification=data["classification"], start_date=data["start_date"],
                         end_date=data["end_date"], all_day=data["all_day"], status=data["status"],
                         extras=data["extras"])
    made = [event]
    if data["location"]:
        location = data["location"]
        # the model stores no point as null (null=True); its blank=False is a rule for the admin's forms
        clean(models.EventLocation(name=location["name"], url=location.get("url", ""), coordinates=None),
              "coordinates")
    for document in data["documents"]:
        made.append(holder := models.EventDocument(event=event, note=document["note"], date=document["date"]))
        made += [models.EventDocumentLink(document=holder, url=link["url"], media_type=link["media_type"])
                 for link in document["links"]]
    made += [models.EventParticipant(event=event, name=p["name"], entity_type=p["entity_type"], note=p["note"])
             for p in data["participants"]]
    for item in data["agenda"]:
        made.append(agenda := models.EventAgendaItem(
            event=event, description=item["description"], classification=item["classification"],
            order=item["order"], subjects=item["subjects"], notes=item["notes"], extras=item["extras"]))
        made += [models.EventRelatedEntity(agenda_item=agenda, name=e["name"], entity_type=e["entity_type"],
                                           note=e["note"]) for e in item["related_entities"]]
    made += [models.EventLink(event=event, **link) for link in data["links"]]
    made += [models.EventSource(event=event, **source) for source in data["sources"]]
    for instance in made:
        clean(instance, "event", "document", "agenda_item", "location", "organization", "person", "bill", "vote_event")
    return len(made)


def test_every_meeting_json_loads_into_python_opencivicdatas_event_models(site, sample, ocd_models):
    for built in (site, sample):
        for path in meeting_files(built):
            data = load(path)
            assert check_event(ocd_models, data) > 5, path
            check_organization(ocd_models, data["organization"])


def test_the_event_models_refuse_what_ocd_does_not_allow(site, ocd_models):
    from django.core.exceptions import ValidationError
    data = load(site / "meetings/2021/2021-03-24-planning/meeting.json")
    for wrong in ({"status": "held"}, {"id": "ocd-event/2021-03-24-planning"},
                  {"start_date": "2021-03-24T18:00:00.000000+00:00"},  # longer than the model's 25 characters
                  {"documents": [{"note": "Report", "date": "",  # a relative address is not a URL
                                  "links": [{"url": "/report.pdf", "media_type": "application/pdf"}]}]}):
        with pytest.raises(ValidationError):
            check_event(ocd_models, {**data, **wrong})


def test_organizations_fit_python_opencivicdatas_models(site, sample, ocd_models):
    for built in (site, sample):
        data = load(built / "data" / "committees.json")
        check_organization(ocd_models, data["organization"])
        for committee in data["committees"]:
            check_organization(ocd_models, committee)
            assert committee["parent_id"] == data["organization"]["id"]
        for path in meeting_files(built):
            check_organization(ocd_models, load(path)["organization"])


def test_the_jurisdiction_and_division_fit_python_opencivicdatas_models(site, ocd_models):
    from django.core.exceptions import ValidationError
    jurisdiction = load(site / "data" / "committees.json")["jurisdiction"]
    division = ocd_models.Division(id=jurisdiction["division_id"], name="Fixture", country="gb")
    division.clean_fields(exclude=["redirect"])
    ocd_models.Jurisdiction(id=jurisdiction["id"], name=jurisdiction["name"], url=jurisdiction["url"],
                            classification=jurisdiction["classification"]).clean_fields(exclude=RELATIONS)
    with pytest.raises(ValidationError):  # the models check ids' shapes: a test that can fail
        ocd_models.Jurisdiction(id="ocd-jurisdiction/gb", name="x", url=jurisdiction["url"],
                                classification="government").clean_fields(exclude=RELATIONS)
    with pytest.raises(ValidationError):
        ocd_models.Organization(id="ocd-organization/planning", name="x", classification="committee").clean_fields(
            exclude=RELATIONS)


# -- OCD division and jurisdiction ids -------------------------------------------------------

def test_the_council_carries_its_ocd_division_and_jurisdiction(site):
    jurisdiction_id = "ocd-jurisdiction/country:gb/dis:e99999999/government"
    committees = load(site / "data" / "committees.json")
    assert committees["jurisdiction"] == {
        "id": jurisdiction_id, "name": "Fixture Metropolitan Borough Council", "classification": "government",
        "division_id": DIVISION, "url": f"{BASE}/"}
    council = committees["organization"]
    assert (council["classification"], council["jurisdiction_id"], council["division_id"]) == (
        "legislature", jurisdiction_id, DIVISION)
    for committee in committees["committees"]:
        assert committee["jurisdiction_id"] == jurisdiction_id
    for path in meeting_files(site):
        meeting = load(path)
        assert meeting["jurisdiction"] == committees["jurisdiction"]
        assert meeting["organization"]["jurisdiction_id"] == jurisdiction_id


def test_without_a_division_no_jurisdiction_id_is_made_up(sample):
    committees = load(sample / "data" / "committees.json")
    assert committees["jurisdiction"] is None
    assert "jurisdiction_id" not in committees["organization"] and "division_id" not in committees["organization"]
    for path in meeting_files(sample):
        assert load(path)["jurisdiction"] is None


@pytest.mark.parametrize("value, valid", [
    ("ocd-division/country:gb", True),
    ("ocd-division/country:gb/dis:e08000007", True),
    ("ocd-division/country:gb/part:eng/region:uki/ed:cities_of_london_and_westminster", True),
    ("ocd-division/country:us/state:nc/place:raleigh", True),
    ("ocd-division/country:GB/dis:E08000007", False),
    ("ocd-division/country:gbr", False),
    ("ocd-jurisdiction/country:gb/dis:e08000007/government", False),
    ("country:gb/dis:e08000007", False),
    ("ocd-division/country:gb/dis:", False),
])
def test_division_ids_are_checked_as_opencivicdata_defines_them(value, valid):
    from opencivicdata.common import DIVISION_ID_REGEX, JURISDICTION_ID_REGEX
    assert (ocd.division_problem(value) is None) == valid
    if valid:  # what check accepts, python-opencivicdata accepts, and the jurisdiction made from it too
        assert re.match(DIVISION_ID_REGEX, value)
        assert re.match(JURISDICTION_ID_REGEX, ocd.jurisdiction_id(value))
    else:
        assert ocd.division_problem(value)[1]  # every refusal comes with a hint


def test_the_editing_screen_accepts_what_check_accepts():
    """The site settings form checks the division id with check's own pattern."""
    import yaml
    from conftest import ROOT
    config = yaml.safe_load((ROOT / "admin" / "config.yml").read_text(encoding="utf-8"))
    (settings,) = [c for c in config["collections"] if c["name"] == "settings"]
    (field,) = [f for f in settings["files"][0]["fields"] if f["name"] == "ocd_division_id"]
    assert field["pattern"][0] == ocd.DIVISION_RE.pattern and not field.get("required", True)
