import subprocess
import sys

from conftest import PROJECT_ROOT


def test_help_lists_subcommands():
    out = subprocess.run(
        [sys.executable, "-m", "geo", "--help"], cwd=PROJECT_ROOT, capture_output=True, text=True,
        check=True,
    ).stdout
    assert "network" in out
