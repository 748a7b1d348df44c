"""deploy/kubernetes/, validated: each manifest, rendered as an instructor renders it
(``envsubst``), against the Kubernetes API schemas of a pinned version with
kubernetes-validate (strict: an unknown or misspelt field fails), the Zero to
JupyterHub values' Kubernetes parts the same way and their JupyterHub scopes
against JupyterHub's own list, and the references between the files.

Where ``helm`` and the z2jh chart are available (``ANNCOURSE_Z2JH_CHART`` names a
chart folder or archive), the chart is rendered with the values and every object
validated too; elsewhere that test is skipped with the reason.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from conftest import ROOT

kubernetes_validate = pytest.importorskip("kubernetes_validate")

DEPLOY = ROOT / "deploy" / "kubernetes"
# The oldest Kubernetes the manifests claim to support (README.md says why:
# Indexed Jobs with backoffLimitPerIndex, and appArmorProfile, are GA there),
# and the newest schemas the validator ships.
VERSIONS = ("1.33", kubernetes_validate.latest_version())
SETTINGS = {"NAMESPACE": "anncourse", "COURSE": "anncourse", "IMAGE": "registry.example.edu/anncourse:1.0",
            "RWX_STORAGE_CLASS": "nfs-client", "ASSIGNMENT": "18-loss-functions", "SHARDS": "8",
            "JOB": "autograde-18-loss-functions-1"}
MANIFESTS = ("exchange.yaml", "grader.yaml", "postgres.yaml", "autograde-job.yaml")


# What envsubst replaces: $NAME and ${NAME}, wherever they are (an unset one
# becomes empty, so here a name without a setting fails instead).
ENVSUBST = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def render(name, settings=SETTINGS):
    """The documents of a manifest after ``envsubst`` with ``settings``."""
    def value(found):
        key = found.group(1) or found.group(2)
        assert key in settings, f"{name}: envsubst would empty ${key}"
        return settings[key]

    rendered = ENVSUBST.sub(value, (DEPLOY / name).read_text())
    return [doc for doc in yaml.safe_load_all(rendered) if doc]


def objects():
    return {(name, doc["kind"], doc["metadata"]["name"]): doc
            for name in MANIFESTS for doc in render(name)}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", MANIFESTS)
def test_manifest_is_valid_kubernetes(name, version):
    docs = render(name)
    assert docs, f"{name} holds no object"
    for doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)


def test_the_validator_rejects_what_it_should():
    # The checks above must be able to fail: a misspelt field, a wrong type.
    job = render("autograde-job.yaml")[0]
    job["spec"]["template"]["spec"]["containers"][0]["volumeMount"] = []
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, VERSIONS[0], strict=True)
    job = render("autograde-job.yaml")[0]
    job["spec"]["completions"] = "eight"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, VERSIONS[0], strict=True)


def test_every_placeholder_is_documented():
    readme = (DEPLOY / "README.md").read_text()
    for name in MANIFESTS:
        for found in ENVSUBST.finditer((DEPLOY / name).read_text()):
            placeholder = found.group(1) or found.group(2)
            assert placeholder in SETTINGS, (name, placeholder)
            assert f"`{placeholder}`" in readme, f"README.md does not explain {placeholder}"


def test_references_between_the_manifests_hold():
    found = objects()
    claims = {n for (_, kind, n) in found if kind == "PersistentVolumeClaim"}
    services = {n: doc for (_, kind, n), doc in found.items() if kind == "Service"}
    for (name, kind, _), doc in found.items():
        template = (doc.get("spec", {}).get("template") or {})
        pod = template.get("spec")
        if not pod:
            continue
        for volume in pod.get("volumes", []):
            if "persistentVolumeClaim" in volume:
                assert volume["persistentVolumeClaim"]["claimName"] in claims, (name, volume)
        mounted = {v["name"] for v in pod.get("volumes", [])}
        for container in pod.get("initContainers", []) + pod["containers"]:
            for mount in container.get("volumeMounts", []):
                assert mount["name"] in mounted or any(
                    t["metadata"]["name"] == mount["name"]
                    for t in doc["spec"].get("volumeClaimTemplates", [])), (name, mount)
        labels = template["metadata"]["labels"]
        assert all(labels.get(k) == v for k, v in doc["spec"].get("selector", {}).get(
            "matchLabels", {}).items()), (name, "the selector does not match the pod's labels")
    for service in services.values():
        selected = [doc for doc in found.values() if doc["kind"] in ("Deployment", "StatefulSet")
                    and all(doc["spec"]["template"]["metadata"]["labels"].get(k) == v
                            for k, v in service["spec"]["selector"].items())]
        assert len(selected) == 1, service["metadata"]["name"]


def test_grading_pods_can_start_the_sandbox_and_refuse_without_it():
    job = render("autograde-job.yaml")[0]
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["hostUsers"] is False
    assert container["securityContext"]["procMount"] == "Unmasked"
    assert pod["securityContext"]["seccompProfile"]["type"] == "Unconfined"
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["ANNCOURSE_ISOLATION"] == "require"
    assert job["spec"]["completionMode"] == "Indexed"
    assert job["spec"]["completions"] == job["spec"]["parallelism"] == int(SETTINGS["SHARDS"])
    shard = {e["name"]: e for e in container["env"]}["SHARD"]["valueFrom"]["fieldRef"]
    assert shard["fieldPath"] == "metadata.annotations['batch.kubernetes.io/job-completion-index']"
    assert container["command"] == ["anncourse", "autograde", SETTINGS["ASSIGNMENT"], "--shard",
                                    f"$(SHARD)/{SETTINGS['SHARDS']}"]


def test_the_grader_serves_formgrader_in_a_frame_of_its_own_origin():
    grader = next(doc for doc in render("grader.yaml") if doc["kind"] == "Deployment")
    args = " ".join(grader["spec"]["template"]["spec"]["containers"][0]["args"])
    assert "frame-ancestors 'self'" in args.replace("''", "'")


# -- the Zero to JupyterHub values -------------------------------------------

def values():
    return yaml.safe_load((DEPLOY / "values.yaml").read_text())


@pytest.mark.parametrize("version", VERSIONS)
def test_values_kubernetes_parts_are_valid(version):
    single = values()["singleuser"]
    # z2jh copies these lists into each learner's pod as they are: check them
    # as the pod's own fields.
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "jupyter-learner"},
           "spec": {"volumes": single["storage"]["extraVolumes"],
                    "containers": [{"name": "notebook", "image": "x",
                                    "volumeMounts": single["storage"]["extraVolumeMounts"]}]}}
    kubernetes_validate.validate(pod, version, strict=True)
    claims = {n for (_, kind, n) in objects() if kind == "PersistentVolumeClaim"}
    for volume in single["storage"]["extraVolumes"]:
        assert volume["persistentVolumeClaim"]["claimName"] in claims


def test_values_roles_use_real_jupyterhub_scopes_and_the_grader_service():
    scopes = pytest.importorskip("jupyterhub.scopes")
    hub = values()["hub"]
    services = hub["services"]
    # nbgrader's course list finds a course's grader at /services/<course id>
    assert set(services) == {"anncourse"}
    url = services["anncourse"]["url"]
    grader_service = next(doc for doc in render("grader.yaml") if doc["kind"] == "Service")
    assert url == f"http://{grader_service['metadata']['name']}:{grader_service['spec']['ports'][0]['port']}"
    grader = next(doc for doc in render("grader.yaml") if doc["kind"] == "Deployment")
    env = {e["name"]: e.get("value") for e in grader["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["JUPYTERHUB_SERVICE_NAME"] == "anncourse"
    assert env["JUPYTERHUB_SERVICE_PREFIX"] == "/services/anncourse/"
    assert env["JUPYTERHUB_CLIENT_ID"] == services["anncourse"]["oauth_client_id"]
    assert services["anncourse"]["oauth_redirect_uri"] == env["JUPYTERHUB_OAUTH_CALLBACK_URL"]
    for name, role in hub["loadRoles"].items():
        for scope in role["scopes"]:
            base, _, target = scope.partition("!")
            assert base in scopes.scope_definitions, (name, scope)
            if target.startswith("service="):
                assert target.removeprefix("service=") in services, (name, scope)
    teachers = hub["loadRoles"]["formgrade-anncourse"]
    assert teachers["groups"] == ["formgrade-anncourse"]
    assert "access:services!service=anncourse" in teachers["scopes"]
    # learners (nbgrader-anncourse) get no access to the grader
    assert all("nbgrader-anncourse" not in role.get("groups", []) for role in hub["loadRoles"].values())


def test_values_nbgrader_config_points_at_the_mounted_exchange():
    single = values()["singleuser"]
    source = single["extraFiles"]["nbgrader-config"]["stringData"]

    class Section(dict):
        def __getattr__(self, name):
            return self.setdefault(name, Section())

        def __setattr__(self, name, value):
            self[name] = value

    config = Section()
    exec(compile(source, "nbgrader_config.py", "exec"), {"get_config": lambda: config})
    mounts = {m["mountPath"] for m in single["storage"]["extraVolumeMounts"]}
    assert config["Exchange"]["root"] in mounts
    course = {}
    exec(compile((ROOT / "nbgrader_config.py").read_text(), "nbgrader_config.py", "exec"),
         {"get_config": lambda: course.setdefault("c", Section())})
    assert config["CourseDirectory"]["include"] == course["c"]["CourseDirectory"]["include"]
    assert config["CourseDirectory"]["course_id"] == course["c"]["CourseDirectory"]["course_id"]


@pytest.mark.skipif(shutil.which("helm") is None or not os.environ.get("ANNCOURSE_Z2JH_CHART"),
                    reason="helm and the Zero to JupyterHub chart are not installed here (helm "
                           "comes from get.helm.sh, the chart from hub.jupyter.org, neither a "
                           "package registry); set ANNCOURSE_Z2JH_CHART to a chart to run it")
def test_the_chart_renders_with_the_values_into_valid_objects():
    out = subprocess.run(["helm", "template", "anncourse", os.environ["ANNCOURSE_Z2JH_CHART"],
                          "--namespace", "anncourse", "--values", str(DEPLOY / "values.yaml"),
                          "--set", "hub.services.anncourse.apiToken=" + "0" * 64],
                         capture_output=True, text=True, check=True).stdout
    docs = [d for d in yaml.safe_load_all(out) if d]
    assert any(d["kind"] == "Deployment" and d["metadata"]["name"] == "hub" for d in docs)
    for doc in docs:
        kubernetes_validate.validate(doc, VERSIONS[0], strict=False)


def test_the_image_is_built_from_binder_and_can_grade():
    text = (DEPLOY / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (?!--)(\S+)", text, re.M):
        assert source == "." or (ROOT / source).exists(), source
    assert "binder/requirements.txt" in text and "binder/postBuild" in text
    assert "bubblewrap" in text and "util-linux" in text
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert ".venv" in ignored and ".git" in ignored


@pytest.mark.skipif(shutil.which("envsubst") is None, reason="envsubst (gettext-base) is not installed")
@pytest.mark.parametrize("name", MANIFESTS)
def test_envsubst_itself_renders_the_same(name):
    # The instructor's tool, with exactly the settings in its environment.
    out = subprocess.run(["envsubst"], input=(DEPLOY / name).read_text(), capture_output=True,
                         text=True, check=True, env={"PATH": os.environ["PATH"], **SETTINGS}).stdout
    assert [doc for doc in yaml.safe_load_all(out) if doc] == render(name)
