"""The lock: uv.lock pins every package of every extra with hashes, requirements/ is the same
lock exported for pip, and the environment these tests run in holds exactly the locked versions
(`make check` and `make test` install from the lock, never from the ranges in pyproject.toml)."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib

import pytest
from helpers import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LOCK = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
EXTRAS = {"student": ["lab"], "dev": sorted(PROJECT["optional-dependencies"])}


def locked_packages() -> list[dict]:
    return [p for p in LOCK["package"] if p["name"] != PROJECT["name"]]


def exported(name: str) -> list[tuple[Requirement, list[str]]]:
    """(requirement, hashes) for each entry of requirements/<name>.txt."""
    text = (ROOT / "requirements" / f"{name}.txt").read_text(encoding="utf-8")
    entries = []
    for line in re.sub(r"\\\n", " ", text).splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        hashes = re.findall(r"--hash=(\S+)", line)
        entries.append((Requirement(re.sub(r"--hash=\S+", "", line).strip()), hashes))
    return entries


def pin(req: Requirement) -> tuple[str, str]:
    (spec,) = req.specifier
    assert spec.operator == "==", req
    return canonicalize_name(req.name), spec.version


def test_every_locked_package_has_a_version_and_hashes():
    for package in locked_packages():
        files = [package.get("sdist", {})] + package.get("wheels", [])
        hashes = [f["hash"] for f in files if f.get("hash")]
        assert package.get("version") and hashes, package["name"]
        assert all(h.startswith("sha256:") for h in hashes), package["name"]


def test_the_lock_was_made_from_the_ranges_in_pyproject():
    """`make lock` was run after the last change to pyproject.toml's dependencies."""
    (project,) = [p for p in LOCK["package"] if p["name"] == PROJECT["name"]]
    locked = {(r["name"], r.get("specifier", ""), r.get("marker", ""))
              for r in project["metadata"]["requires-dist"]}
    declared = set()
    for extra, deps in [(None, PROJECT["dependencies"]),
                        *PROJECT["optional-dependencies"].items()]:
        for dep in deps:
            req = Requirement(dep)
            declared.add((canonicalize_name(req.name), str(req.specifier),
                          f"extra == '{extra}'" if extra else ""))
    assert {(n, s) for n, s, _ in locked} == {(n, s) for n, s, _ in declared}, \
        "run 'make lock' and commit uv.lock and requirements/"
    assert locked == declared, "run 'make lock' and commit uv.lock and requirements/"


@pytest.mark.parametrize("name", sorted(EXTRAS))
def test_the_pip_export_pins_what_the_lock_pins_with_its_hashes(name):
    lock = {(canonicalize_name(p["name"]), p["version"]):
            {f["hash"] for f in [p.get("sdist", {})] + p.get("wheels", []) if f.get("hash")}
            for p in locked_packages()}
    entries = exported(name)
    assert entries, f"requirements/{name}.txt is empty"
    for req, hashes in entries:
        assert pin(req) in lock, f"{req} is not in uv.lock: run 'make lock'"
        assert hashes and set(hashes) <= lock[pin(req)], req


def test_the_student_set_is_the_lighter_one():
    student = {pin(r) for r, _ in exported("student")}
    dev = {pin(r) for r, _ in exported("dev")}
    assert student < dev
    assert {"nbgrader", "mkdocs", "playwright", "pytest-xdist"} <= {n for n, _ in dev - student}


def test_this_environment_holds_exactly_the_locked_versions():
    """Every package of the full (dev) export that applies to this Python and platform is
    installed, at its pinned version."""
    wrong = {}
    for req, _ in exported("dev"):
        if req.marker is not None and not req.marker.evaluate():
            continue
        name, version = pin(req)
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert not wrong, f"{{package: (locked, installed)}}: {wrong}; run 'make test' again"
