"""An anchor for a manifest: `sign DIR --key KEY` and `verify DIR --allowed-signers FILE` (ssh-keygen -Y)."""

import hashlib
import json
import shutil
import subprocess

import pytest
from conftest import cli

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen (openssh-client) is missing")


def keypair(folder, name):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(folder / name)], check=True)
    return folder / name, f"{name} " + " ".join((folder / f"{name}.pub").read_text().split()[:2]) + "\n"


@pytest.fixture
def folder(tmp_path):
    """A report folder in miniature: one output and its manifest."""
    report = tmp_path / "Q4"
    report.mkdir()
    (report / "report.html").write_text("<p>82.7% achieved or on track</p>")
    digest = hashlib.sha256((report / "report.html").read_bytes()).hexdigest()
    (report / "manifest.json").write_text(json.dumps({"outputs": [{"path": "report.html", "sha256": digest}]}))
    return report


def test_a_signed_folder_verifies_and_one_edited_with_its_manifest_does_not(folder, tmp_path):
    """Before: edit report.html, put its new SHA-256 into manifest.json, and verify said every file verified."""
    key, line = keypair(tmp_path, "analyst@council.example")
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(line)
    done = cli("sign", folder, "--key", key)
    assert done.returncode == 0, done.stderr
    assert (folder / "manifest.json.sig").read_text().startswith("-----BEGIN SSH SIGNATURE-----")
    done = cli("verify", folder, "--allowed-signers", allowed)
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip().endswith("all 1 files verified; the manifest is signed by analyst@council.example")
    # the forger's edit: a new report and its hash in the manifest
    (folder / "report.html").write_text("<p>99.9% achieved or on track</p>")
    forged = json.loads((folder / "manifest.json").read_text())
    forged["outputs"][0]["sha256"] = hashlib.sha256((folder / "report.html").read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(forged))
    assert cli("verify", folder).returncode == 0  # the hashes alone agree
    done = cli("verify", folder, "--allowed-signers", allowed)
    assert done.returncode == 1
    assert "does not match the manifest (it was changed after signing)" in done.stdout


def test_an_unsigned_folder_or_another_key_fails_with_allowed_signers(folder, tmp_path):
    _, trusted = keypair(tmp_path, "auditor@council.example")
    other, _ = keypair(tmp_path, "someone@else.example")
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(trusted)
    done = cli("verify", folder, "--allowed-signers", allowed)
    assert done.returncode == 1 and "the manifest is not signed (no manifest.json.sig)" in done.stdout
    assert cli("sign", folder, "--key", other).returncode == 0
    done = cli("verify", folder, "--allowed-signers", allowed)
    assert done.returncode == 1 and "not by a key of the allowed signers" in done.stdout


def test_a_folder_that_does_not_verify_is_not_signed(folder, tmp_path):
    key, _ = keypair(tmp_path, "analyst@council.example")
    (folder / "report.html").write_text("changed")
    done = cli("sign", folder, "--key", key)
    assert (
        done.returncode == 2 and "does not verify against its manifest (report.html); it is not signed" in done.stderr
    )
    assert not (folder / "manifest.json.sig").exists()
    done = cli("sign", folder, "--key", tmp_path / "missing")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1


def test_a_signers_line_for_another_namespace_is_said_to_be_the_reason(folder, tmp_path):
    """Before: an allowed-signers line with namespaces="other" was reported as "changed after signing"."""
    key, line = keypair(tmp_path, "analyst@council.example")
    allowed = tmp_path / "allowed_signers"
    allowed.write_text('analyst@council.example namespaces="other" ' + line.split(" ", 1)[1])
    assert cli("sign", folder, "--key", key).returncode == 0
    done = cli("verify", folder, "--allowed-signers", allowed)
    assert done.returncode == 1 and "changed after signing" not in done.stdout
    assert "the allowed signers do not let analyst@council.example sign manifests" in done.stdout
    assert "not permitted for use in signature namespace" in done.stdout


def test_a_key_with_a_passphrase_fails_at_once_in_one_line(folder, tmp_path):
    """Before: ssh-keygen waited for the passphrase on the terminal until a 60 s timeout, then a traceback."""
    import time

    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "secret", "-f", str(tmp_path / "locked")], check=True)
    start = time.monotonic()
    done = cli("sign", folder, "--key", tmp_path / "locked")
    assert done.returncode == 2 and time.monotonic() - start < 20
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert "ssh-agent" in done.stderr and not (folder / "manifest.json.sig").exists()


def test_a_manifest_that_lists_a_file_twice_neither_verifies_nor_is_signed(folder, tmp_path):
    """Before: a manifest listing report.html twice (the first with a zero hash) verified and could be signed."""
    key, _ = keypair(tmp_path, "analyst@council.example")
    listed = json.loads((folder / "manifest.json").read_text())
    listed["outputs"].insert(0, {"path": "report.html", "sha256": "0" * 64})
    (folder / "manifest.json").write_text(json.dumps(listed))
    done = cli("verify", folder)
    assert done.returncode == 2 and "lists 'report.html' twice" in done.stderr
    assert cli("sign", folder, "--key", key).returncode == 2 and not (folder / "manifest.json.sig").exists()
