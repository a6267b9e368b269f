"""deploy/: both overlays render with `kubectl kustomize`, every object validates against the
Kubernetes API schemas (kubernetes-validate, strict: an unknown or misspelt field fails), and the
settings docs/deploy.md promises hold in what would be applied: pod security, resources, probes,
the NetworkPolicy, the Secrets, and each overlay's database, shards and migration.

Without kubectl (or kustomize) these tests are SKIPPED, with the reason; CI has kubectl.
"""

from __future__ import annotations

import ipaddress
import re
import shutil
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from bot.cli import build_parser
from bot.health import DATABASE_TIMEOUT
from tests.deploy.conftest import Objects, render
from tests.deploy.image import APP, DEPLOY, ROOT, app_copies, final_stage

# The oldest Kubernetes the manifests support: SHARD_ID comes from the pod-index label (1.28+).
OLDEST_KUBERNETES = "1.28"
WORKLOAD_KINDS = {"StatefulSet", "Deployment", "DaemonSet", "ReplicaSet", "Job"}
PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"]
POD_INDEX = "metadata.labels['apps.kubernetes.io/pod-index']"
SHELLS = {"sh", "bash", "/bin/sh", "/bin/bash", "ash", "dash"}
HEALTH, HEALTH_PORT = "health", 8080  # the bot's /healthz, /readyz and /metrics (bot/health.py)
MONITORING = "monitoring"  # the namespace the NetworkPolicy lets scrape it (docs/deploy.md)


# --------------------------------------------------------------------------- reading the objects


