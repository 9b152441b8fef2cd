import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_shows_the_nginx_configuration_the_production_smoke_runs():
    readme = (ROOT / "README.md").read_text()
    shown = re.search(r"```nginx\n(.*?)```", readme, re.S)
    assert shown is not None
    assert shown[1] == (ROOT / "docs" / "nginx.conf").read_text()
