"""The production Docker files in `docker/`: compose file, Dockerfiles, config, entrypoint.

No Docker engine runs here: `docker-compose config` (Debian's 1.29, installed by
`scripts/host-packages.sh`) validates and interpolates the compose file; the Dockerfiles are
checked statically; the Asterisk config render and the entrypoint run for real on tmp_path.
"""

from __future__ import annotations

import fnmatch
import getpass
import importlib.util
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from hotline12319 import asterisk_config as sandbox_config
from hotline12319.settings import (
    PROJECT_ROOT,
    SANDBOX_ARI_PASSWORD,
    SANDBOX_WEBRTC_PASSWORD,
    Settings,
)

DOCKER = PROJECT_ROOT / "docker"
COMPOSE = DOCKER / "compose.yaml"
ASTERISK_DOCKERFILE = DOCKER / "asterisk.Dockerfile"
APP_DOCKERFILE = DOCKER / "app.Dockerfile"
ENTRYPOINT = DOCKER / "asterisk-entrypoint.sh"

REQUIRED_ENV = {
    "ARI_PASSWORD": "ari-Secret_42",
    "POSTGRES_PASSWORD": "0123abcd",
    "SIP_TRUNK_HOST": "198.51.100.10",
    "WEBRTC_PASSWORD": "webrtc-Secret_7",
    "WEBRTC_CERT_DIR": "/etc/hotline12319/webrtc",
}


def _load_render() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "render_asterisk_config", DOCKER / "render_asterisk_config.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render_config = _load_render()


# --- docker-compose config -------------------------------------------------------------


