"""Run one command the way a notesbot container runs in its pod, without a container runtime.

Started as root inside a new mount namespace (`unshare --mount --propagation private python
sandbox.py ...`), it changes only that namespace: it bind-mounts each --writable folder over
itself, makes every other filesystem read-only (readOnlyRootFilesystem; /proc, /sys and /dev stay
as a runtime leaves them), then becomes --user with no capabilities, no supplementary groups and
no_new_privs (runAsUser, capabilities drop ALL, allowPrivilegeEscalation false), and execs the
command in --cwd: the same process, so signals sent to it reach the command.

Folders the user could not traverse on this machine (a Python under /root, mode 700) are made
reachable first with --reach: the closed ancestor is covered by a small read-only tmpfs that holds
only the way to the folder, bound from the original (by way of a mount point in --stage, whose
folders the caller removes afterwards: this namespace can no longer write there).

Exit status 125 and a line "sandbox: ..." on standard error when the namespace cannot be set up.
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

UNAVAILABLE = 125
AS_THE_RUNTIME_LEAVES_THEM = ("/proc", "/sys", "/dev")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writable", action="append", default=[], help="a folder left writable")
    parser.add_argument("--reach", action="append", default=[], help="a folder the user must reach")
    parser.add_argument("--stage", required=True, help="an empty folder for mounts in passing (left empty)")
    parser.add_argument("--user", required=True, help="UID:GID")
    parser.add_argument("--cwd", required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    uid, gid = (int(part) for part in args.user.split(":"))
    try:
        if os.geteuid() != 0:
            raise OSError("must start as root (in a new mount namespace)")
        for folder in args.reach:
            make_reachable(Path(folder), args.stage)
        writable = [os.path.realpath(folder) for folder in args.writable]
        for folder in writable:
            mount("--bind", folder, folder)
        for point in sorted(set(mount_points())):
            if point.startswith(AS_THE_RUNTIME_LEAVES_THEM) or under_any(point, writable):
                continue
            mount("-o", "remount,bind,ro", point)
        os.chdir(args.cwd)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        print(f"sandbox: cannot set up: {exc} {detail}".strip(), file=sys.stderr)
        sys.exit(UNAVAILABLE)
    os.execvp("setpriv", ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--no-new-privs",
                          "--inh-caps=-all", "--bounding-set=-all", "--", *command])


def mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, text=True)


def mount_points() -> list[str]:
    with open("/proc/self/mountinfo", encoding="utf-8") as info:
        return [re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line.split()[4]) for line in info]


def under_any(path: str, folders: list[str]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in folders)


def make_reachable(folder: Path, stage: str) -> None:
    parts = folder.resolve().parts
    for depth in range(2, len(parts)):
        ancestor, child = Path(*parts[:depth]), Path(*parts[:depth + 1])
        if ancestor.stat().st_mode & stat.S_IXOTH:
            continue
        held = tempfile.mkdtemp(dir=stage)
        mount("--bind", str(child), held)
        mount("-t", "tmpfs", "-o", "mode=0755,size=64k", "notesbot-sandbox", str(ancestor))
        child.mkdir()
        mount("--move", held, str(child))


if __name__ == "__main__":
    main()
