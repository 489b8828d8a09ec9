"""The architecture holds: the import contracts of pyproject.toml are kept, and
they would catch a feature module that reaches into a sibling."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = (
    "core",
    "actions",
    "channels",
    "retrain",
    "nlu_components",
    "staff",
    "billing_api",
    "console",
    # Not product code, but in the contracts: the harness and bench/ never import tests.
    "devtools",
    "bench",
    "tests",
)


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )


def test_the_layering_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def copy_of_project(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy(ROOT / "pyproject.toml", copy)
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return copy


def lint_with_import(tmp_path: Path, module: str, imported: str) -> subprocess.CompletedProcess:
    """`lint-imports` on a copy of the project in which `module` (a path) imports `imported`."""
    copy = copy_of_project(tmp_path)
    with (copy / module).open("a", encoding="utf-8") as source:
        source.write(f"\nimport {imported}  # noqa\n")
    return lint_imports(copy)


def test_a_core_module_importing_a_channel_breaks_the_contract(tmp_path):
    result = lint_with_import(tmp_path, "core/contacts.py", "channels.storage")
    assert result.returncode != 0
    assert "core -> channels" in result.stdout or "core.contacts -> channels" in result.stdout


def test_sibling_features_importing_each_other_break_the_contract(tmp_path):
    result = lint_with_import(tmp_path, "actions/info.py", "actions.readings")
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def test_a_benchmark_importing_the_tests_breaks_the_contract(tmp_path):
    result = lint_with_import(tmp_path, "bench/cluster_bench.py", "tests.support.db")
    assert result.returncode != 0
    assert "bench.cluster_bench -> tests.support.db" in result.stdout


def test_the_command_line_importing_the_console_breaks_the_contract(tmp_path):
    result = lint_with_import(tmp_path, "staff/tables.py", "console.config")
    assert result.returncode != 0
    assert "neither imports the other BROKEN" in result.stdout
