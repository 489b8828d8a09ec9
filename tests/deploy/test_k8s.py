"""The Kubernetes manifests of deploy/k8s/, validated offline: every document
against the bundled schemas of Kubernetes 1.28 (kubernetes-validate, strict:
unknown fields fail), and what the schemas cannot know: no secret in a
manifest, images at the project's version, probes and a non-root sandbox for
every workload, every timer a CronJob, the embedded files equal to deploy/'s."""

from __future__ import annotations

from typing import Dict, List

import kubernetes_validate
import pytest
import yaml

from core.settings import PROJECT_ROOT
from core.version import __version__

K8S = PROJECT_ROOT / "deploy" / "k8s"
FILES = sorted(K8S.glob("*.yml"))
DOCUMENTS: List[Dict] = [d for f in FILES for d in yaml.safe_load_all(f.read_text()) if d]


def _kind(kind: str) -> Dict[str, Dict]:
    return {d["metadata"]["name"]: d for d in DOCUMENTS if d["kind"] == kind}


def _pod(document: Dict) -> Dict:
    spec = document["spec"]
    if document["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


@pytest.mark.parametrize(
    "document", DOCUMENTS, ids=lambda d: f"{d['kind']}/{d['metadata']['name']}"
)
def test_every_manifest_is_valid_for_kubernetes_1_28(document):
    kubernetes_validate.validate(document, "1.28.0", strict=True)


def test_every_process_and_timer_has_its_workload():
    assert {"actions", "rasa", "outbox", "console", "billing-api", "models", "redis"} <= set(
        _kind("Deployment")
    )
    assert _kind("Deployment")["rasa"]["spec"]["replicas"] == 2
    timers = yaml.safe_load((PROJECT_ROOT / "deploy" / "timers.yml").read_text())
    assert set(_kind("CronJob")) == set(timers)
    assert [j for j in _kind("Job") if j.startswith("teplo-migrate-")]
    assert {"actions", "rasa", "console", "billing-api", "models", "redis"} <= set(_kind("Service"))
    assert "teplo-state" in _kind("PersistentVolumeClaim")


def test_secrets_are_referenced_never_embedded():
    assert _kind("Secret") == {}
    for document in DOCUMENTS:
        if document["kind"] in ("Deployment", "Job", "CronJob"):
            for container in _pod(document)["containers"]:
                for variable in container.get("env", []):
                    secretish = any(w in variable["name"] for w in ("TOKEN", "PASSWORD", "SECRET"))
                    assert not (secretish and "value" in variable), variable["name"]


def test_our_images_are_at_the_projects_version_and_sandboxed():
    for document in DOCUMENTS:
        if document["kind"] not in ("Deployment", "Job", "CronJob"):
            continue
        pod = _pod(document)
        assert pod["securityContext"]["runAsNonRoot"] is True, document["metadata"]["name"]
        for container in pod["containers"] + pod.get("initContainers", []):
            if "teplo-" in container["image"]:
                assert container["image"].endswith(f":{__version__}"), container["image"]
            if container in pod["containers"] and container["name"] not in ("models", "redis"):
                assert {"secretRef": {"name": "teplo-env"}} in container["envFrom"]
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
        if document["kind"] == "Deployment":
            for container in pod["containers"]:
                assert "readinessProbe" in container and "livenessProbe" in container


def test_embedded_files_equal_deploys():
    models = _kind("ConfigMap")["teplo-models-nginx"]["data"]["default.conf"]
    assert models == (PROJECT_ROOT / "deploy" / "nginx" / "models.conf").read_text()
    backup = _kind("ConfigMap")["teplo-backup-script"]["data"]["backup.sh"]
    assert backup == (PROJECT_ROOT / "deploy" / "backup.sh").read_text()


def test_only_the_messenger_webhooks_are_public():
    paths = [
        p["path"]
        for ingress in _kind("Ingress").values()
        for rule in ingress["spec"]["rules"]
        for p in rule["http"]["paths"]
    ]
    assert sorted(paths) == ["/webhooks/telegram/webhook", "/webhooks/viber/webhook"]
    assert all(s["spec"].get("type", "ClusterIP") == "ClusterIP" for s in _kind("Service").values())
