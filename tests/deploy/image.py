"""The Dockerfile read as data, and its image's file tree and entry point reproduced without a
container runtime (no image can be built on this machine), for the tests of tests/deploy/.

- `dockerfile()`: the stages, each with its instructions (continuations joined, comments dropped).
- `ignored(path)`: whether .dockerignore keeps a path of the repository out of the build context.
- `Image`: /app assembled from the Dockerfile's COPY lines (what the build context lets in), the
  final stage's ENV, WORKDIR, USER, ENTRYPOINT, CMD and HEALTHCHECK, and `run()`, which runs a
  command as a container of the image would: as its USER, on a read-only root filesystem, with
  only DATA_DIR writable (tests/deploy/sandbox.py), the image's paths mapped to this machine's.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
DEPLOY = ROOT / "deploy"
SANDBOX = Path(__file__).with_name("sandbox.py")
SANDBOX_UNAVAILABLE = 125
# The paths the image's processes see; everything else of the root filesystem is the base image's.
APP, DATA, NOTES, VENV = "/app", "/data", "/notes", "/opt/venv"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


# --------------------------------------------------------------------------- the Dockerfile


@dataclass
class Instruction:
    keyword: str
    value: str

    def json(self) -> list[str]:
        """The exec (JSON array) form's arguments; fails on the shell form."""
        parsed = json.loads(self.value)
        assert isinstance(parsed, list) and all(isinstance(a, str) for a in parsed), self.value
        return parsed


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction:
        found = self.all(keyword)
        assert found, f"the stage {self.name or self.base} has no {keyword}"
        return found[-1]

    def env(self) -> dict[str, str]:
        env: dict[str, str] = {}
        for instruction in self.all("ENV"):
            for pair in shlex.split(instruction.value):
                key, sep, value = pair.partition("=")
                assert sep, f"ENV {instruction.value}: use the KEY=value form"
                env[key] = value
        return env


def instructions(text: str) -> list[Instruction]:
    found: list[Instruction] = []
    logical = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not logical):
            continue
        if stripped.endswith("\\"):
            logical += stripped[:-1].rstrip() + " "
            continue
        logical += stripped
        keyword, _, value = logical.strip().partition(" ")
        found.append(Instruction(keyword.upper(), value.strip()))
        logical = ""
    assert not logical, "the Dockerfile ends inside a continued line"
    return found


def dockerfile(text: str | None = None) -> list[Stage]:
    """The stages, FROM's ${ARG}s resolved with the global ARGs' defaults."""
    text = DOCKERFILE.read_text() if text is None else text
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for instruction in instructions(text):
        if instruction.keyword == "ARG" and not stages:
            name, _, default = instruction.value.partition("=")
            global_args[name] = default
        elif instruction.keyword == "FROM":
            words = instruction.value.split()
            base = re.sub(r"\$\{?(\w+)\}?", lambda m: global_args.get(m.group(1), m.group(0)), words[0])
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base, name))
        else:
            assert stages, f"{instruction.keyword} before the first FROM"
            stages[-1].instructions.append(instruction)
    return stages


def copy_parts(instruction: Instruction) -> tuple[dict[str, str], list[str], str]:
    """COPY's (--options, sources, destination)."""
    words = shlex.split(instruction.value)
    options = dict(w[2:].partition("=")[::2] for w in words if w.startswith("--"))
    paths = [w for w in words if not w.startswith("--")]
    return options, paths[:-1], paths[-1]


# --------------------------------------------------------------------------- .dockerignore


def _pattern(pattern: str) -> re.Pattern[str]:
    pattern = pattern.strip().lstrip("/")
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out.rstrip("/") + "$")


