"""The README and docs/ as a clone has them: every relative link opens a file of the repository,
and every #anchor a heading of that file."""

import json
import re
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def _links(doc: Path) -> list[str]:
    return LINK.findall(FENCE.sub("", doc.read_text()))


def _anchors(doc: Path) -> set[str]:
    """GitHub's ids of the headings: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", FENCE.sub("", doc.read_text()), re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def _broken(doc: Path, root: Path = ROOT) -> list[str]:
    broken = []
    for link in _links(doc):
        if re.match(r"[a-z]+:", link):
            continue  # http(s), mailto: outside the repository by intent
        path, _, anchor = link.partition("#")
        target = (doc.parent / path).resolve() if path else doc
        if root not in target.parents or not target.exists():
            broken.append(link)
        elif anchor and target.suffix == ".md" and anchor not in _anchors(target):
            broken.append(link)
    return broken


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves_inside_the_repository(doc):
    assert _broken(doc) == []


def test_the_check_finds_a_link_out_of_the_repository_a_missing_file_and_a_missing_anchor(
        tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A title\n\n## Some part (here)\n")
    readme = tmp_path / "README.md"
    readme.write_text("[spec](../shared/SPEC.md) [gone](docs/b.md) [a](docs/a.md) "
                      "[part](docs/a.md#some-part-here) [bad](docs/a.md#nowhere) "
                      "[web](https://example.com/x)\n```\n[code](nowhere.md)\n```\n")
    assert _broken(readme, root=tmp_path) == [
        "../shared/SPEC.md", "docs/b.md", "docs/a.md#nowhere"]


def test_the_readme_has_the_two_commands_and_a_tour_for_every_role():
    readme = (ROOT / "README.md").read_text()
    assert "./bin/run" in readme and "./bin/test" in readme
    for role in ("advisor1", "manager1", "regional1", "hq1", "admin"):
        assert re.search(rf"^### .*`{role}`", readme, re.M), role


def test_the_readme_api_example_opens_a_case(org, api):
    """The README's curl example, as the demo's survey-system account sends it."""
    readme = (ROOT / "README.md").read_text()
    body = json.loads(re.search(r"survey-responses/.*?-d '(\{.*?\})'", readme, re.S).group(1))
    token = api.post("/api/v1/auth/token/", {"username": "integration",
                                             "password": "pw-for-tests"}).json()["token"]
    assert Token.objects.get(key=token).user == org.integration
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    created = api.post("/api/v1/survey-responses/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["case"] is not None
    assert len(api.get("/api/v1/cases/?state=open").json()["results"]) == 1
