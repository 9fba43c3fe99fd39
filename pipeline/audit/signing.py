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
SECONDS = 60  # the longest ssh-keygen is waited for


def _without_askpass() -> dict:
    """The environment, with no program to ask for a passphrase (ssh-keygen would otherwise open a window or wait)."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("SSH_ASKPASS", "DISPLAY")}
    env["SSH_ASKPASS_REQUIRE"] = "never"
    return env


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
    try:
        with (folder / MANIFEST).open("rb") as manifest:
            done = subprocess.run(
                [_ssh_keygen(), "-q", "-Y", "sign", "-f", str(key), "-n", NAMESPACE],
                stdin=manifest,
                capture_output=True,
                timeout=SECONDS,
                start_new_session=True,  # no terminal to ask a passphrase on: a key that needs one fails at once
                env=_without_askpass(),
            )
    except subprocess.TimeoutExpired:
        raise UsageError(
            f"{key}: ssh-keygen did not sign within {SECONDS} s (a key with a passphrase needs ssh-agent: "
            "ssh-add it first)"
        ) from None
    if done.returncode != 0 or not done.stdout.startswith(b"-----BEGIN SSH SIGNATURE-----"):
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        said = reason[-1] if reason else "no reason given"
        if "passphrase" in said.lower() or "tty" in said.lower():
            said += "; a key with a passphrase needs ssh-agent: ssh-add it first"
        raise UsageError(f"{key}: ssh-keygen could not sign with it ({said})")
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
        timeout=SECONDS,
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
                timeout=SECONDS,
            )
        if done.returncode == 0:
            return True, principal
    if _matches(program, folder, signature):  # the signature is the manifest's: the signers file is what refuses it
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = next((line.split(": ", 1)[-1] for line in said if "not permitted" in line), "")
        return False, (
            f"the allowed signers do not let {', '.join(principals)} sign manifests"
            + (f" ({why})" if why else f" (its line must allow the namespace {NAMESPACE} and be valid now)")
        )
    return False, "the manifest's signature does not match the manifest (it was changed after signing)"


def _matches(program: str, folder: Path, signature: Path) -> bool:
    """Whether the signature is a valid signature of the manifest by its own key, whoever holds it."""
    with (folder / MANIFEST).open("rb") as manifest:
        done = subprocess.run(
            [program, "-Y", "check-novalidate", "-n", NAMESPACE, "-s", str(signature)],
            stdin=manifest,
            capture_output=True,
            timeout=SECONDS,
        )
    return done.returncode == 0
