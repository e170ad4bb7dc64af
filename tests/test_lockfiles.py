"""The lock files in requirements/ pin every direct dependency of pyproject.toml.

CI and deployments install from the locks (.ci/run, docs/deploy.md), so a dependency added to pyproject.toml or
a lower bound raised there without re-locking would never be installed: this test fails until
`bash requirements/relock.sh` has been run.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent

# lock file -> the optional-dependency groups of pyproject.toml it covers besides [project] dependencies;
# the same groups as requirements/relock.sh compiles into it
LOCKS = {"requirements/ci.txt": ("test", "dev"), "requirements/deploy.txt": ("gevent", "usb", "serial")}

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them: case, '-', '_' and '.' do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_requirements(groups: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for group in groups:
        lines += project["optional-dependencies"][group]
    return [Requirement(line) for line in lines]


def pins(lock: str) -> dict[str, set[Version]]:
    """Every name == version in a lock file (a name can be pinned twice, under different markers)."""
    found: dict[str, set[Version]] = {}
    for name, version in PIN.findall((ROOT / lock).read_text(encoding="utf-8")):
        found.setdefault(normalise(name), set()).add(Version(version))
    return found


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_lock_file_pins_every_direct_dependency(lock: str) -> None:
    pinned = pins(lock)
    missing, outside = [], []
    for requirement in direct_requirements(LOCKS[lock]):
        versions = pinned.get(normalise(requirement.name), set())
        if not versions:
            missing.append(str(requirement))
        elif not any(requirement.specifier.contains(v, prereleases=True) for v in versions):
            outside.append(f"{requirement} (locked {', '.join(map(str, sorted(versions)))})")
    assert not missing and not outside, (
        f"{lock} is out of step with pyproject.toml; run `bash requirements/relock.sh` (pip install uv).\n"
        f"not in the lock: {missing}\nlocked outside pyproject's bounds: {outside}"
    )


def test_deployments_get_the_versions_ci_tests() -> None:
    ci, deploy = pins("requirements/ci.txt"), pins("requirements/deploy.txt")
    differ = {
        name: (sorted(map(str, deploy[name])), sorted(map(str, ci[name])))
        for name in deploy.keys() & ci.keys()
        if deploy[name] != ci[name]
    }
    assert not differ, f"deploy.txt pins other versions than ci.txt (deploy, ci): {differ}; run requirements/relock.sh"
