"""The image's entry point, run as a container of it would run it (no image can be built here):

- /app assembled from the Dockerfile's COPY lines and what .dockerignore lets into the context;
- the final stage's ENV, WORKDIR and numeric USER; ENTRYPOINT, CMD and HEALTHCHECK as written;
- the pod's settings (the notesbot-settings ConfigMap) and its notes as the kubelet mounts a
  ConfigMap (`..data` links);
- as root: in a mount namespace where the whole root filesystem is read-only but the data
  folder, as the image's USER with no capabilities and no_new_privs (tests/deploy/sandbox.py);
  as root without mount namespaces: as the image's USER (setuid), with /app and the notes
  read-only, or SKIPPED with the reason when that user cannot run this Python; as any other
  user: that user, with /app and the notes read-only (`Image` in tests/deploy/image.py).

Then the migration, a reindex and an answer, the init containers' checks, and `run` against the
Discord test double, serving /healthz, /readyz and /metrics to the probes and the HEALTHCHECK,
must work while writing nothing outside DATA_DIR.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.deploy.image import APP, DEPLOY, Image, kustomization_literals
from tests.discord_double import DiscordDouble

SETTINGS = kustomization_literals(DEPLOY / "base" / "kustomization.yaml", "notesbot-settings")
STATEFULSET = yaml.safe_load((DEPLOY / "base" / "statefulset.yaml").read_text())
BOT = STATEFULSET["spec"]["template"]["spec"]["containers"][0]
MIGRATE = yaml.safe_load((DEPLOY / "overlays" / "single" / "statefulset-sqlite.yaml").read_text())[
    "spec"]["template"]["spec"]["initContainers"][0]
WAIT_FOR_SCHEMA = yaml.safe_load((DEPLOY / "overlays" / "sharded" / "statefulset-postgres.yaml").read_text())[
    "spec"]["template"]["spec"]["initContainers"][0]
GRACE_SECONDS = STATEFULSET["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
DATABASE_FILES = {"notesbot.sqlite3", "notesbot.sqlite3-wal", "notesbot.sqlite3-shm"}
NOTE = "running-notesbot-on-kubernetes.md"
TROUBLE = ("Traceback", "Read-only file system", "Permission denied")
PROBE = f"{APP}/deploy/image/probe.py"


def free_port() -> int:
    """A port nothing listens on now (HEALTH_PORT=0 would not tell the test which one it got)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port: int, probe: dict) -> tuple[int, str]:  # type: ignore[type-arg]
    """What the kubelet does for an httpGet probe on the pod's address, here 127.0.0.1: (status,
    body), or (0, why) when nothing answers."""
    assert probe["httpGet"]["port"] == "health", probe
    url = f"http://127.0.0.1:{port}{probe['httpGet']['path']}"
    try:
        with urllib.request.urlopen(url, timeout=probe["timeoutSeconds"]) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except (urllib.error.URLError, OSError) as error:
        return 0, str(error)


def snapshot(folder: Path) -> dict[str, tuple[int, float]]:
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime) for p in folder.rglob("*")}


def ok(done, what: str) -> str:  # type: ignore[no-untyped-def]
    assert done.returncode == 0, f"{what} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    assert not any(t in done.stderr for t in TROUBLE), f"{what}:\n{done.stderr}"
    return done.stdout


def migrate(image: Image) -> None:
    ok(image.run([*image.entry_point(), *MIGRATE["args"]], SETTINGS), "the migrate init container")


def test_the_sandbox_is_what_the_pod_gets(image: Image) -> None:
    """Runs as the image's USER with nothing to gain and only DATA_DIR writable (as root); or as
    this non-root user with the image's tree read-only."""
    program = """
import json, os, sys
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
wrote = {}
for folder in sys.argv[1:]:
    try:
        with open(os.path.join(folder, "probe-write"), "w"):
            pass
        os.remove(os.path.join(folder, "probe-write"))
        wrote[folder] = True
    except OSError:
        wrote[folder] = False
print(json.dumps({"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "wrote": wrote,
                  "CapEff": status["CapEff"].strip(), "CapBnd": status["CapBnd"].strip(),
                  "NoNewPrivs": status["NoNewPrivs"].strip()}))
"""
    folders = [APP, "/notes", "/data"] + (["/tmp", "/"] if image.mode == "namespace" else [])
    seen = json.loads(ok(image.run(["python", "-c", program, *[image.host(f) for f in folders]]), "the check"))
    written = {folder for folder, done in zip(folders, seen["wrote"].values()) if done}
    assert written == {"/data"}
    if image.mode == "unprivileged":
        assert seen["uid"] != 0
    else:
        assert (seen["uid"], seen["gid"], seen["groups"]) == (image.uid, image.gid, [])
        assert seen["CapEff"] == "0000000000000000"
    if image.mode == "namespace":
        assert seen["CapBnd"] == "0000000000000000" and seen["NoNewPrivs"] == "1"


