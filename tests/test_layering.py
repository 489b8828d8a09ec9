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


def test_a_core_module_importing_a_channel_breaks_the_contract(tmp_path):
    copy = copy_of_project(tmp_path)
    with (copy / "core" / "contacts.py").open("a", encoding="utf-8") as module:
        module.write("\nimport channels.storage  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "core -> channels" in result.stdout or "core.contacts -> channels" in result.stdout


def test_sibling_features_importing_each_other_break_the_contract(tmp_path):
    copy = copy_of_project(tmp_path)
    with (copy / "actions" / "info.py").open("a", encoding="utf-8") as module:
        module.write("\nimport actions.readings  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def test_a_benchmark_importing_the_tests_breaks_the_contract(tmp_path):
    copy = copy_of_project(tmp_path)
    with (copy / "bench" / "cluster_bench.py").open("a", encoding="utf-8") as module:
        module.write("\nimport tests.support.db  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "bench.cluster_bench -> tests.support.db" in result.stdout
