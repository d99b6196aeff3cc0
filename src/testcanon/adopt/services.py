"""Which test categories need real services, from evidence a maintainer would accept.

A category is guessed to need real services only when the repository says so where services
are actually provided: a CI job with service containers that runs the category, a fixture or
conftest that starts a container or a server, a compose file inside the category's folder, or
a marker naming a service. Never from an import alone: `import redis` in one unit test (celery),
`import docker` in docker-py's own tests, or `fakeredis` say nothing about what a run needs.
Nothing here imports or runs the code it reads.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from testcanon.source import SourceFile

# image or program name -> (service, usual local port); services canon run can reach
KNOWN_SERVICES: dict[str, tuple[str, int]] = {
    "postgres": ("postgres", 5432), "postgresql": ("postgres", 5432), "postgis": ("postgres", 5432),
    "redis": ("redis", 6379), "redis-server": ("redis", 6379), "valkey": ("redis", 6379),
    "rabbitmq": ("rabbitmq", 5672), "rabbitmq-server": ("rabbitmq", 5672),
    "mysql": ("mysql", 3306), "mariadb": ("mysql", 3306), "mongo": ("mongodb", 27017),
    "mongodb": ("mongodb", 27017), "clickhouse": ("clickhouse", 9000),
    "clickhouse-server": ("clickhouse", 9000), "elasticsearch": ("elasticsearch", 9200),
    "memcached": ("memcached", 11211), "kafka": ("kafka", 9092), "minio": ("minio", 9000),
}
SERVICE_PORTS: dict[str, int] = {service: port for service, port in KNOWN_SERVICES.values()}
_COMPOSE_NAMES = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$")
_SERVICE_MARKER = re.compile(r"^(requires?_|needs?_|uses?_|real_)?(redis|postgres|postgresql|rabbitmq"
                             r"|mysql|mongo|mongodb|clickhouse|kafka|elasticsearch|docker|database|db|services?)$")
_MARK = re.compile(rb"pytest\.mark\.([A-Za-z_][A-Za-z0-9_]*)")
_START_PROGRAMS = re.compile(r"\b(redis-server|postgres|pg_ctl|rabbitmq-server|mysqld|mongod|memcached"
                             r"|clickhouse-server|docker(?:-compose| compose)? (?:run|up))\b")


@dataclass(frozen=True)
class ServiceEvidence:
    """One reason to believe `category` needs `service` ("" when the service is unnamed).
    `provided`: something outside the tests provides it (a CI service container, a compose file,
    a marker saying it is required), so `canon run` should check it is reachable; a fixture
    that starts its own container needs nothing from the runner."""

    category: str
    service: str
    evidence: str
    provided: bool = True


def service_of(name: str) -> str:
    """`redis:7-alpine`, `library/postgres`, `RedisContainer` -> the known service, or ""."""
    base = name.split("@")[0].split(":")[0].rsplit("/", 1)[-1].lower()
    base = base.removesuffix("container")
    if base in KNOWN_SERVICES:
        return KNOWN_SERVICES[base][0]
    for key, (service, _port) in KNOWN_SERVICES.items():
        if re.search(rf"(^|[^a-z]){re.escape(key)}([^a-z]|$)", base):
            return service
    return ""


COMPOSE_GLOBS = ("**/docker-compose*.yml", "**/docker-compose*.yaml", "**/compose*.yml", "**/compose*.yaml")


def gather(root: Path, files: list[SourceFile], compose_files: list[SourceFile],
           categories: dict[str, list[SourceFile]]) -> list[ServiceEvidence]:
    """Every piece of service evidence, attributed to the categories it concerns. `files` are
    the Python files, `compose_files` what COMPOSE_GLOBS found."""
    found: list[ServiceEvidence] = []
    found += _ci_service_containers(root, list(categories))
    found += _compose_files(compose_files, list(categories))
    found += _starting_fixtures(files, categories)
    found += _service_markers(categories)
    unique: dict[tuple[str, str, str], ServiceEvidence] = {}
    for item in found:
        unique.setdefault((item.category, item.service, item.evidence), item)
    return list(unique.values())


def category_of(relpath: str, names: list[str]) -> str | None:
    """The category whose folder holds `relpath`: the outermost one, since a folder named like a
    category inside another (celery's t/unit/security/ mirrors the celery.security package) is
    a sub-package of it, not a category of its own."""
    for part in relpath.split("/")[:-1]:
        if part in names:
            return part
    return None


def _yaml(path: Path) -> object:
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError):
        return None


def _ci_service_containers(root: Path, names: list[str]) -> list[ServiceEvidence]:
    """GitHub Actions jobs with `services:`: their containers serve the categories the job
    mentions (its workflow's file name, job id and name, and every step's command)."""
    found = []
    workflows = root / ".github" / "workflows"
    paths = sorted([*workflows.glob("*.yml"), *workflows.glob("*.yaml")]) if workflows.is_dir() else []
    for path in paths:
        document = _yaml(path)
        jobs = document.get("jobs") if isinstance(document, dict) else None
        if not isinstance(jobs, dict):
            continue
        for job_id, job in jobs.items():
            if not isinstance(job, dict) or not isinstance(job.get("services"), dict):
                continue
            text = " ".join([path.stem, str(job_id), str(job.get("name", "")), _strings(job.get("steps"))])
            mentioned = [n for n in names if re.search(rf"(?<![A-Za-z]){re.escape(n)}(?![A-Za-z])", text)]
            for service_id, spec in job["services"].items():
                image = spec.get("image", "") if isinstance(spec, dict) else str(spec)
                service = service_of(str(image)) or service_of(str(service_id))
                where = f".github/workflows/{path.name} job '{job_id}' runs a {image or service_id} container"
                found += [ServiceEvidence(name, service, where) for name in mentioned]
    return found


def _strings(value: object) -> str:
    if isinstance(value, dict):
        return " ".join(_strings(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_strings(v) for v in value)
    return str(value) if isinstance(value, str) else ""


def _compose_files(files: list[SourceFile], names: list[str]) -> list[ServiceEvidence]:
    """A compose file inside a category's folder starts that category's services."""
    found = []
    for compose in files:
        category = category_of(compose.relpath, names)
        if category is None or not _COMPOSE_NAMES.match(Path(compose.relpath).name):
            continue
        document = _yaml(compose.path)
        services = document.get("services") if isinstance(document, dict) else None
        for name, spec in (services if isinstance(services, dict) else {}).items():
            image = spec.get("image", "") if isinstance(spec, dict) else ""
            found.append(ServiceEvidence(category, service_of(str(image)) or service_of(str(name)),
                                         f"{compose.relpath} defines service '{name}'"))
    return found


def _starting_fixtures(files: list[SourceFile],
                       categories: dict[str, list[SourceFile]]) -> list[ServiceEvidence]:
    """Code in a category's folder (conftest.py, fixtures, helpers) that starts a container or a
    server process."""
    names = list(categories)
    found = []
    for source in files:
        category = category_of(source.relpath, names)
        if category is None:
            continue
        try:
            tree = ast.parse(source.path.read_bytes())
        except (SyntaxError, ValueError, OSError):
            continue
        _annotate_targets(tree)
        imported = _imported_names(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            started = _started_service(node, imported)
            if started is None:
                continue
            service, how = started
            found.append(ServiceEvidence(category, service, f"{source.relpath}:{node.lineno} {how}",
                                         provided=False))
    return found


def _imported_names(tree: ast.AST) -> dict[str, str]:
    """local name -> the module it was imported from (`container` -> `pytest_docker_tools`)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name
    return names


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return f"{_call_name(func.value)}.{func.attr}"
    return ""


def _literal_strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _started_service(call: ast.Call, imported: dict[str, str]) -> tuple[str, str] | None:
    """(service, how) when `call` starts one: a testcontainers container, a pytest-docker-tools
    `container(...)`, docker's `containers.run(...)`, or a server program in a subprocess."""
    name = _call_name(call.func)
    head = name.split(".")[0]
    module = imported.get(head, "")
    last = name.rsplit(".", 1)[-1]
    if module.startswith("testcontainers") and last.endswith("Container"):
        image = next(iter(_literal_strings(call)), "")
        return service_of(image) or service_of(last), f"starts a testcontainers {last}"
    if module.startswith("pytest_docker_tools") and last == "container":
        image = next((kw.value for kw in call.keywords if kw.arg == "image"), None)
        text = " ".join(_literal_strings(image)) if image is not None else ""
        target = _assigned_name(call)
        return (service_of(text) or service_of(target),
                f"pytest-docker-tools container {target or text}".strip())
    if name.endswith("containers.run"):
        image = next(iter(_literal_strings(call)), "")
        return service_of(image), f"docker containers.run({image!r})"
    if head == "subprocess" or module == "subprocess" or name in ("os.system", "Popen"):
        command = " ".join(_literal_strings(call))
        match = _START_PROGRAMS.search(command)
        if match:
            return service_of(match.group(1)), f"starts `{match.group(0)}` in a subprocess"
    return None


def _assigned_name(call: ast.Call) -> str:
    parent = getattr(call, "_parent_target", "")
    return str(parent)


def _annotate_targets(tree: ast.AST) -> None:
    """Remember the assignment target of each call (`redis_container = container(...)`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if targets:
                node.value._parent_target = targets[0]  # type: ignore[attr-defined]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Call) \
                and isinstance(node.target, ast.Name):
            node.value._parent_target = node.target.id  # type: ignore[attr-defined]


def _service_markers(categories: dict[str, list[SourceFile]]) -> list[ServiceEvidence]:
    """`@pytest.mark.redis`, `@pytest.mark.requires_db`, ... on tests of a category."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for category, sources in categories.items():
        for source in sources:
            try:
                data = source.path.read_bytes()
            except OSError:
                continue
            for marker in set(_MARK.findall(data)):
                if _SERVICE_MARKER.match(marker.decode()):
                    counts[(category, marker.decode())] += 1
    return [ServiceEvidence(category, service_of(marker.split("_", 1)[-1]),
                            f"{count} file(s) use @pytest.mark.{marker}")
            for (category, marker), count in sorted(counts.items())]