def test_the_entry_point_migrates_indexes_and_answers_writing_only_in_the_data_folder(image: Image) -> None:
    app_before, notes_before = snapshot(image.app), snapshot(image.notes)
    migrate(image)
    summary = json.loads(ok(image.run([*image.entry_point(), "reindex", "--json"], SETTINGS), "reindex"))
    assert summary["added"] == [NOTE] and summary["skipped"] == [] and summary["chunks"] > 0
    answer = json.loads(ok(image.run([*image.entry_point(), "ask", "readOnlyRootFilesystem", "--json"], SETTINGS),
                           "ask"))
    assert answer["results"][0]["source"] == NOTE and answer["results"][0]["heading"].endswith("Pod security")
    assert {p.name for p in image.data.iterdir()} <= DATABASE_FILES and (image.data / "notesbot.sqlite3").exists()
    assert snapshot(image.app) == app_before and snapshot(image.notes) == notes_before


def test_the_init_containers_check_and_the_healthcheck_without_a_bot(image: Image) -> None:
    """wait-for-schema fails while the schema is behind and passes after the migration; `probe.py
    database` answers for troubleshooting; the HEALTHCHECK fails in one line while no bot serves
    /readyz (it passes against the running bot: the next test)."""
    never_waits = [*WAIT_FOR_SCHEMA["command"][:-1], "0"]
    waiting = image.run(never_waits, SETTINGS)
    assert waiting.returncode == 1 and "python -m bot db upgrade" in waiting.stderr, waiting.stderr
    migrate(image)
    ok(image.run(WAIT_FOR_SCHEMA["command"], SETTINGS, timeout=60), "the wait-for-schema init container")
    ok(image.run(["python", PROBE, "database"], SETTINGS), "probe.py database")
    unreachable = {**SETTINGS, "DATABASE_URL": "postgresql+asyncpg://notesbot@127.0.0.1:9/notesbot"}
    down = image.run(["python", PROBE, "database"], unreachable)
    assert down.returncode == 1 and down.stderr.startswith("probe: database: cannot reach the database")
    assert len(down.stderr.strip().splitlines()) == 1 and "Traceback" not in down.stderr
    port = free_port()
    nobody = image.run(image.healthcheck(), {**SETTINGS, "HEALTH_PORT": str(port)})
    assert nobody.returncode == 1, nobody.stderr
    assert nobody.stderr.startswith(f"probe: http-ready: http://127.0.0.1:{port}/readyz: no answer"), nobody.stderr
    assert len(nobody.stderr.strip().splitlines()) == 1
    unset = image.run(image.healthcheck(), {**SETTINGS, "HEALTH_PORT": ""})
    assert unset.returncode == 1 and "HEALTH_PORT" in unset.stderr, unset.stderr


