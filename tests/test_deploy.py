"""The deployment recipes: the image installs every package, compose.yaml keeps data and secrets."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_the_image_copies_every_package_it_installs() -> None:
    # No Docker engine runs on these machines; this reads the recipe instead of building it.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    included = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.rstrip("*") for pattern in included}
    recipe = (ROOT / "deploy" / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\w+) \1$", recipe, flags=re.M))
    assert copied == packages
    assert packages == {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "benchmarks"}
    assert "-c constraints.txt" in recipe


# deploy/compose.yaml, read with PyYAML (a development dependency, for these checks).
# `docker compose config` would validate the file against the Compose schema too, but the
# Compose plugin is not installed on these machines (only the Docker client, no engine):
# test_docker_compose_accepts_the_file skips, saying so, when it is absent.

COMPOSE = ROOT / "deploy" / "compose.yaml"
SECRET_WORDS = ("PASSWORD", "SECRET", "DATABASE_URL", "TOKEN", "KEY")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def _is_reference(value: str) -> bool:
    """A value that names where the secret is, rather than being it."""
    return bool(re.fullmatch(r"\$\{\w+(:?[-?][^}]*)?\}", value)) or value.startswith(
        "/run/secrets/"
    )


def test_compose_services_images_and_commands() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "migrate", "web", "worker", "caddy"}
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["caddy"]["image"].startswith("caddy:")
    for name in ("migrate", "web", "worker"):
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert services[name]["env_file"] == "mutuals.env"
    assert services["migrate"]["command"] == ["mutuals", "migrate"]
    assert services["migrate"]["restart"] == "no"
    assert services["web"]["command"][:2] == ["mutuals", "serve"]
    assert services["web"]["restart"] == "unless-stopped"
    assert services["worker"]["command"] == ["mutuals", "worker"]
    assert services["worker"]["deploy"]["replicas"] == 2
    assert "ports" not in services["web"], "only Caddy is published"
    assert set(services["caddy"]["ports"]) >= {"80:80", "443:443"}


def test_compose_order_and_healthchecks() -> None:
    services = _compose()["services"]
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    web_check = " ".join(services["web"]["healthcheck"]["test"])
    assert "python3" in web_check and "/healthz" in web_check
    # The image's HTTP HEALTHCHECK would mark these unhealthy: they serve no HTTP.
    assert services["worker"]["healthcheck"] == {"disable": True}
    assert services["migrate"]["healthcheck"] == {"disable": True}
    recipe = (ROOT / "deploy" / "Dockerfile").read_text()
    assert re.search(r"^HEALTHCHECK .*\n?.*python3.*/healthz", recipe, flags=re.M)
    assert re.search(r"^USER mutuals$", recipe, flags=re.M)
    assert re.search(r"^VOLUME /var/lib/mutuals$", recipe, flags=re.M)


def test_compose_keeps_data_on_named_volumes() -> None:
    compose = _compose()
    services = compose["services"]
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert {"caddy_data:/data", "caddy_config:/config"} <= set(services["caddy"]["volumes"])
    for name in ("migrate", "web", "worker"):
        assert "mutuals_data:/var/lib/mutuals" in services[name]["volumes"]
    assert {"pgdata", "mutuals_data", "caddy_data", "caddy_config"} <= set(compose["volumes"])


def test_compose_secrets_come_from_files() -> None:
    compose = _compose()
    services = compose["services"]
    for name in ("migrate", "web", "worker"):
        env = services[name]["environment"]
        assert env["MUTUALS_SECRET_KEY_FILE"].startswith("/run/secrets/")
        assert env["MUTUALS_DATABASE_URL_FILE"].startswith("/run/secrets/")
        assert "MUTUALS_SECRET_KEY" not in env and "MUTUALS_DATABASE_URL" not in env
        assert env["MUTUALS_FORWARDED_ALLOW_IPS"] not in ("", "*")
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"].startswith("/run/")
    for secret in compose["secrets"].values():
        assert set(secret) == {"file"} and secret["file"].startswith("./secrets/")
    for name, service in services.items():
        for key, value in dict(service.get("environment", {})).items():
            if any(word in key.upper() for word in SECRET_WORDS):
                assert _is_reference(str(value)), f"{name}: {key} holds a literal value"


def test_compose_text_has_no_literal_secret() -> None:
    # Runs without PyYAML: any `KEY: value` or `KEY=value` line whose key names a secret.
    line = re.compile(r"^\s*-?\s*([A-Z][A-Z0-9_]*)\s*[:=]\s*(\S.*)$")
    for number, text in enumerate(COMPOSE.read_text().splitlines(), start=1):
        found = line.match(text)
        if found is None or text.lstrip().startswith("#"):
            continue
        key, value = found.group(1), found.group(2).strip().strip("\"'")
        if any(word in key for word in SECRET_WORDS):
            assert _is_reference(value), f"compose.yaml:{number}: {key} holds a literal value"
    example = (ROOT / "deploy" / "mutuals.env.example").read_text()
    assert not re.search(r"^MUTUALS_(SECRET_KEY|DATABASE_URL)=", example, flags=re.M)
    ignored = (ROOT / "deploy" / ".gitignore").read_text().split()
    assert {"mutuals.env", "secrets/"} <= set(ignored)


def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker client: `docker compose config` not run")
    found = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
    if found.returncode != 0:
        pytest.skip("the docker compose plugin is not installed: `docker compose config` not run")
    # The env file and secrets are the operator's: give the check stand-ins in a copy.
    deploy = tmp_path / "deploy"
    shutil.copytree(ROOT / "deploy", deploy)
    shutil.copy(deploy / "mutuals.env.example", deploy / "mutuals.env")
    (deploy / "secrets").mkdir()
    for name in ("secret_key", "database_url", "postgres_password"):
        (deploy / "secrets" / name).write_text("stand-in\n")
    checked = subprocess.run(
        [docker, "compose", "-f", str(deploy / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
