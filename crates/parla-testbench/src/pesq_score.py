"""PESQ (ITU-T P.862, PyPI `pesq`) of a received recording against the sent reference.

argv: REF (mono, at RATE) DEG (any rate/channels) RATE (8000: narrowband, 16000: wideband).
The recording is resampled with sox, then the window of the reference's length that matches
it best (FFT cross-correlation) is cut out and scored. Prints JSON: pesq, lag_s, corr, rms_db.
"""

import json
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np
from pesq import pesq


def read(path):
    with wave.open(path, "rb") as w:
        data = w.readframes(w.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.float64) / 32768.0


def main():
    ref_path, deg_path, rate = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with tempfile.TemporaryDirectory() as tmp:
        deg_rs = os.path.join(tmp, "deg.wav")
        subprocess.run(
            ["sox", deg_path, "-r", str(rate), "-c", "1", "-b", "16", deg_rs], check=True
        )
        ref, deg = read(ref_path), read(deg_rs)
    if len(deg) < len(ref):
        print(json.dumps({"error": f"recording shorter than the reference ({len(deg)} < {len(ref)} samples)"}))
        return
    n = 1 << int(np.ceil(np.log2(len(deg) + len(ref))))
    corr = np.fft.irfft(np.fft.rfft(deg, n) * np.conj(np.fft.rfft(ref, n)), n)
    valid = corr[: len(deg) - len(ref) + 1]
    # normalise by the window's energy so that a loud stretch does not win by loudness alone
    energy = np.concatenate(([0.0], np.cumsum(deg * deg)))
    win = energy[len(ref) :] - energy[: len(deg) - len(ref) + 1]
    score = valid / np.sqrt(np.maximum(win, 1e-12))
    lag = int(np.argmax(score))
    seg = deg[lag : lag + len(ref)]
    norm = float(np.sqrt(np.sum(ref * ref) * np.sum(seg * seg))) or 1e-12
    rms = float(np.sqrt(np.mean(seg * seg)))
    out = {
        "lag_s": lag / rate,
        "corr": float(valid[lag]) / norm,
        "rms_db": 20 * np.log10(max(rms, 1e-9)),
    }
    try:
        out["pesq"] = float(pesq(rate, ref, seg, "nb" if rate == 8000 else "wb"))
    except Exception as e:  # NoUtterancesError and the like: report, do not crash
        out["error"] = f"{type(e).__name__}: {e}"
    print(json.dumps(out))


main()
