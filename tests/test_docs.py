"""The repository explains itself: every protocol section the code cites exists in docs/."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"§ ?(\d+(?:\.\d+)?)|protocol\.md section (\d+(?:\.\d+)?)")
HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", re.MULTILINE)


def cited_sections() -> dict[str, set[str]]:
    """Section number -> the files that cite it, over the package, tests, benches and docs."""
    cited: dict[str, set[str]] = {}
    files = [*ROOT.glob("ssm_tui/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/*.py")]
    files += [p for p in ROOT.glob("docs/*.md") if p.name != "protocol.md"]
    for path in files:
        for match in CITATION.finditer(path.read_text(encoding="utf-8")):
            number = match.group(1) or match.group(2)
            cited.setdefault(number, set()).add(str(path.relative_to(ROOT)))
    return cited


def test_every_cited_protocol_section_is_a_heading_of_docs_protocol_md() -> None:
    headings = set(HEADING.findall((ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")))
    missing = {n: sorted(files) for n, files in cited_sections().items() if n not in headings}
    assert missing == {}


def test_the_citation_scan_finds_the_sections_we_know_are_cited() -> None:
    cited = cited_sections()
    assert {"2.7", "8", "9.4", "11.3"} <= cited.keys()
