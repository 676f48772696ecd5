"""Build classifier/data/name_lexicon.tsv.gz from spaCy's English lexeme probabilities.

Source: the `spacy-lookups-data` package (PyPI, MIT licence, by Explosion),
file `spacy_lookups_data/data/en_lexeme_prob.json.gz`: log-probabilities of
~1M word forms, case-sensitive. (The package also ships en_license.txt, the
WordNet licence, which by its name goes with the English lemma tables.)
A word whose Capitalised form is much more frequent than its lower-case
form behaves like a proper noun (a name or a place); that ratio is what the
redactor uses. The output holds words and two
numbers, no personal data. Run: python scripts/build_name_lexicon.py
"""

import gzip
import json
from pathlib import Path

import spacy_lookups_data

SRC = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
OUT = Path(__file__).resolve().parents[1] / "classifier" / "data" / "name_lexicon.tsv.gz"
FLOOR = -25.0  # log-prob given to a form never seen


def main() -> None:
    prob = json.load(gzip.open(SRC))
    low, cap = {}, {}
    for w, p in prob.items():
        if not all(c.isalpha() or c in "'-" for c in w):
            continue
        if w.islower():
            low[w] = p
        elif w[0].isupper() and (len(w) == 1 or w[1:].islower()):
            cap[w.lower()] = p
    rows = []
    for w in sorted(set(low) | set(cap)):
        lp, cp = low.get(w, FLOOR), cap.get(w, FLOOR)
        # Keep frequent words (to know what is common) and proper-looking words.
        if lp > -17.0 or cp - lp > 1.0:
            rows.append(f"{w}\t{cp - lp:.2f}\t{lp:.2f}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    body = ("word\tcap_ratio\tlower_logprob\n" + "\n".join(rows) + "\n").encode("utf-8")
    # mtime=0: the same input gives byte-identical output, so diffs stay clean.
    with OUT.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as fh:
        fh.write(body)
    print(f"wrote {len(rows)} words to {OUT}")


if __name__ == "__main__":
    main()
