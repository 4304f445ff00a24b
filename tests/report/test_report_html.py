"""`atm report --html`: one self-contained page, rendered by a real headless Chromium."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from atm.cli import main
from tests.report.browser import dom, ink, screenshot
from tests.report.week import journal_week

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = journal_week(tmp_path_factory.mktemp("week"))
    out = home / "report.html"
    assert main(["--home", str(home), "report", "--week", "2026-47", "--html", str(out)]) == 0
    return out


def test_the_page_needs_no_network(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)  # nothing fetched
    assert "<script" not in text
    assert text.count("data:image/svg+xml;base64,") == 4  # funnel, equity, histogram, heatmap


def test_chromium_renders_charts_and_tables(page: Path, tmp_path: Path) -> None:
    shot = screenshot(page, tmp_path / "report.png")
    assert shot.size == (1280, 2600)
    assert ink(shot) > 0.05  # not a blank page
    html = dom(page)
    for table in ("funnel", "stats", "trades", "own", "gonogo"):
        assert f'id="{table}"' in html
    rows = re.findall(r"<tr[^>]*>", html.split('id="trades"')[1].split("</table>")[0])
    assert len(rows) == 1 + 11 + 2 + 1 + 1  # header, taken, skipped, false, own
    assert "insufficient data" in html


def test_without_matplotlib_the_page_says_how_to_install_it(tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"  # as if the extra were not installed
        "from atm.cli import main\n"
        f"sys.exit(main(['--home', {str(tmp_path)!r}, 'report', '--html', {str(out)!r}]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert 'pip install "atm-monitor[report]"' in done.stderr
    assert not out.exists()
