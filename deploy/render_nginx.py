"""Write an nginx configuration from deploy/nginx.conf.template.

    python deploy/render_nginx.py --listen 8080 --backends 127.0.0.1:8501,127.0.0.1:8502 --prefix /var/lib/spacemap-nginx

Creates the prefix folder (pid, logs, temp files) and prints the configuration file's path.
"""
from __future__ import annotations

import argparse
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"


def render(listen: str, backends: list[str], prefix: Path) -> Path:
    """Fill the template; return the written ``prefix/nginx.conf``."""
    prefix = Path(prefix).resolve()
    for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"        server {b} max_fails=3 fail_timeout=10s;" for b in backends)
    text = (TEMPLATE.read_text(encoding="utf-8").replace("@PREFIX@", str(prefix)).replace("@SERVERS@", servers)
            .replace("@LISTEN@", str(listen)))
    out = prefix / "nginx.conf"
    out.write_text(text, encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="8080", help="address:port or port nginx listens on")
    parser.add_argument("--backends", required=True, help="comma-separated host:port of the app processes")
    parser.add_argument("--prefix", type=Path, required=True, help="folder for nginx.conf, pid, logs, temp files")
    args = parser.parse_args()
    print(render(args.listen, [b.strip() for b in args.backends.split(",") if b.strip()], args.prefix))


if __name__ == "__main__":
    main()
