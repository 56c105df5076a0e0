"""docker-compose.yml, checked without a Docker engine: the services exist, each bot
service's command is one the command line accepts, workers can be scaled, and every bot
process has a health check on the port its command serves /health on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.cli import build_parser

ROOT = Path(__file__).parents[2]


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8")))


def test_the_services_and_their_commands() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "receiver", "worker"}
    parser = build_parser()
    for name, role in (("receiver", "receive"), ("worker", "work")):
        service = services[name]
        command = service["command"]
        assert command[0] == role
        args = parser.parse_args(command)  # exits (fails the test) on an unknown option
        assert args.health_port == 8080
        assert "8080/health" in " ".join(service["healthcheck"]["test"])
        env = service["environment"]
        assert env["BOT__DATABASE"].startswith("postgresql://")
        assert "BOT_TOKEN" in env
    # The image runs `python -m bot`, so a command is the bot's own arguments.
    assert 'ENTRYPOINT ["python", "-m", "bot"]' in (ROOT / "Dockerfile").read_text()


def test_workers_scale_and_start_in_order() -> None:
    services = compose()["services"]
    worker = services["worker"]
    # `docker compose up --scale worker=4` refuses a fixed container name or host port.
    assert "container_name" not in worker and "ports" not in worker
    assert "--id" not in worker["command"]  # each container names itself (its host name)
    assert worker["depends_on"]["receiver"]["condition"] == "service_healthy"
    assert services["receiver"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["postgres"]["image"].startswith("postgres:")