def ignored(path: str, rules: str | None = None) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parent folders decides."""
    rules = DOCKERIGNORE.read_text() if rules is None else rules
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    decision = False
    for line in rules.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        regex = _pattern(line[1:] if negated else line)
        if any(regex.match(prefix) for prefix in prefixes):
            decision = not negated
    return decision


def context_files(source: str) -> list[str]:
    """The repository files under `source` that reach the build context."""
    base = ROOT / source
    files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
    return [rel for p in files if not ignored(rel := p.relative_to(ROOT).as_posix())]


# --------------------------------------------------------------------------- the image


def build_stage() -> Stage:
    return next(stage for stage in dockerfile() if stage.name == "build")


def final_stage() -> Stage:
    return dockerfile()[-1]


def app_copies() -> list[tuple[str, str]]:
    """(repository path, image path) of each build-stage COPY into /app."""
    pairs = []
    for instruction in build_stage().all("COPY"):
        options, sources, destination = copy_parts(instruction)
        if destination.startswith(APP + "/") and "from" not in options:
            pairs += [(source, destination) for source in sources]
    return pairs


def assemble_app(into: Path) -> Path:
    """/app as the image holds it: each build-stage COPY into /app, of what the context lets in."""
    for source, destination in app_copies():
        for rel in context_files(source):
            if destination.endswith("/"):
                target = into / destination.removeprefix(APP + "/") / Path(rel).relative_to(source.rstrip("/"))
            else:
                target = into / destination.removeprefix(APP + "/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, target)
    return into


def configmap_mount(files: dict[str, str], into: Path) -> Path:
    """A folder laid out as the kubelet mounts a ConfigMap: the files in a timestamped hidden
    folder, `..data` linking to it, and one link per key to `..data/KEY`."""
    into.mkdir(parents=True)
    timestamped = into / "..2026_01_01_00_00_00.000000001"
    timestamped.mkdir()
    for key, text in files.items():
        (timestamped / key).write_text(text, encoding="utf-8")
    (into / "..data").symlink_to(timestamped.name)
    for key in files:
        (into / key).symlink_to(f"..data/{key}")
    return into


def kustomization_literals(path: Path, generator: str) -> dict[str, str]:
    kustomization = yaml.safe_load(path.read_text())
    entry = next(g for g in kustomization["configMapGenerator"] if g["name"] == generator)
    return dict(literal.split("=", 1) for literal in entry.get("literals", []))


def kustomization_files(path: Path, generator: str) -> dict[str, str]:
    kustomization = yaml.safe_load(path.read_text())
    entry = next(g for g in kustomization["configMapGenerator"] if g["name"] == generator)
    files = {}
    for item in entry.get("files", []):
        key, _, file = item.rpartition("=")
        files[key or Path(file).name] = (path.parent / file).read_text(encoding="utf-8")
    return files


def read_only_tree(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def writable_tree(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def namespace_problem() -> str | None:
    """Why the mount-namespace sandbox cannot run here, or None."""
    if os.geteuid() != 0:
        return "not root"
    missing = [tool for tool in ("unshare", "setpriv", "mount") if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} not found"
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], capture_output=True, text=True)
    if done.returncode != 0:
        return f"unshare --mount failed: {done.stderr.strip()}"
    return None


class Image:
    """A container of the image, on this machine: /app assembled in `root`/app, a data volume in
    `root`/data, the notes' ConfigMap in `root`/notes. Only the data folder is writable:

    - "namespace" (root, with mount namespaces): as the image's USER, no capabilities, no_new_privs,
      on a read-only root filesystem (tests/deploy/sandbox.py), the closest to the pod;
    - "setuid" (root without them): as the image's USER (setuid in the child), /app and the
      notes read-only, if that user can run this Python; else `mode` is "" and `unavailable` why;
    - "unprivileged" (not root): as this user, /app and the notes read-only.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.stage = final_stage()
        self.app = assemble_app(root / "app")
        notes = kustomization_files(DEPLOY / "base" / "kustomization.yaml", "notesbot-notes")
        self.notes = configmap_mount(notes, root / "notes")
        self.data = root / "data"
        self.data.mkdir()
        self.stage_dir = root / "stage"  # the sandbox's mounts in passing
        self.stage_dir.mkdir(mode=0o700)
        user = self.stage.last("USER").value
        uid, _, gid = user.partition(":")
        assert uid.isdigit() and (not gid or gid.isdigit()), f"USER {user}: use a numeric uid:gid"
        self.uid, self.gid = int(uid), int(gid or uid)
        self.unavailable = ""
        problem = namespace_problem()
        if os.geteuid() != 0:
            self.mode = "unprivileged"
        else:
            root.chmod(0o755)  # mkdtemp's 700 would keep the image's user out
            os.chown(self.data, self.uid, self.gid)  # what fsGroup / the image's chown do
            self.mode = "namespace" if problem is None else "setuid"
        if self.mode != "namespace":
            read_only_tree(self.app)
            read_only_tree(self.notes)
        if self.mode == "setuid":  # the fallback: the image's user, without a read-only root
            try:
                runs = subprocess.run([sys.executable, "-c", "pass"], preexec_fn=self.preexec).returncode == 0
            except OSError:
                runs = False
            if not runs:
                self.mode = ""
                self.unavailable = (f"running as root without a mount namespace ({problem}), and uid {self.uid} "
                                    f"cannot run {sys.executable}")

    @property
    def preexec(self) -> Callable[[], None] | None:
        """For subprocess: become the image's user (the "setuid" mode), else nothing."""
        if self.mode != "setuid":
            return None
        uid, gid = self.uid, self.gid

        def drop() -> None:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)

        return drop

    def close(self) -> None:
        writable_tree(self.root)
        shutil.rmtree(self.root, ignore_errors=True)

    def host(self, value: str) -> str:
        """An image path (or a PATH-like list of them) as this machine's."""
        mapping = {APP: str(self.app), DATA: str(self.data), NOTES: str(self.notes), VENV: sys.prefix}

        def one(path: str) -> str:
            for image_path, here in mapping.items():
                if path == image_path or path.startswith(image_path + "/"):
                    return here + path[len(image_path):]
            return path

        return ":".join(one(part) for part in value.split(":"))

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The final stage's ENV (then `extra`, e.g. a pod's env), paths mapped, nothing else from
        this process's environment."""
        env: dict[str, str] = {}
        for key, value in {**self.stage.env(), **(extra or {})}.items():
            value = value.replace("$PATH", SYSTEM_PATH).replace("${PATH}", SYSTEM_PATH)
            env[key] = self.host(value)
        return env

    def entry_point(self) -> list[str]:
        return self.stage.last("ENTRYPOINT").json()

    def default_command(self) -> list[str]:
        return self.stage.last("CMD").json()

    def healthcheck(self) -> list[str]:
        value = self.stage.last("HEALTHCHECK").value
        words = value.split(" ")
        at = words.index("CMD")
        return Instruction("CMD", " ".join(words[at + 1:])).json()

    def argv(self, command: list[str]) -> list[str]:
        """`command` (an exec form, e.g. ENTRYPOINT + CMD) as this machine runs it."""
        command = [self.host(word) if word.startswith("/") else word for word in command]
        if self.mode in ("unprivileged", "setuid"):
            return command
        assert self.mode == "namespace", self.unavailable
        reach = {os.path.dirname(os.path.realpath(sys.executable)), sys.base_prefix, sys.prefix}
        return ["unshare", "--mount", "--propagation", "private", sys.executable, str(SANDBOX),
                "--writable", str(self.data), *[arg for r in sorted(reach) for arg in ("--reach", r)],
                "--stage", str(self.stage_dir),
                "--user", f"{self.uid}:{self.gid}", "--cwd", self.host(self.stage.last("WORKDIR").value),
                "--", *command]

    def cwd(self) -> str:
        return self.host(self.stage.last("WORKDIR").value)

    def run(self, command: list[str], env: dict[str, str] | None = None, *, timeout: float = 120,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(self.argv(command), env=self.env(env), cwd=self.cwd(), capture_output=True, text=True,
                              timeout=timeout, input=stdin, preexec_fn=self.preexec)
        if done.returncode == SANDBOX_UNAVAILABLE and done.stderr.startswith("sandbox:"):
            raise RuntimeError(done.stderr)
        return done



def new_image() -> Image:
    root = Path(tempfile.mkdtemp(prefix="notesbot-image-"))
    try:
        return Image(root)
    except BaseException:
        writable_tree(root)
        shutil.rmtree(root, ignore_errors=True)
        raise
