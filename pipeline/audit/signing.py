"""An anchor for a manifest: an OpenSSH signature, as git signs commits.

A manifest vouches for every file of its folder by SHA-256, but anyone who can change a file can change the
manifest too. ``sign`` writes ``manifest.json.sig`` beside it with ``ssh-keygen -Y sign`` under the project's
own namespace; ``verify --allowed-signers FILE`` checks it with ``ssh-keygen -Y verify`` against the keys an
auditor trusts (an allowed-signers file, as ``git`` uses for ``gpg.ssh.allowedSignersFile``). The manifest's
own SHA-256, which ``run`` prints, is what a committee paper can quote.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from pipeline.errors import ManifestError, UsageError
from pipeline.run.manifest import MANIFEST, SIGNATURE

NAMESPACE = "council-report-manifest@pipeline"  # signatures made for this use only (ssh-keygen -n)


def _ssh_keygen() -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise UsageError("ssh-keygen (OpenSSH's client, Debian package openssh-client) is needed to sign and check")
    return found


def sign(folder: str | Path, key: str | Path) -> Path:
    """Sign ``folder``'s manifest with the private ``key``; returns the signature file. Only a folder whose files
    verify against its manifest is signed. Raises ManifestError or UsageError."""
    from pipeline.audit.verify import verify

    folder = Path(folder)
    check = verify(folder)
    if not check.ok:
        bad = ", ".join(name for name, state in check.files if state != "ok")
        raise ManifestError(f"does not verify against its manifest ({bad}); it is not signed", folder)
    if not Path(key).is_file():
        raise UsageError(f"{key}: no such key file")
    with (folder / MANIFEST).open("rb") as manifest:
        done = subprocess.run(
            [_ssh_keygen(), "-q", "-Y", "sign", "-f", str(key), "-n", NAMESPACE],
            stdin=manifest,
            capture_output=True,
            timeout=60,
        )
    if done.returncode != 0 or not done.stdout.startswith(b"-----BEGIN SSH SIGNATURE-----"):
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"{key}: ssh-keygen could not sign with it ({reason[-1] if reason else 'no reason given'})")
    target = folder / SIGNATURE
    part = folder / (SIGNATURE + ".part")
    part.write_bytes(done.stdout)
    part.replace(target)
    return target


def check_signature(folder: str | Path, allowed_signers: str | Path) -> tuple[bool, str]:
    """Whether ``folder``'s manifest is signed by a key of ``allowed_signers``: (True, the signer) or (False, why)."""
    folder = Path(folder)
    signature = folder / SIGNATURE
    if not Path(allowed_signers).is_file():
        raise UsageError(f"{allowed_signers}: no such allowed-signers file")
    if not signature.is_file():
        return False, f"the manifest is not signed (no {SIGNATURE})"
    program = _ssh_keygen()
    found = subprocess.run(
        [program, "-Y", "find-principals", "-s", str(signature), "-f", str(allowed_signers)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    principals = found.stdout.split()
    if found.returncode != 0 or not principals:
        return False, "the manifest's signature is not by a key of the allowed signers"
    for principal in principals:
        with (folder / MANIFEST).open("rb") as manifest:
            done = subprocess.run(
                [
                    program,
                    "-Y",
                    "verify",
                    "-f",
                    str(allowed_signers),
                    "-I",
                    principal,
                    "-n",
                    NAMESPACE,
                    "-s",
                    str(signature),
                ],
                stdin=manifest,
                capture_output=True,
                timeout=60,
            )
        if done.returncode == 0:
            return True, principal
    return False, "the manifest's signature does not match the manifest (it was changed after signing)"
