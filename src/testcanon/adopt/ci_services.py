"""The real services of `[tool.testcanon.services]` as GitHub Actions service containers.

`canon run` reaches a service that answers on its `host:port` and starts only what is not
there; in CI a container must answer instead. A service names its image (`image`), or its
`command` is a `docker run`/`podman run` whose image, published ports and `-e` settings say
everything; a service run any other way is started by `canon run` itself in the job (its
command must then exist on the runner), and the workflow says so in a comment.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from testcanon.config import Service

# `docker run` options that take a value (the rest of those we meet are flags)
_VALUED = {"-e", "--env", "-p", "--publish", "--name", "-v", "--volume", "--network", "--net", "-w",
           "--workdir", "--entrypoint", "-u", "--user", "--health-cmd", "--health-interval",
           "--health-timeout", "--health-retries", "--env-file", "--mount", "--memory", "-m", "--cpus",
           "-h", "--hostname", "--platform", "--tmpfs", "--shm-size", "--label", "-l", "--ulimit"}


@dataclass(frozen=True)
class Container:
    name: str
    image: str
    ports: list[str] = field(default_factory=list)  # "HOST:CONTAINER"
    env: dict[str, str] = field(default_factory=dict)


def container(name: str, service: Service) -> Container | None:
    """The container CI runs for this service, or None when it is started another way."""
    values = {"host": service.host, "port": str(service.port), "name": name}
    found = _from_docker_run(name, service.command, values) if service.command else None
    if service.image:
        ports = found.ports if found and found.ports else _default_ports(service)
        return Container(name, service.image, ports, found.env if found else {})
    return found


def _default_ports(service: Service) -> list[str]:
    return [f"{service.port}:{service.port}"] if service.port else []


def _from_docker_run(name: str, command: str, values: dict[str, str]) -> Container | None:
    try:
        words = [word.format(**values) for word in shlex.split(command)]
    except (ValueError, KeyError, IndexError):
        return None
    starts = [i for i in range(len(words) - 1)
              if words[i].rsplit("/", 1)[-1] in ("docker", "podman") and words[i + 1] == "run"]
    if not starts:
        return None
    ports: list[str] = []
    env: dict[str, str] = {}
    rest = iter(words[starts[0] + 2:])
    for word in rest:
        option, has_value, inline = word.partition("=")
        if word.startswith("-") and option in _VALUED:
            value = inline if has_value else next(rest, "")
            if option in ("-p", "--publish"):  # [IP:]HOST:CONTAINER[/PROTO], or CONTAINER
                parts = value.split("/", 1)[0].split(":")
                ports.append(f"{parts[-2]}:{parts[-1]}" if len(parts) > 1 else f"{parts[0]}:{parts[0]}")
            elif option in ("-e", "--env") and "=" in value:
                key, _, setting = value.partition("=")
                env[key] = setting
        elif not word.startswith("-"):
            return Container(name, word, ports, env)  # the first word that is no option: the image
    return None


def services_yaml(services: dict[str, Service], indent: str = "    ") -> str:
    """The `services:` block of a test job (with its trailing newline), or "" when none runs in
    a container; services started another way are named in a comment."""
    containers = [c for n, s in sorted(services.items()) if (c := container(n, s)) is not None]
    others = sorted(n for n, s in services.items() if container(n, s) is None)
    lines = []
    if others:
        lines.append(f"{indent}# started by `canon run` with their own command: {', '.join(others)}")
    if containers:
        lines.append(f"{indent}services:")
        for box in containers:
            lines += [f"{indent}  {box.name}:", f"{indent}    image: {_quoted(box.image)}"]
            if box.ports:
                lines.append(f"{indent}    ports:")
                lines += [f"{indent}      - {_quoted(port)}" for port in box.ports]
            if box.env:
                lines.append(f"{indent}    env:")
                lines += [f"{indent}      {key}: {_quoted(value)}" for key, value in sorted(box.env.items())]
    return "".join(f"{line}\n" for line in lines)


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON's escaping is YAML's)."""
    import json

    return json.dumps(value)