@pytest.mark.slow
async def test_the_images_cmd_runs_the_bot_until_sigterm(image: Image, tmp_path: Path) -> None:
    """ENTRYPOINT + CMD (`python -m bot run`) against the Discord test double, on a free
    HEALTH_PORT: /healthz answers, /readyz says 503 and why until the bot is connected, then 200
    (the kubelet's httpGet probes, as the StatefulSet declares them, and the HEALTHCHECK), /metrics
    is Prometheus text; it answers /ask from the ConfigMap's note and stops within the pod's grace
    period on SIGTERM, having written only in DATA_DIR."""
    migrate(image)
    port = free_port()
    async with DiscordDouble() as double:
        pod_env = {**SETTINGS, **double.endpoint_env(), "HEALTH_PORT": str(port)}
        env = image.env(pod_env)
        log = tmp_path / "bot.log"
        with log.open("wb") as output:
            bot = await asyncio.create_subprocess_exec(
                *image.argv([*image.entry_point(), *image.default_command()]), env=env, cwd=image.cwd(),
                stdout=output, stderr=output, preexec_fn=image.preexec)
        try:
            seen = await until(lambda: http_get(port, BOT["startupProbe"]), 200, bot, log)
            assert seen[0][1] == "ok\n"
            await double.wait_until_connected(timeout=60)
            readiness = await until(lambda: http_get(port, BOT["readinessProbe"]), 200, bot, log)
            assert readiness[0][1] == "ready\n"
            for status, body in readiness[1:]:  # before: 503 and one line saying what is not ready
                assert status == 503 and body.startswith("not ready: ") and body.count("\n") == 1, body
            live = await asyncio.to_thread(http_get, port, BOT["livenessProbe"])
            assert live == (200, "ok\n")
            interaction = await double.send_slash_command("ask", {"question": "readOnlyRootFilesystem"})
            callback = await double.wait_for_callback(interaction, timeout=30)
            assert NOTE in json.dumps(callback.json)
            metrics = await asyncio.to_thread(http_get, port, {"httpGet": {"port": "health", "path": "/metrics"},
                                                               "timeoutSeconds": 5})
            assert metrics[0] == 200 and "# TYPE notesbot_questions_total counter" in metrics[1], metrics
            assert 'notesbot_questions_total{outcome="answered"} 1.0' in metrics[1], metrics[1]
            healthcheck = await asyncio.create_subprocess_exec(
                *image.argv(image.healthcheck()), env=image.env(pod_env), cwd=image.cwd(),
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, preexec_fn=image.preexec)
            _, healthcheck_err = await asyncio.wait_for(healthcheck.communicate(), 60)
            assert healthcheck.returncode == 0, healthcheck_err.decode()
            bot.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(bot.wait(), GRACE_SECONDS)
        finally:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
    text = log.read_text(errors="replace")
    assert code == 0, text
    assert not any(t in text for t in TROUBLE), text
    assert f"serving /healthz, /readyz and /metrics on http://0.0.0.0:{port}" in text, text
    assert {p.name for p in image.data.iterdir()} <= DATABASE_FILES
    assert os.environ.get("DISCORD_TOKEN") is None or os.environ["DISCORD_TOKEN"] not in env.values()
    assert http_get(port, BOT["livenessProbe"])[0] == 0, "still served after the bot stopped"


async def until(get, status: int, bot, log: Path, timeout: float = 60) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    """Call `get` (off the event loop) until it returns `status`: the answers, newest first."""
    seen: list[tuple[int, str]] = []
    deadline = time.monotonic() + timeout
    while True:
        answer = await asyncio.to_thread(get)
        if answer[0] == status:
            return [answer, *reversed(seen)]
        if answer[0] != 0:
            seen.append(answer)
        assert bot.returncode is None, f"the bot exited:\n{log.read_text(errors='replace')}"
        assert time.monotonic() < deadline, f"still {answer} after {timeout} s:\n{log.read_text(errors='replace')}"
        await asyncio.sleep(0.2)


async def test_the_sharded_migration_and_probes_on_postgresql(image: Image) -> None:
    """The sharded overlay's commands on PostgreSQL (NOTESBOT_TEST_POSTGRES_URL, a throwaway
    database that is WIPED, as in tests/conftest.py): each shard's init container waits while the
    schema is behind, the migration Job's `db upgrade` brings it to head, then the wait and
    `probe.py database` pass. SKIPPED without that URL (FAILED under
    NOTESBOT_REQUIRE_POSTGRES=1, as CI runs)."""
    from bot.core.errors import StorageError
    from bot.core.storage.database import reset_postgres_schema

    url = os.environ.get("NOTESBOT_TEST_POSTGRES_URL")
    required = os.environ.get("NOTESBOT_REQUIRE_POSTGRES", "").strip().lower() not in ("", "0", "false", "no")
    try:
        if not url:
            raise StorageError("NOTESBOT_TEST_POSTGRES_URL is not set")
        await reset_postgres_schema(url)
    except StorageError as exc:
        if required:
            pytest.fail(f"NOTESBOT_REQUIRE_POSTGRES is set: {exc}", pytrace=False)
        pytest.skip(str(exc))
    job = yaml.safe_load((DEPLOY / "overlays" / "sharded" / "migrate-job.yaml").read_text())
    (migrate_container,) = job["spec"]["template"]["spec"]["containers"]
    pod_env = {**SETTINGS, "DATABASE_URL": url}
    loop = asyncio.get_running_loop()

    def run(command: list[str]):  # type: ignore[no-untyped-def]  # off the event loop
        return loop.run_in_executor(None, lambda: image.run(command, pod_env))

    waiting = await run([*WAIT_FOR_SCHEMA["command"][:-1], "0"])
    assert waiting.returncode == 1 and "python -m bot db upgrade" in waiting.stderr, waiting.stderr
    ok(await run([*image.entry_point(), *migrate_container["args"]]), "the migration Job")
    ok(await run(WAIT_FOR_SCHEMA["command"]), "the wait-for-schema init container")
    ok(await run(["python", PROBE, "database"]), "probe.py database")
    assert list(image.data.iterdir()) == [], "on PostgreSQL nothing is written in DATA_DIR"