def named(objects: Objects, kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def one(objects: Objects, kind: str) -> dict[str, Any]:
    found = named(objects, kind)
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def workloads(objects: Objects) -> list[dict[str, Any]]:
    found = [o for o in objects if o["kind"] in WORKLOAD_KINDS]
    assert found, "no workload rendered"
    return found


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    spec = pod_spec(workload)
    return [*spec.get("initContainers", []), *spec["containers"]]


def every_container(objects: Objects) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(kind/name/container, container, pod spec) of every container of every workload."""
    return [(f"{w['kind']}/{w['metadata']['name']}/{c['name']}", c, pod_spec(w))
            for w in workloads(objects) for c in containers(w)]


def container(workload: dict[str, Any], name: str) -> dict[str, Any]:
    found = [c for c in containers(workload) if c["name"] == name]
    assert found, f"{workload['metadata']['name']} has no container {name}"
    return found[0]


def env(c: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in c.get("env", [])}


def settings(objects: Objects) -> dict[str, str]:
    """The settings ConfigMap's data (its generated name has a hash suffix)."""
    found = [o for o in named(objects, "ConfigMap") if o["metadata"]["name"].startswith("notesbot-settings")]
    assert len(found) == 1
    return found[0]["data"]


def command_of(c: dict[str, Any]) -> list[str]:
    """What the container execs: its command, or the image's ENTRYPOINT; then its args (or CMD)."""
    stage = final_stage()
    command = c.get("command") or stage.last("ENTRYPOINT").json()
    args = c.get("args") if "args" in c or "command" in c else stage.last("CMD").json()
    return [*command, *(args or [])]


def quantity(value: str | int) -> float:
    text = str(value)
    units = {"m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
    match = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", text)
    assert match and match.group(2) in {"", *units}, f"not a quantity: {text}"
    return float(match.group(1)) * units.get(match.group(2), 1)


def image_files() -> set[str]:
    """The files the Dockerfile copies into /app, as image paths."""
    files = set()
    for source, destination in app_copies():
        base = ROOT / source
        if base.is_file():
            files.add(destination if not destination.endswith("/") else destination + base.name)
        else:
            files |= {destination.rstrip("/") + "/" + p.relative_to(base).as_posix() for p in base.rglob("*")}
    return files


# --------------------------------------------------------------------------- every overlay


def test_each_overlay_renders_what_it_needs_and_no_secret(overlay: tuple[str, Objects]) -> None:
    name, objects = overlay
    kinds = sorted(o["kind"] for o in objects)
    common = ["ConfigMap", "ConfigMap", "Namespace", "NetworkPolicy", "Service", "ServiceAccount", "StatefulSet"]
    extra = {"single": ["PersistentVolumeClaim"], "sharded": ["Job"]}[name]
    assert kinds == sorted(common + extra)
    assert not named(objects, "Secret"), "a Secret in the manifests: tokens and passwords are created apart"
    namespaces = {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"}
    assert namespaces == {one(objects, "Namespace")["metadata"]["name"]}


@pytest.mark.parametrize("version", [OLDEST_KUBERNETES, kubernetes_validate.latest_version()])
def test_every_object_validates_against_the_kubernetes_schemas(overlay: tuple[str, Objects], version: str) -> None:
    _, objects = overlay
    problems = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except (kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError) as exc:
            problems.append(f"{obj['kind']}/{obj['metadata']['name']}: {str(exc).splitlines()[0]}")
    assert not problems, "\n".join(problems)


def test_the_namespace_enforces_the_restricted_pod_security_standard(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    labels = one(objects, "Namespace")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_every_pod_is_hardened(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    image_uid = int(final_stage().last("USER").value.partition(":")[0])
    for workload in workloads(objects):
        where = f"{workload['kind']}/{workload['metadata']['name']}"
        spec = pod_spec(workload)
        pod = spec.get("securityContext", {})
        assert pod.get("runAsNonRoot") is True, where
        assert pod.get("runAsUser") == image_uid, f"{where}: runAsUser is not the image's USER {image_uid}"
        assert pod.get("runAsGroup", 0) != 0, where
        assert pod.get("seccompProfile", {}).get("type") == "RuntimeDefault", where
        assert spec.get("automountServiceAccountToken") is False, f"{where}: the API token is mounted"
        assert not any(spec.get(k) for k in ("hostNetwork", "hostPID", "hostIPC")), where
        assert not any("hostPath" in v for v in spec.get("volumes", [])), where
    for where, c, spec in every_container(objects):
        context = c.get("securityContext", {})
        assert context.get("allowPrivilegeEscalation") is False, f"{where}: allowPrivilegeEscalation"
        assert context.get("readOnlyRootFilesystem") is True, f"{where}: readOnlyRootFilesystem"
        assert context.get("capabilities", {}).get("drop") == ["ALL"], f"{where}: capabilities not all dropped"
        assert not context.get("capabilities", {}).get("add"), f"{where}: capabilities added"
        assert context.get("runAsNonRoot") is True, f"{where}: runAsNonRoot"
        assert context.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{where}: seccomp"
        assert not context.get("privileged"), f"{where}: privileged"
        assert context.get("runAsUser", image_uid) != 0, f"{where}: runs as root"


def test_every_container_has_requests_and_limits(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    for where, c, _ in every_container(objects):
        resources = c.get("resources", {})
        for resource in ("cpu", "memory"):
            request = resources.get("requests", {}).get(resource)
            limit = resources.get("limits", {}).get(resource)
            assert request is not None and limit is not None, f"{where}: no {resource} request and limit"
            assert 0 < quantity(request) <= quantity(limit), f"{where}: {resource} request {request} > limit {limit}"
    bot = container(one(objects, "StatefulSet"), "bot")
    assert quantity(bot["resources"]["limits"]["memory"]) >= 256 * 2**20, "the bot needs a few hundred MiB"


def test_the_bot_serves_its_health_port_set_by_health_port(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    bot = container(one(objects, "StatefulSet"), "bot")
    assert bot["ports"] == [{"name": HEALTH, "containerPort": HEALTH_PORT, "protocol": "TCP"}]
    assert settings(objects)["HEALTH_PORT"] == str(HEALTH_PORT), "the bot would serve another port than declared"
    assert "HEALTH_PORT" not in env(bot) and "HEALTH_HOST" not in env(bot), "set in the settings ConfigMap only"
    assert final_stage().env()["HEALTH_PORT"] == str(HEALTH_PORT), "the image's default differs from the pod's"


def test_the_bot_has_http_probes_on_its_health_port(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    bot = container(one(objects, "StatefulSet"), "bot")
    paths = {}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert probe in bot, f"the bot has no {probe}"
        settings_ = bot[probe]
        assert set(settings_) & {"exec", "httpGet", "tcpSocket", "grpc"} == {"httpGet"}, f"{probe}: not httpGet"
        assert settings_["httpGet"]["port"] == HEALTH, f"{probe}: not on the named port {HEALTH}"
        assert settings_["httpGet"].get("scheme", "HTTP") == "HTTP" and "host" not in settings_["httpGet"], probe
        paths[probe] = settings_["httpGet"]["path"]
        assert settings_["timeoutSeconds"] < settings_["periodSeconds"], probe
        assert "initialDelaySeconds" not in settings_, f"{probe}: the startupProbe holds the others back instead"
    assert paths == {"startupProbe": "/healthz", "livenessProbe": "/healthz", "readinessProbe": "/readyz"}
    ready, live, startup = bot["readinessProbe"], bot["livenessProbe"], bot["startupProbe"]
    assert ready["timeoutSeconds"] > DATABASE_TIMEOUT, "/readyz must answer its 503 before the probe times out"
    assert ready["failureThreshold"] >= 3 and live["failureThreshold"] >= 3, "one slow answer must not count"
    assert live["timeoutSeconds"] >= 3
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 60, "the start needs room"


def test_the_headless_service_declares_the_health_port_for_prometheus(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    service = one(objects, "Service")
    assert service["spec"]["ports"] == [{"name": HEALTH, "port": HEALTH_PORT, "targetPort": HEALTH,
                                         "protocol": "TCP"}]
    annotations = service["metadata"]["annotations"]
    assert {k: v for k, v in annotations.items() if k.startswith("prometheus.io/")} == {
        "prometheus.io/scrape": "true", "prometheus.io/port": str(HEALTH_PORT), "prometheus.io/path": "/metrics"}


def test_no_container_needs_a_shell_and_every_command_exists(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    copied = image_files()
    for where, c, _ in every_container(objects):
        command = command_of(c)
        assert command[0] not in SHELLS and "-c" not in command[:2], f"{where}: runs a shell: {command}"
        assert command[0] == "python", where
        if command[1:3] == ["-m", "bot"]:
            build_parser().parse_args(command[3:])  # a command the CLI knows (exits 2 otherwise)
        else:
            assert command[1] in copied, f"{where} runs {command[1]}, which the Dockerfile does not copy"


def test_only_the_data_folder_and_tmp_are_writable(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    data_dir = settings(objects)["DATA_DIR"]
    notes_dir = settings(objects)["NOTES_DIR"]
    for workload in workloads(objects):
        volumes = {v["name"]: v for v in pod_spec(workload).get("volumes", [])}
        for c in containers(workload):
            for mount in c.get("volumeMounts", []):
                volume = volumes[mount["name"]]
                if mount["mountPath"] not in (data_dir, "/tmp"):
                    assert mount.get("readOnly") is True, f"{c['name']}: {mount['mountPath']} is writable"
                if "configMap" in volume or "secret" in volume:
                    assert mount.get("readOnly") is True, f"{c['name']}: {mount['mountPath']}"
                if mount["mountPath"] == "/tmp":
                    assert volume.get("emptyDir", {}).get("sizeLimit"), "an unbounded /tmp"
    bot = container(one(objects, "StatefulSet"), "bot")
    mounts = {m["mountPath"]: m for m in bot["volumeMounts"]}
    assert data_dir in mounts and mounts[notes_dir]["readOnly"] is True


def test_the_token_and_the_database_url_come_from_secrets(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    bot = container(one(objects, "StatefulSet"), "bot")
    assert env(bot)["DISCORD_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "notesbot-discord", "key": "token"}
    for where, c, _ in every_container(objects):
        for name, variable in env(c).items():
            if name in ("DISCORD_TOKEN", "DATABASE_URL"):
                assert "value" not in variable and "secretKeyRef" in variable["valueFrom"], f"{where}: {name}"
    for config_map in named(objects, "ConfigMap"):
        assert not {"DISCORD_TOKEN", "DATABASE_URL"} & set(config_map.get("data", {})), "a secret in a ConfigMap"


def test_every_container_runs_one_pinned_image(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    images = {c["image"] for _, c, _ in every_container(objects)}
    assert len(images) == 1, images
    image = images.pop()
    name, _, tag = image.rpartition(":")
    assert name and tag and tag != "latest" and "/" not in tag, f"not a pinned tag: {image}"


def test_the_network_policy_allows_only_the_traffic_the_bot_needs(overlay: tuple[str, Objects]) -> None:
    name, objects = overlay
    policy = one(objects, "NetworkPolicy")["spec"]
    for workload in workloads(objects):
        labels = workload["spec"]["template"]["metadata"]["labels"]
        selector = policy["podSelector"]["matchLabels"]
        assert selector.items() <= labels.items(), f"the policy does not select {workload['metadata']['name']}"
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    assert policy["ingress"] == [{
        "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": MONITORING}}}],
        "ports": [{"protocol": "TCP", "port": HEALTH_PORT}],
    }], "only the health port may be reached, and only from Prometheus' namespace"
    allowed = set()
    for rule in policy["egress"]:
        assert rule.get("ports"), "an egress rule without ports allows every port"
        ports = {(p["protocol"], p["port"]) for p in rule["ports"]}
        allowed |= ports
        if ports & {("UDP", 53), ("TCP", 53)}:
            assert ports == {("UDP", 53), ("TCP", 53)}
            assert rule["to"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                   "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}], "DNS to anything"
        elif ports == {("TCP", 443)}:
            blocks = [to["ipBlock"] for to in rule["to"]]
            assert len(blocks) == len(rule["to"]), "HTTPS to pods or namespaces"
            v4 = [b for b in blocks if ipaddress.ip_network(b["cidr"]).version == 4]
            for private in PRIVATE_RANGES:
                for block in v4:
                    assert any(ipaddress.ip_network(private).subnet_of(ipaddress.ip_network(e))
                               for e in block.get("except", [])), f"HTTPS into {private} is allowed"
        else:
            assert ports == {("TCP", 5432)} and name == "sharded", f"unexpected egress {ports}"
    expected = {("UDP", 53), ("TCP", 53), ("TCP", 443)} | ({("TCP", 5432)} if name == "sharded" else set())
    assert allowed == expected


def test_the_statefulset_has_its_governing_service(overlay: tuple[str, Objects]) -> None:
    _, objects = overlay
    statefulset, service = one(objects, "StatefulSet"), one(objects, "Service")
    assert statefulset["spec"]["serviceName"] == service["metadata"]["name"]
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["selector"].items() <= statefulset["spec"]["template"]["metadata"]["labels"].items()


# --------------------------------------------------------------------------- each overlay


def test_single_is_one_bot_on_sqlite_on_a_volume_migrated_by_an_init_container(single: Objects) -> None:
    statefulset = one(single, "StatefulSet")
    assert statefulset["spec"]["replicas"] == 1
    spec = pod_spec(statefulset)
    data_dir = settings(single)["DATA_DIR"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    bot = container(statefulset, "bot")
    data_volume = next(m["name"] for m in bot["volumeMounts"] if m["mountPath"] == data_dir)
    claim = volumes[data_volume]["persistentVolumeClaim"]["claimName"]
    pvc = one(single, "PersistentVolumeClaim")
    assert pvc["metadata"]["name"] == claim and pvc["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert "emptyDir" not in volumes[data_volume]
    assert [c["name"] for c in spec["initContainers"]] == ["migrate"]
    migrate = spec["initContainers"][0]
    assert command_of(migrate) == ["python", "-m", "bot", "db", "upgrade"]
    assert {m["mountPath"]: m["name"] for m in migrate["volumeMounts"]}[data_dir] == data_volume
    assert not any("DATABASE_URL" in env(c) for _, c, _ in every_container(single)), "SQLite: no DATABASE_URL"
    assert not named(single, "Job")
    assert env(bot)["SHARD_COUNT"]["value"] == "1"


def test_sharded_is_one_shard_per_pod_ordinal_on_postgresql(sharded: Objects) -> None:
    statefulset = one(sharded, "StatefulSet")
    replicas = statefulset["spec"]["replicas"]
    assert replicas >= 2
    bot = container(statefulset, "bot")
    variables = env(bot)
    assert variables["SHARD_COUNT"]["value"] == str(replicas)
    assert variables["SHARD_ID"]["valueFrom"]["fieldRef"]["fieldPath"] == POD_INDEX
    assert variables["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "notesbot-database", "key": "url"}
    assert statefulset["spec"]["podManagementPolicy"] == "OrderedReady"
    data_dir = settings(sharded)["DATA_DIR"]
    volumes = {v["name"]: v for v in pod_spec(statefulset)["volumes"]}
    data_volume = next(m["name"] for m in bot["volumeMounts"] if m["mountPath"] == data_dir)
    assert "emptyDir" in volumes[data_volume], "shards keep nothing on disk: PostgreSQL holds it"


def test_sharded_migrates_once_in_a_job_that_each_shard_waits_for(sharded: Objects) -> None:
    job = one(sharded, "Job")
    (migrate,) = pod_spec(job)["containers"]
    assert command_of(migrate) == ["python", "-m", "bot", "db", "upgrade"]
    assert "secretKeyRef" in env(migrate)["DATABASE_URL"]["valueFrom"]
    assert pod_spec(job)["restartPolicy"] in ("Never", "OnFailure")
    assert job["spec"]["backoffLimit"] >= 1 and job["spec"]["ttlSecondsAfterFinished"] > 0
    statefulset = one(sharded, "StatefulSet")
    (wait,) = pod_spec(statefulset)["initContainers"]
    assert command_of(wait)[:4] == ["python", f"{APP}/deploy/image/probe.py", "schema", "--wait"]
    assert float(command_of(wait)[4]) >= 60
    assert "secretKeyRef" in env(wait)["DATABASE_URL"]["valueFrom"]
    upgrading = [where for where, c, _ in every_container(sharded) if command_of(c)[3:5] == ["db", "upgrade"]]
    assert upgrading == [f"Job/{job['metadata']['name']}/migrate"], "only the Job may migrate"
    assert env(container(statefulset, "bot"))["AUTO_MIGRATE"] == {"name": "AUTO_MIGRATE", "value": "false"}


def test_the_shard_count_follows_the_replica_count(tmp_path: Path) -> None:
    """Changing the number of shards where docs/deploy.md says (the sharded overlay's `replicas`)
    changes SHARD_COUNT with it."""
    shutil.copytree(DEPLOY, tmp_path / "deploy")
    kustomization = tmp_path / "deploy" / "overlays" / "sharded" / "kustomization.yaml"
    text, count = re.subn(r"(?m)^(    count:) \d+", r"\1 5", kustomization.read_text())
    assert count == 1, "the sharded overlay sets its replica count in one place"
    kustomization.write_text(text)
    statefulset = one(render(kustomization.parent), "StatefulSet")
    assert statefulset["spec"]["replicas"] == 5
    assert env(container(statefulset, "bot"))["SHARD_COUNT"]["value"] == "5"
