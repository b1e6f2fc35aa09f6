"""Remote nodes: TLS (self-signed certificates made by the test with the
openssl CLI), mutual TLS, 8 MB+ items and items over the server's limit."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from remote_server import NodeServer, remote_node
from test_remote import manifest, run_manifest
from rmrun_cli import needs_rmrun

pytestmark = [needs_rmrun, pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl CLI "
                                              "(scripts/apt-packages.txt)")]


def self_signed(directory: Path, name: str) -> tuple[str, str]:
    """A certificate for 127.0.0.1/localhost and its key (PEM files)."""
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return str(cert), str(key)


def test_tls_with_a_self_signed_certificate(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path, "server")
    with NodeServer("--no-auth", "--tls-cert", cert, "--tls-key", key) as server:
        ok = run_manifest(tmp_path, manifest([remote_node("m", server.address, "MultiplyNode", {"factor": 2},
                                                          ca_file=cert)]), [1, 2])
        plaintext = run_manifest(tmp_path, manifest([remote_node("m", server.address, "MultiplyNode",
                                                                 {"factor": 2})]), [1])
        server.stop()
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == [2, 4]
    assert plaintext.returncode != 0 and "UNAVAILABLE" in plaintext.stderr


def test_mutual_tls_requires_a_client_certificate(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path, "server")
    client_cert, client_key = self_signed(tmp_path, "client")
    with NodeServer("--no-auth", "--tls-cert", cert, "--tls-key", key, "--client-ca", client_cert) as server:
        ok = run_manifest(tmp_path, manifest([remote_node("m", server.address, "AddNode", {"addend": 1},
                                                          ca_file=cert, cert_file=client_cert,
                                                          key_file=client_key)]), [1])
        anonymous = run_manifest(tmp_path, manifest([remote_node("m", server.address, "AddNode", {"addend": 1},
                                                                 ca_file=cert)]), [1])
        server.stop()
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == [2]
    assert anonymous.returncode != 0 and "UNAVAILABLE" in anonymous.stderr


def test_items_of_8_mb_and_more_round_trip(tmp_path: Path) -> None:
    big = "x" * (9 << 20)
    (tmp_path / "in.json").write_text(json.dumps([big, "small"]))
    with NodeServer("--no-auth") as server:
        path = tmp_path / "m.json"
        path.write_text(manifest([remote_node("p", server.address, "PassThroughNode", {})]))
        from test_remote import rmrun
        r = rmrun(str(path), "--input", f"@{tmp_path / 'in.json'}")
        server.stop()
    assert r.returncode == 0, r.stderr[:2000]
    assert json.loads(r.stdout) == [big, "small"]


@pytest.mark.parametrize("mb", [1.5, 3])
def test_an_item_over_the_servers_limit_is_a_clear_permanent_error(tmp_path: Path, mb: float) -> None:
    item = "x" * int(mb * (1 << 20))
    (tmp_path / "in.json").write_text(json.dumps([item]))
    with NodeServer("--no-auth", "--max-message-mb", "1") as server:
        path = tmp_path / "m.json"
        path.write_text(manifest([remote_node("p", server.address, "PassThroughNode", {})]))
        from test_remote import rmrun
        r = rmrun(str(path), "--input", f"@{tmp_path / 'in.json'}")
        server.stop()
    assert r.returncode == 1, r.stderr  # permanent: not retried
    assert f"remote {server.address}" in r.stderr
    assert "over the limit" in r.stderr or "larger than max" in r.stderr
    assert "attempt" not in r.stderr
