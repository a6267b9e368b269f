"""Fixtures of tests/deploy/: the overlays rendered by `kubectl kustomize`, and an `Image`."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.image import DEPLOY, Image, new_image

OVERLAYS = ("single", "sharded")
Objects = list[dict[str, Any]]


def kustomize_command() -> list[str] | None:
    """`kubectl kustomize` (kustomize is built into kubectl), else a standalone `kustomize build`."""
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    return None


def render(folder: Path) -> Objects:
    command = kustomize_command()
    if command is None:
        pytest.skip("kubectl is not installed (nor kustomize): the manifests cannot be rendered here; CI has it")
    done = subprocess.run([*command, str(folder)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(command)} {folder} failed:\n{done.stderr}"
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


_rendered: dict[str, Objects] = {}


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> tuple[str, Objects]:
    """(name, objects) of each overlay, rendered once per session."""
    name = request.param
    if name not in _rendered:
        _rendered[name] = render(DEPLOY / "overlays" / name)
    return name, _rendered[name]


@pytest.fixture
def single() -> Objects:
    if "single" not in _rendered:
        _rendered["single"] = render(DEPLOY / "overlays" / "single")
    return _rendered["single"]


@pytest.fixture
def sharded() -> Objects:
    if "sharded" not in _rendered:
        _rendered["sharded"] = render(DEPLOY / "overlays" / "sharded")
    return _rendered["sharded"]


@pytest.fixture
def image() -> Iterator[Image]:
    """A fresh container of the image: its /app, an empty data volume, the notes' ConfigMap."""
    made = new_image()
    try:
        if not made.mode:
            pytest.skip(made.unavailable)
        yield made
    finally:
        made.close()
