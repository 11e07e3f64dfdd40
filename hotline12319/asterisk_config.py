"""What each sandbox Asterisk instance is, and its config files rendered from `dialplans/`.

Pure functions only (no chroot, no processes), so the unit tests can render into tmp_path.
Templates use `$name` / `${name}` placeholders with lower-case names; Asterisk's own
`${UPPER_CASE}` variables and `$[...]` expressions pass through untouched.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from hotline12319.settings import PROJECT_ROOT, Settings

TEMPLATES_DIR = PROJECT_ROOT / "dialplans"
# Everything the sandbox owns inside the chroot lives under here.
SRV = PurePosixPath("/srv/hotline12319")
LOOPBACK = "127.0.0.1"


_PLACEHOLDER = r"""
\$(?:
    (?P<escaped>\$)
  | (?P<named>[a-z][a-z0-9_]*)
  | \{(?P<braced>[a-z][a-z0-9_]*)\}
  | (?P<invalid>(?!))
)
"""


class ConfTemplate(string.Template):
    """`$name` placeholders, lower-case only and case-sensitive.

    Asterisk's `${STASISSTATUS}` does not match the pattern, and an unmatched `$` is left
    alone instead of raising (the `invalid` group can never match), so dialplans need no
    `$$` escaping.
    """

    flags = re.VERBOSE  # and not IGNORECASE, Template's default
    # A string, compiled by Template.__init_subclass__ (typeshed only knows the result).
    pattern = _PLACEHOLDER  # type: ignore[assignment]


@dataclass(frozen=True)
class Instance:
    """One Asterisk of the sandbox; paths are as Asterisk sees them inside the chroot.

    `name` is the instance's own (its directory, its `systemname`, so its channel ids start
    with it); `role` says which templates it is rendered from: a cluster's `node2` is a
    `hotline` like the pair's own.
    """

    name: str
    ari_url: str
    ari_app: str
    sip_port: int
    peer_sip_port: int
    rtp_ports: tuple[int, int]
    role: str = ""

    @property
    def kind(self) -> str:
        """The template folder under `dialplans/`: the role, or the name when it has none."""
        return self.role or self.name

    @property
    def base(self) -> PurePosixPath:
        return SRV / self.name

    @property
    def etc_dir(self) -> PurePosixPath:
        return self.base / "etc"

    @property
    def conf_path(self) -> PurePosixPath:
        return self.etc_dir / "asterisk.conf"

    @property
    def run_dir(self) -> PurePosixPath:
        return self.base / "run"

    @property
    def spool_dir(self) -> PurePosixPath:
        return self.base / "spool"

    @property
    def private_dirs(self) -> tuple[PurePosixPath, ...]:
        # astspooldir/recording must exist or ARI record answers 500.
        names = ("etc", "run", "log", "lib", "spool", "spool/recording")
        return tuple(self.base / name for name in names)

    @property
    def webrtc_cert(self) -> PurePosixPath:
        """The sandbox's self-signed certificate for HTTPS/WSS and DTLS (made by `up`)."""
        return self.base / "keys" / "webrtc.crt"

    @property
    def webrtc_key(self) -> PurePosixPath:
        return self.base / "keys" / "webrtc.key"

    @property
    def http_host(self) -> str:
        return urlsplit(self.ari_url).hostname or LOOPBACK

    @property
    def http_port(self) -> int:
        port = urlsplit(self.ari_url).port
        if port is None:
            raise ValueError(f"{self.name}: the ARI URL {self.ari_url!r} names no port")
        return port


def instances(settings: Settings) -> tuple[Instance, Instance]:
    """The hotline (the system under test) and the caller simulator that dials it."""
    hotline = Instance(
        name="hotline" + settings.sandbox_pair,
        role="hotline",
        ari_url=settings.ari_url,
        ari_app=settings.ari_app,
        sip_port=settings.hotline_sip_port,
        peer_sip_port=settings.caller_sip_port,
        rtp_ports=settings.hotline_rtp_ports,
    )
    caller = Instance(
        name="caller" + settings.sandbox_pair,
        role="caller",
        ari_url=settings.caller_ari_url,
        ari_app=settings.caller_ari_app,
        sip_port=settings.caller_sip_port,
        peer_sip_port=settings.hotline_sip_port,
        rtp_ports=settings.caller_rtp_ports,
    )
    return hotline, caller


def inside(root: Path, path: PurePosixPath | str) -> Path:
    """The host path of a path inside the chroot."""
    return root / str(path).lstrip("/")


def template_vars(inst: Instance, settings: Settings) -> dict[str, str]:
    """Every placeholder a template may use."""
    values: dict[str, object] = {
        "instance": inst.name,
        "base_dir": inst.base,
        "etc_dir": inst.etc_dir,
        "run_dir": inst.run_dir,
        "log_dir": inst.base / "log",
        "db_dir": inst.base / "lib",
        "spool_dir": inst.spool_dir,
        "recording_dir": inst.spool_dir / "recording",
        "bind_host": LOOPBACK,
        "sip_port": inst.sip_port,
        "peer_sip_port": inst.peer_sip_port,
        "rtp_start": inst.rtp_ports[0],
        "rtp_end": inst.rtp_ports[1],
        "http_host": inst.http_host,
        "http_port": inst.http_port,
        "ari_user": settings.ari_user,
        "ari_password": settings.ari_password,
        "ari_app": inst.ari_app,
        "web_port": settings.http_port,
        "prompts_uri": settings.prompts_uri.rstrip("/"),
        # The browser softphone (hotline only): HTTPS/WSS and the DTLS certificate.
        "webrtc_port": settings.webrtc_port,
        "webrtc_cert_file": settings.webrtc_cert_file or inst.webrtc_cert,
        "webrtc_key_file": settings.webrtc_key_file or inst.webrtc_key,
        "webrtc_sip_password": settings.webrtc_sip_password,
        # The hotline's Asterisk runs at real-time priority as a production one would; the
        # caller simulator stands for the world outside and takes what CPU is left.
        "high_priority": "yes" if inst.kind == "hotline" else "no",
    }
    return {key: str(value) for key, value in values.items()}


def template_files(inst: Instance, templates_dir: Path = TEMPLATES_DIR) -> dict[str, Path]:
    """`common/*.conf`, overridden file by file by the instance's own directory."""
    files: dict[str, Path] = {}
    for folder in (templates_dir / "common", templates_dir / inst.kind):
        files.update({path.name: path for path in sorted(folder.glob("*.conf"))})
    if "asterisk.conf" not in files:
        raise FileNotFoundError(f"no asterisk.conf template for {inst.kind} in {templates_dir}")
    return files


def render(
    inst: Instance, settings: Settings, templates_dir: Path = TEMPLATES_DIR
) -> dict[str, str]:
    """File name -> rendered text; raises KeyError on an unknown placeholder."""
    values = template_vars(inst, settings)
    rendered = {}
    for name, path in template_files(inst, templates_dir).items():
        rendered[name] = ConfTemplate(path.read_text(encoding="utf-8")).substitute(values)
    return rendered


def write_if_changed(path: Path, text: str) -> bool:
    """Write only what differs, so `up` can tell whether a running instance is stale."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def install(
    root: Path, inst: Instance, settings: Settings, templates_dir: Path = TEMPLATES_DIR
) -> bool:
    """Create the instance's private dirs and write its configs; True if any file changed."""
    for directory in inst.private_dirs:
        inside(root, directory).mkdir(parents=True, exist_ok=True)
    changed = False
    for name, text in render(inst, settings, templates_dir).items():
        changed |= write_if_changed(inside(root, inst.etc_dir / name), text)
    return changed
