"""Pretrained sentence encoder (all-MiniLM-L6-v2, int8 ONNX) that runs without torch.

`SentenceEncoder(folder)` loads `model.onnx` and `tokenizer.json` from a folder
made by `scripts/export_encoder.py` (default: models/encoder/). Before anything
is loaded, the SHA-256 of both files is checked against the values recorded in
the package itself (`encoder_hashes.json` beside this module), not against the
folder's own `encoder.json`: a swapped or corrupted model is refused. The
checked bytes are the ones loaded (no second read of the files).

`encode(texts)` gives one L2-normalised float32 vector of 384 numbers per text:
the transformer runs in onnxruntime, then mean pooling over the attention mask
and L2 normalisation are done in numpy. A text longer than 256 tokens (with
[CLS] and [SEP]) is cut into chunks on word boundaries, preferring sentence
ends; the chunk vectors are averaged, weighted by their token counts, and the
result renormalised. An empty text is encoded as "[CLS] [SEP]".

Nothing is downloaded, printed or logged; texts never appear in messages.
Run-time dependencies: numpy, onnxruntime, tokenizers.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifier.errors import EncoderError

MAX_TOKENS = 256
DIM = 384
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
HASHES_FILE = Path(__file__).with_name("encoder_hashes.json")
_SENTENCE_END = frozenset({".", "!", "?", ";"})
# A redacted name says nothing about what a complaint is about, but the corpus's compliments name
# staff ("thanks to [NAME]"), so a model fed the placeholder learnt "a name -> a compliment".
# Its tokens are left out of the model's input; character offsets of the rest are kept.
_NOT_FED = re.compile(r"\[NAME\]")
_FIX = (
    "rebuild it with `python scripts/export_encoder.py --out models/encoder "
    "--package-hashes classifier/features/encoder_hashes.json`, or restore models/encoder/ "
    "from the repository"
)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expected_hashes() -> dict[str, str]:
    """The SHA-256 of model.onnx and tokenizer.json that this package accepts."""
    try:
        recorded = json.loads(HASHES_FILE.read_text(encoding="utf-8"))
        return {name: str(recorded["files"][name]) for name in (MODEL_FILE, TOKENIZER_FILE)}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EncoderError(
            f"cannot read the recorded encoder hashes in {HASHES_FILE.name} ({type(exc).__name__}); "
            "reinstall the package"
        ) from None


def _read_verified(folder: Path, name: str, expected: str) -> bytes:
    path = folder / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EncoderError(f"cannot read {path} ({exc.strerror or type(exc).__name__}); {_FIX}") from None
    got = _sha256(data)
    if got != expected:
        raise EncoderError(
            f"{path} does not match the SHA-256 recorded in the package "
            f"(expected {expected[:16]}..., found {got[:16]}...); refusing to load it; {_FIX}"
        )
    return data


class SentenceEncoder:
    """Texts -> (n, 384) float32, unit length, via onnxruntime + tokenizers (no torch).

    `threads` sets onnxruntime's intra-op threads (default 1, so that each worker
    process uses one core). `expected` overrides the package's recorded hashes; it
    exists for the export script, which checks a model it has just built.
    """

    def __init__(self, folder: str | Path, threads: int = 1, expected: dict[str, str] | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        ort.disable_telemetry_events()  # Windows' event tracing; elsewhere ORT_DISABLE_TELEMETRY (classifier/__init__)
        if int(threads) < 1:
            raise ValueError("threads must be at least 1")
        self.folder = Path(folder)
        self.threads = int(threads)
        hashes = expected if expected is not None else expected_hashes()
        model_bytes = _read_verified(self.folder, MODEL_FILE, hashes[MODEL_FILE])
        tok_bytes = _read_verified(self.folder, TOKENIZER_FILE, hashes[TOKENIZER_FILE])

        try:
            tok = Tokenizer.from_str(tok_bytes.decode("utf-8"))
        except Exception as exc:  # tokenizers raises plain Exception subclasses
            raise EncoderError(
                f"{self.folder / TOKENIZER_FILE} cannot be loaded ({type(exc).__name__}); {_FIX}"
            ) from None
        tok.no_truncation()  # the file says 128 tokens, padded: chunking and padding are done here
        tok.no_padding()
        ids = {t: tok.token_to_id(t) for t in ("[CLS]", "[SEP]", "[PAD]")}
        if None in ids.values():
            raise EncoderError(f"{self.folder / TOKENIZER_FILE} lacks [CLS]/[SEP]/[PAD]; {_FIX}")
        self._tok = tok
        self._cls, self._sep, self._pad = ids["[CLS]"], ids["[SEP]"], ids["[PAD]"]

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3  # errors only: nothing on stderr in normal use
        try:
            self._session = ort.InferenceSession(model_bytes, sess_options=opts, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise EncoderError(
                f"{self.folder / MODEL_FILE} cannot be loaded by onnxruntime ({type(exc).__name__}); {_FIX}"
            ) from None
        del model_bytes
        self._inputs = {i.name for i in self._session.get_inputs()}
        missing = {"input_ids", "attention_mask"} - self._inputs
        out = self._session.get_outputs()[0]
        if missing or out.shape[-1] != DIM:
            raise EncoderError(
                f"{self.folder / MODEL_FILE} is not a {DIM}-dimensional encoder with "
                f"input_ids/attention_mask inputs; {_FIX}"
            )
        self._output = out.name

    @property
    def dim(self) -> int:
        return DIM

    # -- tokenisation and chunking -------------------------------------------------
    def _chunks(self, text: str) -> list[np.ndarray]:
        """Token-id arrays, each with [CLS]/[SEP] and at most MAX_TOKENS long."""
        return self._chunk_tokens(text)[0]

    def _chunk_tokens(self, text: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """`_chunks` plus, per chunk, the character start of each token after [CLS]."""
        enc = self._tok.encode(text, add_special_tokens=False)
        ids, words, tokens = enc.ids, enc.word_ids, enc.tokens
        starts = np.fromiter((o[0] for o in enc.offsets), dtype=np.int64, count=len(ids))
        hidden = [m.span() for m in _NOT_FED.finditer(text)]
        if hidden:
            keep = [k for k, s in enumerate(starts) if not any(a <= s < b for a, b in hidden)]
            ids, words, tokens = [ids[k] for k in keep], [words[k] for k in keep], [tokens[k] for k in keep]
            starts = starts[keep]
        body = MAX_TOKENS - 2
        n = len(ids)
        cuts = [0]
        while n - cuts[-1] > body:
            start = cuts[-1]
            end = start + body
            cut = None
            # Prefer ending a chunk after a sentence-ending token in the last half of the window,
            for j in range(end, start + body // 2, -1):
                if tokens[j - 1] in _SENTENCE_END and words[j] != words[j - 1]:
                    cut = j
                    break
            # else on a word boundary (never inside a word's ## pieces), else anywhere.
            if cut is None:
                cut = next((j for j in range(end, start, -1) if words[j] != words[j - 1]), end)
            cuts.append(cut)
        cuts.append(n)
        pairs = [(a, b) for a, b in zip(cuts[:-1], cuts[1:]) if b > a or n == 0]
        return (
            [np.array([self._cls, *ids[a:b], self._sep], dtype=np.int64) for a, b in pairs],
            [starts[a:b] for a, b in pairs],
        )

    # -- model ---------------------------------------------------------------------
    def _run(self, seqs: list[np.ndarray], hidden_out: list | None = None) -> np.ndarray:
        """Mean-pooled, L2-normalised vectors for a batch of id arrays.

        `hidden_out`: a list that receives each sequence's token vectors (for span pooling)."""
        width = max(len(s) for s in seqs)
        input_ids = np.full((len(seqs), width), self._pad, dtype=np.int64)
        mask = np.zeros((len(seqs), width), dtype=np.int64)
        for row, s in enumerate(seqs):
            input_ids[row, : len(s)] = s
            mask[row, : len(s)] = 1
        feed = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        hidden = self._session.run([self._output], feed)[0].astype(np.float32, copy=False)
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        if hidden_out is not None:
            hidden_out.extend(hidden[row, : len(s)] for row, s in enumerate(seqs))
        return _normalise(pooled)

    def encode(self, texts: Sequence[str], batch_size: int = 1) -> np.ndarray:
        """One unit-length float32 vector of 384 numbers per text, in input order.

        `batch_size` 1 (the default) gives each text the same vector whatever else is
        encoded with it: dynamic int8 quantisation scales activations over the whole
        batch, so batch-mates would move a text's vector (and a row's labels would
        depend on the rows around it). Larger batches were only ~2% faster here."""
        return self.encode_with_spans(texts, None, batch_size)[0]

    def encode_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]] | None, batch_size: int = 1
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """`encode`, plus one vector per character span of each text, from the same pass.

        A span's vector is the mean of the contextual vectors of the tokens that
        start inside it ("late chunking"), renormalised: the parts of a long text
        (its sentences, its complaint points) cost no extra model run. A span with
        no token gets the text's own vector. `spans[i]` holds (start, end) pairs.
        """
        if isinstance(texts, (str, bytes)):
            raise TypeError("encode() takes a list of texts, not a single string")
        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"text {i} is {type(t).__name__}, not str")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32), []

        if spans is not None and len(spans) != len(texts):
            raise ValueError("spans must hold one list of (start, end) pairs per text")
        seqs: list[np.ndarray] = []
        starts: list[np.ndarray] = []
        owner: list[int] = []
        for i, t in enumerate(texts):
            ids, st = self._chunk_tokens(t)
            seqs.extend(ids)
            starts.extend(st)
            owner.extend([i] * len(ids))
        # Batch chunks of similar length together (little padding); results go back by index.
        order = sorted(range(len(seqs)), key=lambda k: len(seqs[k]))
        chunk_vecs = np.empty((len(seqs), DIM), dtype=np.float32)
        hidden: list[np.ndarray | None] = [None] * len(seqs)
        for b in range(0, len(order), batch_size):
            idx = order[b : b + batch_size]
            got: list | None = [] if spans is not None else None
            chunk_vecs[idx] = self._run([seqs[k] for k in idx], got)
            if got is not None:
                for k, h in zip(idx, got):
                    hidden[k] = h[1:-1]  # token vectors without [CLS] / [SEP]

        # Texts of one chunk take it as is; longer texts average their chunks by token count.
        weights = np.array([len(s) - 2 for s in seqs], dtype=np.float32).clip(min=1.0)
        owner_arr = np.asarray(owner)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        np.add.at(out, owner_arr, chunk_vecs * weights[:, None])
        out = _normalise(out)
        if spans is None:
            return out, []
        by_text: dict[int, list[int]] = {}
        for k, i in enumerate(owner):
            by_text.setdefault(i, []).append(k)
        span_vecs = []
        for i, pairs in enumerate(spans):
            ks = by_text.get(i, [])
            tok_starts = np.concatenate([starts[k] for k in ks]) if ks else np.zeros(0, np.int64)
            tok_vecs = np.concatenate([hidden[k] for k in ks]) if ks else np.zeros((0, DIM), np.float32)
            vecs = np.empty((len(pairs), DIM), dtype=np.float32)
            for j, (a, b) in enumerate(pairs):
                inside = (tok_starts >= a) & (tok_starts < b)
                vecs[j] = tok_vecs[inside].mean(axis=0) if inside.any() else out[i]
            span_vecs.append(_normalise(vecs) if len(pairs) else vecs)
        return out, span_vecs


def _normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


def default_encoder_dir() -> Path:
    """COMPLAINTS_ENCODER, else the repository's models/encoder, else the copy in the package."""
    import os
    from importlib import resources

    env = os.environ.get("COMPLAINTS_ENCODER")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[2] / "models" / "encoder"
    if (repo / MODEL_FILE).exists():
        return repo
    return Path(str(resources.files("classifier") / "encoder_model"))
