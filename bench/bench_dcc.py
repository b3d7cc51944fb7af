"""EU DCC verification per core vs the bare signature check it contains.

    python bench/bench_dcc.py            # 5,000 certificates
    python bench/bench_dcc.py --full     # 50,000

Baseline: ECDSA P-256 verify (OpenSSL through ``cryptography``) of the same Sig_structure bytes with
the same key, the raw signature already converted to DER. Measured: ``core.dcc.verify`` of the QR
texts (prefix, Base45, zlib, COSE and CWT decoding, key lookup, signature, key usage, dates). Both on
one core, in one process, best of five alternating rounds. Prints ``RATIO dcc_verify_vs_bare_ecdsa`` = bare time /
full time (1.0 means decoding and checks cost nothing; the issue asks >= 0.6).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature  # noqa: E402

from core import dcc  # noqa: E402

T0 = datetime(2020, 3, 10, tzinfo=UTC)


def payload(i: int) -> dict[str, object]:
    return {
        "ver": "1.3.0",
        "nam": {"fn": f"Muster{i}", "fnt": f"MUSTER{i}".replace("0", "O"), "gn": "Erika", "gnt": "ERIKA"},
        "dob": "1964-08-12",
        "v": [
            {
                "tg": "840539006",
                "vp": "1119349007",
                "mp": "EU/1/20/1528",
                "ma": "ORG-100030215",
                "dn": 2,
                "sd": 2,
                "dt": "2020-02-01",
                "co": "DE",
                "is": "Robert Koch-Institut",
                "ci": f"URN:UVCI:01DE/BENCH/{i}#X",
            }
        ],
    }


def best(fn, rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--count", type=int, default=0)
    args = parser.parse_args()
    count = args.count or (50_000 if args.full else 5_000)
    der, key = dcc.make_signer(
        country="DE", not_before=T0 - timedelta(days=1), not_after=T0 + timedelta(days=365)
    )
    signer = dcc.signer_from_der(der, country="DE")
    trust = dcc.trust_list_of([signer])
    texts = [
        dcc.issue(
            payload(i),
            key=key,
            kid=signer.kid,
            issuer="DE",
            issued_at=T0,
            expires_at=T0 + timedelta(days=180),
        )
        for i in range(count)
    ]
    bare = []
    for text in texts:
        cose = dcc.decode_cose(dcc.decode_text(text))
        r, s = int.from_bytes(cose.signature[:32], "big"), int.from_bytes(cose.signature[32:], "big")
        bare.append((encode_dss_signature(r, s), cose.signed_bytes()))
    public = signer.public_key
    assert isinstance(public, ec.EllipticCurvePublicKey)
    algorithm = ec.ECDSA(hashes.SHA256())
    now = T0 + timedelta(days=1)

    def run_bare() -> None:
        for signature, data in bare:
            public.verify(signature, data, algorithm)

    def run_full() -> None:
        for text in texts:
            if dcc.verify(text, trust, now=now).verdict is not dcc.Verdict.VALID:
                raise SystemExit("a benchmark certificate did not verify")

    # Rounds alternate so that a load change on a shared machine hits both sides alike.
    t_bare = t_full = float("inf")
    for _ in range(5):
        t_bare = min(t_bare, best(run_bare, 1))
        t_full = min(t_full, best(run_full, 1))
    print(f"bare ECDSA P-256 verify: {count / t_bare:,.0f}/s; full DCC verification: {count / t_full:,.0f}/s")
    print(f"RATIO dcc_verify_vs_bare_ecdsa = {t_bare / t_full:.2f} (target >= 0.6)")


if __name__ == "__main__":
    main()
