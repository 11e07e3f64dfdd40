"""Render the hotline Asterisk's config for the production container.

`docker/asterisk.Dockerfile` runs this in its build stage (`PYTHONPATH=<repo>`, argument: an
output root). It reuses the sandbox's templates (`dialplans/`) and functions
(`hotline12319/asterisk_config.py`); only the values differ from the sandbox:

- the same private layout, `/srv/hotline12319/hotline/{etc,run,log,lib,spool}`, prompts in
  `Settings.prompts_uri`;
- SIP (UDP 5060) and ARI (HTTP 8088) listen on every interface of the container;
- the RTP range is small enough to publish (`RTP_PORTS`, the same range as compose.yaml);
- warnings and errors also go to stdout (`docker logs`);
- the browser softphones' HTTPS/WSS listens on 8089 with the certificate the operator
  mounts at `keys/webrtc.{crt,key}` (also used for DTLS);
- the ARI password, the softphones' SIP password and the SIP trunk's address are not known
  at build time: they are left
  as `@NAME@` tokens in `<file>.in`, and the image's entrypoint writes `<file>` from the
  environment at each start (and refuses to start without them).

The output is a tree to copy onto `/`: `<out>/srv/hotline12319/hotline/etc/*.conf[.in]`
plus the instance's empty writable directories.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hotline12319.asterisk_config import (
    TEMPLATES_DIR,
    ConfTemplate,
    Instance,
    inside,
    instances,
    template_files,
    template_vars,
)
from hotline12319.settings import Settings

ARI_PASSWORD_TOKEN = "@ARI_PASSWORD@"
SIP_TRUNK_TOKEN = "@SIP_TRUNK_HOST@"
WEBRTC_PASSWORD_TOKEN = "@WEBRTC_PASSWORD@"
# The browser softphones' HTTPS/WSS port, and the certificate the operator mounts for it
# (and for DTLS); the image has none.
WEBRTC_PORT = 8089
WEBRTC_CERT = "/srv/hotline12319/hotline/keys/webrtc.crt"
WEBRTC_KEY = "/srv/hotline12319/hotline/keys/webrtc.key"
ANY_ADDRESS = "0.0.0.0"
SIP_PORT = 5060
ARI_PORT = 8088
# 250 concurrent calls at two ports (RTP + RTCP) each. Publishing thousands of UDP ports
# through Docker's proxy is slow; keep this in step with compose.yaml.
RTP_PORTS = (20000, 20499)
# Added to the sandbox's files in the container, with Asterisk's `[section](+)` syntax.
APPENDED = {
    "logger.conf": (
        "\n; The container's log is its stdout (docker logs) as well as log/messages.log.\n"
        "[logfiles](+)\nconsole => notice,warning,error\n"
    ),
}
HEADER = (
    "; Rendered for the production container by docker/render_asterisk_config.py from\n"
    "; dialplans/ (the comments below were written for the sandbox; the values are the\n"
    "; container's).\n"
)


def docker_settings() -> Settings:
    """The settings the container config is rendered from; independent of the environment."""
    defaults = Settings.model_fields
    return Settings(
        environment="production",
        ari_url=f"http://{ANY_ADDRESS}:{ARI_PORT}/ari",
        ari_user=defaults["ari_user"].default,
        ari_password=ARI_PASSWORD_TOKEN,
        ari_app=defaults["ari_app"].default,
        http_port=defaults["http_port"].default,
        prompts_uri=defaults["prompts_uri"].default,
        hotline_sip_port=SIP_PORT,
        # The hotline's peer is the SIP trunk (the sandbox's caller simulator in the templates).
        caller_sip_port=SIP_PORT,
        hotline_rtp_ports=RTP_PORTS,
        webrtc_port=WEBRTC_PORT,
        webrtc_cert_file=WEBRTC_CERT,
        webrtc_key_file=WEBRTC_KEY,
        webrtc_sip_password=WEBRTC_PASSWORD_TOKEN,
    )


def hotline_instance(settings: Settings) -> Instance:
    hotline, _caller = instances(settings)
    return hotline


def render(settings: Settings | None = None, templates_dir: Path = TEMPLATES_DIR) -> dict[str, str]:
    """File name -> text for the container; files holding a token are named `<file>.in`."""
    settings = settings or docker_settings()
    inst = hotline_instance(settings)
    values = template_vars(inst, settings)
    # `bind_host` is both where the hotline listens and where its trunk peer is (loopback
    # in the sandbox). Render it as the trunk, then open the transport's bind line.
    values["bind_host"] = SIP_TRUNK_TOKEN
    files = template_files(inst, templates_dir)
    if missing := set(APPENDED) - set(files):
        raise FileNotFoundError(f"no template for {sorted(missing)} in {templates_dir}")
    rendered: dict[str, str] = {}
    for name, path in files.items():
        text = ConfTemplate(path.read_text(encoding="utf-8")).substitute(values)
        if name == "pjsip.conf":
            text = _listen_everywhere(text)
        text += APPENDED.get(name, "")
        tokens = (ARI_PASSWORD_TOKEN, SIP_TRUNK_TOKEN, WEBRTC_PASSWORD_TOKEN)
        rendered[f"{name}.in" if any(t in text for t in tokens) else name] = HEADER + text
    return rendered


def _listen_everywhere(pjsip_conf: str) -> str:
    lines = pjsip_conf.splitlines(keepends=True)
    # The SIP transport's line; the websocket transport's `bind` is unused (its sockets come
    # through the HTTP server) and already names every address.
    bind_lines = [i for i, line in enumerate(lines)
                  if line.replace(" ", "").startswith("bind=") and SIP_TRUNK_TOKEN in line]
    if len(bind_lines) != 1:
        raise ValueError("pjsip.conf: expected exactly one `bind = $bind_host:...` transport line")
    index = bind_lines[0]
    lines[index] = lines[index].replace(SIP_TRUNK_TOKEN, ANY_ADDRESS)
    return "".join(lines)


def write_tree(out: Path, settings: Settings | None = None) -> list[Path]:
    """Write the rendered files and create the writable directories under `out`."""
    settings = settings or docker_settings()
    inst = hotline_instance(settings)
    for directory in inst.private_dirs:
        inside(out, directory).mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render(settings).items():
        path = inside(out, inst.etc_dir / name)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the hotline Asterisk's container config.")
    parser.add_argument("out", type=Path, help="output root (copied onto / in the image)")
    args = parser.parse_args(argv)
    for path in write_tree(args.out):
        print(path.relative_to(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