def compose_config(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("docker-compose")
    assert exe is not None, (
        "docker-compose is not installed: `make test` installs it (scripts/host-packages.sh), "
        "or apt-get install docker-compose"
    )
    # An empty env file: a stray docker/.env must not supply what the test leaves out.
    empty_env = tmp_path / "empty.env"
    empty_env.write_text("")
    return subprocess.run(
        [exe, "--env-file", str(empty_env), "-f", str(COMPOSE), "config"],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    result = compose_config(tmp_path_factory.mktemp("compose"), REQUIRED_ENV)
    assert result.returncode == 0, result.stderr
    parsed = yaml.safe_load(result.stdout)
    assert isinstance(parsed, dict)
    return parsed


def published(service: dict[str, Any]) -> set[tuple[int, str]]:
    return {(int(p["published"]), p.get("protocol", "tcp")) for p in service.get("ports", [])}


def test_compose_has_the_three_services(config: dict[str, Any]) -> None:
    assert set(config["services"]) == {"postgres", "asterisk", "app"}
    assert config["services"]["postgres"]["image"] == "postgres:15"
    for name, dockerfile in (("asterisk", ASTERISK_DOCKERFILE), ("app", APP_DOCKERFILE)):
        build = config["services"][name]["build"]
        assert Path(build["context"]) == PROJECT_ROOT
        assert (PROJECT_ROOT / build["dockerfile"]) == dockerfile


def test_compose_publishes_sip_and_the_rendered_rtp_range_but_not_ari(
    config: dict[str, Any],
) -> None:
    asterisk = config["services"]["asterisk"]
    first, last = render_config.RTP_PORTS
    expected = {(5060, "udp"), (render_config.WEBRTC_PORT, "tcp")}
    expected |= {(port, "udp") for port in range(first, last + 1)}
    assert published(asterisk) == expected
    assert all(p["target"] == p["published"] for p in asterisk["ports"])
    assert "8088" in [str(port) for port in asterisk.get("expose", [])]
    assert published(config["services"]["postgres"]) == set()
    assert published(config["services"]["app"]) == {(8319, "tcp")}


def test_compose_app_environment(config: dict[str, Any]) -> None:
    env = config["services"]["app"]["environment"]
    password = REQUIRED_ENV["POSTGRES_PASSWORD"]
    assert env["DATABASE_URL"] == f"postgresql+asyncpg://hotline:{password}@postgres/hotline"
    assert env["HOTLINE_ARI_URL"] == f"http://asterisk:{render_config.ARI_PORT}/ari"
    assert env["HOTLINE_ENVIRONMENT"] == "production"
    assert env["HOTLINE_ARI_PASSWORD"] == REQUIRED_ENV["ARI_PASSWORD"]
    asterisk_env = config["services"]["asterisk"]["environment"]
    assert asterisk_env["ARI_PASSWORD"] == REQUIRED_ENV["ARI_PASSWORD"]
    assert asterisk_env["SIP_TRUNK_HOST"] == REQUIRED_ENV["SIP_TRUNK_HOST"]
    postgres_env = config["services"]["postgres"]["environment"]
    assert postgres_env["POSTGRES_PASSWORD"] == password
    # The app's settings accept what compose gives them.
    settings = Settings(
        database_url=env["DATABASE_URL"],
        environment=env["HOTLINE_ENVIRONMENT"],
        ari_url=env["HOTLINE_ARI_URL"],
        ari_password=env["HOTLINE_ARI_PASSWORD"],
        http_host=env["HOTLINE_HTTP_HOST"],
    )
    assert settings.ari_user == render_config.docker_settings().ari_user


def test_compose_start_order_and_volumes(config: dict[str, Any]) -> None:
    services = config["services"]
    assert "healthcheck" in services["postgres"]
    assert services["app"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "http://127.0.0.1:8319/ready" in " ".join(services["app"]["healthcheck"]["test"])
    assert "app-backups:/var/lib/hotline12319/backups:rw" in services["app"]["volumes"]
    assert services["postgres"]["image"] == "postgres:15"  # the image's pg_dump is 15
    assert "asterisk" in services["app"]["depends_on"]
    recording_dir = str(render_config.hotline_instance(render_config.docker_settings()).base)
    recording_dir += "/spool/recording"
    mounts = {m.split(":")[1]: m.split(":")[0] for m in services["asterisk"]["volumes"]}
    assert mounts[recording_dir] in config["volumes"]
    app_mounts = {m.split(":")[1]: m.split(":")[0] for m in services["app"]["volumes"]}
    recordings = services["app"]["environment"]["HOTLINE_RECORDINGS_DIR"]
    assert app_mounts[recordings] in config["volumes"]
    pg_mounts = {m.split(":")[1]: m.split(":")[0] for m in services["postgres"]["volumes"]}
    assert pg_mounts["/var/lib/postgresql/data"] in config["volumes"]


@pytest.mark.parametrize("missing", sorted(REQUIRED_ENV))
def test_compose_refuses_to_run_without_a_secret(tmp_path: Path, missing: str) -> None:
    env = {k: v for k, v in REQUIRED_ENV.items() if k != missing}
    result = compose_config(tmp_path, env)
    assert result.returncode != 0
    assert f"set {missing}" in result.stderr


def test_compose_refuses_an_empty_secret(tmp_path: Path) -> None:
    result = compose_config(tmp_path, {**REQUIRED_ENV, "ARI_PASSWORD": ""})
    assert result.returncode != 0
    assert "set ARI_PASSWORD" in result.stderr


# --- Dockerfiles, statically --------------------------------------------------------------


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            result.append((word.upper(), " ".join(rest.split())))
    return result


def args_of(dockerfile: Path, word: str) -> list[str]:
    return [rest for name, rest in instructions(dockerfile) if name == word]


def ignored(path: str, patterns: list[str]) -> bool:
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch.fnmatch(p, pat) for p in prefixes for pat in patterns)


@pytest.mark.parametrize("dockerfile", [ASTERISK_DOCKERFILE, APP_DOCKERFILE], ids=lambda p: p.name)
def test_every_copied_file_is_in_the_build_context(dockerfile: Path) -> None:
    patterns = [
        line.strip()
        for line in (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {".venv", "data", ".git"} <= set(patterns)
    for args in args_of(dockerfile, "COPY"):
        if args.startswith("--from="):
            continue
        *sources, _dest = args.split()
        for source in sources:
            matches = list(PROJECT_ROOT.glob(source.rstrip("/")))
            assert matches, f"{dockerfile.name}: COPY {source} matches nothing"
            for match in matches:
                relative = match.relative_to(PROJECT_ROOT).as_posix()
                assert not ignored(relative, patterns), f"{relative} is in .dockerignore"


def test_asterisk_dockerfile() -> None:
    assert args_of(ASTERISK_DOCKERFILE, "FROM") == ["python:3.11-slim AS render", "debian:sid"]
    run = " ".join(args_of(ASTERISK_DOCKERFILE, "RUN"))
    assert "apt-get -o Acquire::Check-Valid-Until=false update" in run
    assert "install -y --no-install-recommends asterisk asterisk-modules" in run
    assert "python docker/render_asterisk_config.py /out" in run
    copies = args_of(ASTERISK_DOCKERFILE, "COPY")
    prompts_uri = Settings.model_fields["prompts_uri"].default
    assert f"recordings/prompts/*.wav {prompts_uri}/" in copies
    assert "--from=render /out/ /" in copies
    inst = render_config.hotline_instance(render_config.docker_settings())
    assert args_of(ASTERISK_DOCKERFILE, "VOLUME") == [f'["{inst.spool_dir / "recording"}"]']
    first, last = render_config.RTP_PORTS
    assert args_of(ASTERISK_DOCKERFILE, "EXPOSE") == [f"5060/udp 8088/tcp {first}-{last}/udp"]
    (cmd,) = args_of(ASTERISK_DOCKERFILE, "CMD")
    assert cmd.startswith('["asterisk", "-C", "' + str(inst.conf_path) + '", "-f"')
    assert '"-U", "asterisk"' in cmd
    (entrypoint,) = args_of(ASTERISK_DOCKERFILE, "ENTRYPOINT")
    assert "docker/asterisk-entrypoint.sh /usr/local/bin/hotline12319-asterisk-entrypoint" in copies
    assert entrypoint == '["/usr/local/bin/hotline12319-asterisk-entrypoint"]'
    assert args_of(ASTERISK_DOCKERFILE, "HEALTHCHECK")


def test_app_dockerfile() -> None:
    assert args_of(APP_DOCKERFILE, "FROM") == ["python:3.11-slim AS build", "python:3.11-slim"]
    run = " ".join(args_of(APP_DOCKERFILE, "RUN"))
    assert "pip wheel --no-deps --wheel-dir /wheels ." in run
    assert "pip install /wheels/*.whl" in run
    (user,) = args_of(APP_DOCKERFILE, "USER")
    assert user not in {"root", "0"}
    assert f"useradd --system --uid 10319 --user-group --home-dir /var/lib/hotline12319 {user}" in (
        run
    )
    env = " ".join(args_of(APP_DOCKERFILE, "ENV"))
    assert "HOTLINE_HTTP_HOST=0.0.0.0" in env
    assert "HOTLINE_ENVIRONMENT=production" in env
    # pg_dump of the server's major version (compose: postgres:15) for the backups.
    assert "postgresql-client-15" in run
    assert "HOTLINE_BACKUP_DIR=/var/lib/hotline12319/backups" in env
    (health,) = args_of(APP_DOCKERFILE, "HEALTHCHECK")
    assert "http://127.0.0.1:8319/ready" in health  # readiness: the database and ARI answer
    assert args_of(APP_DOCKERFILE, "CMD") == ['["hotline12319", "serve"]']
    assert args_of(APP_DOCKERFILE, "EXPOSE") == ["8319"]


def test_every_hotline_variable_names_a_setting(config: dict[str, Any]) -> None:
    image_env = dict(
        pair.split("=", 1) for args in args_of(APP_DOCKERFILE, "ENV") for pair in args.split()
    )
    compose_env = config["services"]["app"]["environment"]
    for env in (image_env, compose_env):
        for name in env:
            if name.startswith("HOTLINE_"):
                assert name.removeprefix("HOTLINE_").lower() in Settings.model_fields, name
    # The image's values, with what compose adds, are valid production settings.
    overrides = {
        name.removeprefix("HOTLINE_").lower(): value
        for name, value in {**image_env, **compose_env}.items()
        if name.startswith("HOTLINE_")
    }
    settings = Settings(database_url=compose_env["DATABASE_URL"], **overrides)
    assert settings.environment == "production"
    assert settings.http_host == "0.0.0.0" and settings.http_port == 8319


@pytest.mark.parametrize("dockerfile", [ASTERISK_DOCKERFILE, APP_DOCKERFILE], ids=lambda p: p.name)
def test_dockerfiles_bake_in_no_secret(dockerfile: Path) -> None:
    assert SANDBOX_ARI_PASSWORD not in dockerfile.read_text(encoding="utf-8")
    for word, args in instructions(dockerfile):
        if word in {"ENV", "ARG"}:
            assert not re.search(r"PASSWORD|SECRET", args, re.IGNORECASE), args


def test_compose_secrets_come_from_the_environment_with_no_fallback() -> None:
    raw = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert SANDBOX_ARI_PASSWORD not in COMPOSE.read_text(encoding="utf-8")
    required = re.compile(r"\$\{(?P<name>[A-Z_]+):\?[^}]+\}")
    seen = set()
    for service in raw["services"].values():
        for key, value in (service.get("environment") or {}).items():
            if "PASSWORD" in key:
                match = required.fullmatch(str(value))
                assert match, f"{key}: {value}"
                seen.add(match["name"])
    assert seen == {"ARI_PASSWORD", "POSTGRES_PASSWORD", "WEBRTC_PASSWORD"}
    assert SANDBOX_WEBRTC_PASSWORD not in COMPOSE.read_text(encoding="utf-8")
    url = raw["services"]["app"]["environment"]["DATABASE_URL"]
    assert "${POSTGRES_PASSWORD:?" in url


# --- the rendered Asterisk config ---------------------------------------------------------


@pytest.fixture
def rendered() -> dict[str, str]:
    files: dict[str, str] = render_config.render()
    return files


def test_render_keeps_every_template(rendered: dict[str, str]) -> None:
    hotline = render_config.hotline_instance(render_config.docker_settings())
    expected = set(sandbox_config.template_files(hotline))
    assert {name.removesuffix(".in") for name in rendered} == expected
    assert {name for name in rendered if name.endswith(".in")} == {"ari.conf.in", "pjsip.conf.in"}
    for text in rendered.values():
        assert not re.search(r"\$\{?[a-z][a-z0-9_]*", text)
        assert SANDBOX_ARI_PASSWORD not in text


def test_render_listens_everywhere_and_leaves_secrets_to_the_entrypoint(
    rendered: dict[str, str],
) -> None:
    http = rendered["http.conf"]
    assert "bindaddr = 0.0.0.0" in http and "bindport = 8088" in http
    pjsip = rendered["pjsip.conf.in"]
    # The SIP transport's; the websocket transport's bind is unused (the HTTP server's TLS).
    assert re.findall(r"(?m)^bind = .*$", pjsip) == ["bind = 0.0.0.0:5060", "bind = 0.0.0.0"]
    assert "password = @WEBRTC_PASSWORD@" in pjsip
    assert f"tlsbindaddr = 0.0.0.0:{render_config.WEBRTC_PORT}" in http
    assert f"tlscertfile = {render_config.WEBRTC_CERT}" in http
    assert "contact = sip:@SIP_TRUNK_HOST@:5060" in pjsip
    assert "match = @SIP_TRUNK_HOST@" in pjsip
    assert "127.0.0.1" not in pjsip
    assert "password = @ARI_PASSWORD@" in rendered["ari.conf.in"]
    first, last = render_config.RTP_PORTS
    assert f"rtpstart = {first}" in rendered["rtp.conf"]
    assert f"rtpend = {last}" in rendered["rtp.conf"]
    assert "[logfiles](+)\nconsole => " in rendered["logger.conf"]
    prompts_uri = Settings.model_fields["prompts_uri"].default
    assert f"PROMPTS = {prompts_uri}" in rendered["extensions.conf"]


def test_render_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    before = render_config.render()
    monkeypatch.setenv("HOTLINE_ARI_USER", "someone-else")
    monkeypatch.setenv("HOTLINE_PROMPTS_URI", "/elsewhere")
    assert render_config.render() == before


def test_write_tree(tmp_path: Path) -> None:
    written = render_config.write_tree(tmp_path)
    inst = render_config.hotline_instance(render_config.docker_settings())
    for directory in inst.private_dirs:
        assert sandbox_config.inside(tmp_path, directory).is_dir()
    assert {p.parent for p in written} == {sandbox_config.inside(tmp_path, inst.etc_dir)}


def stage_copies(dockerfile: Path, stage: str) -> list[tuple[list[str], str]]:
    """(sources, destination) of the COPY lines of one build stage."""
    copies, current = [], None
    for word, args in instructions(dockerfile):
        if word == "FROM":
            current = args.split()[-1] if " AS " in args.upper() else None
        elif word == "COPY" and current == stage:
            *sources, dest = args.split()
            copies.append((sources, dest))
    return copies


def test_the_render_stage_copies_all_the_render_needs(tmp_path: Path) -> None:
    """Run the render on exactly what the Dockerfile's render stage copies (WORKDIR /src)."""
    (workdir,) = [a for w, a in instructions(ASTERISK_DOCKERFILE) if w == "WORKDIR"]
    src = tmp_path / workdir.lstrip("/")
    for sources, dest in stage_copies(ASTERISK_DOCKERFILE, "render"):
        target = src / dest
        for source in sources:
            origin = PROJECT_ROOT / source
            if origin.is_dir():
                shutil.copytree(origin, target, dirs_exist_ok=True)
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target / origin.name)
    out = tmp_path / "out"
    # Fails if any of the repository's modules had to come from outside the copy.
    check = (
        "import runpy, sys\n"
        f"sys.argv = ['render', {str(out)!r}]\n"
        "try:\n"
        "    runpy.run_path('docker/render_asterisk_config.py', run_name='__main__')\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "mods = list(sys.modules.values())\n"
        "files = {m.__name__: str(getattr(m, '__file__', '')) for m in mods}\n"
        f"repo = {str(PROJECT_ROOT)!r}\n"
        "outside = [name for name, file in files.items()\n"
        "           if file.startswith(repo) and not file.startswith(sys.prefix)]\n"
        "assert not outside, outside\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=src,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    inst = render_config.hotline_instance(render_config.docker_settings())
    etc = sandbox_config.inside(out, inst.etc_dir)
    assert {p.name: p.read_text() for p in etc.iterdir()} == render_config.render()


# --- the entrypoint -----------------------------------------------------------------------


@pytest.fixture
def etc(tmp_path: Path) -> Path:
    render_config.write_tree(tmp_path)
    inst = render_config.hotline_instance(render_config.docker_settings())
    return sandbox_config.inside(tmp_path, inst.etc_dir)


def entrypoint(etc: Path, **env: str) -> subprocess.CompletedProcess[str]:
    env = {"WEBRTC_PASSWORD": "webrtc-good", **env}
    return subprocess.run(
        ["sh", str(ENTRYPOINT), "sh", "-c", "echo started"],
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "ASTERISK_ETC": str(etc),
            "ASTERISK_USER": getpass.getuser(),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SIP_TRUNK_HOST": "10.0.0.1"}, "ARI_PASSWORD (or ARI_PASSWORD_FILE) is not set"),
        ({"ARI_PASSWORD": "", "SIP_TRUNK_HOST": "10.0.0.1"}, "is not set"),
        ({"ARI_PASSWORD": SANDBOX_ARI_PASSWORD, "SIP_TRUNK_HOST": "h"}, "sandbox's public value"),
        ({"ARI_PASSWORD": "a;b", "SIP_TRUNK_HOST": "10.0.0.1"}, "printable characters"),
        ({"ARI_PASSWORD": "a b", "SIP_TRUNK_HOST": "10.0.0.1"}, "printable characters"),
        ({"ARI_PASSWORD": "a\\b", "SIP_TRUNK_HOST": "10.0.0.1"}, "printable characters"),
        ({"ARI_PASSWORD": "good-one"}, "SIP_TRUNK_HOST is not set"),
        ({"ARI_PASSWORD": "good-one", "SIP_TRUNK_HOST": "1.2.3.4;x"}, "host name or an IPv4"),
        ({"ARI_PASSWORD_FILE": "/nonexistent", "SIP_TRUNK_HOST": "h"}, "is not readable"),
        ({"ARI_PASSWORD": "good-one", "SIP_TRUNK_HOST": "h", "WEBRTC_PASSWORD": ""},
         "WEBRTC_PASSWORD (or WEBRTC_PASSWORD_FILE) is not set"),
        ({"ARI_PASSWORD": "good-one", "SIP_TRUNK_HOST": "h",
          "WEBRTC_PASSWORD": SANDBOX_WEBRTC_PASSWORD}, "sandbox's public value"),
        ({"ARI_PASSWORD": "good-one", "SIP_TRUNK_HOST": "h", "WEBRTC_PASSWORD": "a;b"},
         "printable characters"),
    ],
)
def test_entrypoint_refuses_to_start(etc: Path, env: dict[str, str], message: str) -> None:
    result = entrypoint(etc, **env)
    assert result.returncode == 64, result.stderr
    assert message in result.stderr
    assert "started" not in result.stdout
    assert not (etc / "ari.conf").exists()


def test_entrypoint_fills_the_config_and_runs_the_command(etc: Path) -> None:
    password = "p&a/s|s1$HOME=%+,'\"@x"
    result = entrypoint(etc, ARI_PASSWORD=password, SIP_TRUNK_HOST="sbc.example.net",
                        WEBRTC_PASSWORD="phones-1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"
    ari = (etc / "ari.conf").read_text()
    assert f"\npassword = {password}\n" in ari
    pjsip = (etc / "pjsip.conf").read_text()
    assert "\npassword = phones-1\n" in pjsip
    assert "match = sbc.example.net" in pjsip and "contact = sip:sbc.example.net:5060" in pjsip
    assert "(+)" not in pjsip
    for name in ("ari.conf", "pjsip.conf"):
        assert not re.search(r"@[A-Z_]+@", (etc / name).read_text())
        assert stat.S_IMODE((etc / name).stat().st_mode) == 0o640
    assert (etc / "ari.conf.in").exists()
    # Started again with another secret, the files are written afresh from the templates.
    result = entrypoint(etc, ARI_PASSWORD="second", SIP_TRUNK_HOST="10.1.2.3")
    assert result.returncode == 0, result.stderr
    assert "\npassword = second\n" in (etc / "ari.conf").read_text()


def test_entrypoint_reads_a_secret_file_and_sets_up_nat(etc: Path, tmp_path: Path) -> None:
    secret = tmp_path / "ari_password"
    secret.write_text("from-a-file\n")
    result = entrypoint(
        etc,
        ARI_PASSWORD_FILE=str(secret),
        SIP_TRUNK_HOST="10.0.0.9",
        SIP_EXTERNAL_ADDRESS="203.0.113.7",
        SIP_LOCAL_NET="10.0.0.0/8,172.16.0.0/12",
    )
    assert result.returncode == 0, result.stderr
    assert "\npassword = from-a-file\n" in (etc / "ari.conf").read_text()
    pjsip = (etc / "pjsip.conf").read_text()
    assert pjsip.endswith(
        "[transport-udp](+)\n"
        "external_media_address = 203.0.113.7\n"
        "external_signaling_address = 203.0.113.7\n"
        "local_net = 10.0.0.0/8\n"
        "local_net = 172.16.0.0/12\n"
    )
