"""Reading a document with one long string (an embedded PDF in Base64): time per MB.

The reader used to decode the whole buffered document again for each 64 KiB chunk, so its
time grew with the square of the string (50 MB: 156 s). It now grows its buffer
geometrically and decodes once, so time per MB stays flat. The baseline is plain
`json.loads(text, parse_float=Decimal)` on the same text in the same run (it reads the whole
file at once, no streaming): the ratio is what streaming, line tracking and the limits cost.

    python benchmarks/long_strings.py                    # 5, 10, 20, 50 MB
    python benchmarks/long_strings.py --sizes 5 50 --forms single ndjson array
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from passeur.engine.io import RawDocument, iter_documents

MB = 1_000_000


def write(path: Path, megabytes: int, form: str) -> None:
    document = {"number": "F-1", "total": Decimal("12.50"), "pdf": "QUJD" * (megabytes * MB // 4)}
    text = json.dumps({k: str(v) if isinstance(v, Decimal) else v for k, v in document.items()})
    if form == "array":
        text = f"[{text}]"
    path.write_text(text + "\n", encoding="utf-8")


def time_reader(path: Path) -> float:
    started = time.perf_counter()
    with path.open(encoding="utf-8") as stream:
        documents = list(iter_documents(stream))
    elapsed = time.perf_counter() - started
    assert len(documents) == 1 and isinstance(documents[0], RawDocument), documents
    return elapsed


def time_baseline(path: Path) -> float:
    started = time.perf_counter()
    json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 10, 20, 50])
    parser.add_argument("--forms", nargs="+", default=["single"],
                        choices=["single", "ndjson", "array"])
    parser.add_argument("--repeat", type=int, default=3, help="best of N passes")
    args = parser.parse_args()
    print("| form | MB | passeur s | s per MB | json.loads s | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for form in args.forms:
            for size in args.sizes:
                path = Path(tmp) / f"{form}-{size}.json"
                write(path, size, form)
                ours = min(time_reader(path) for _ in range(args.repeat))
                base = min(time_baseline(path) for _ in range(args.repeat))
                print(f"| {form} | {size} | {ours:.3f} | {ours / size:.4f} | {base:.3f} | "
                      f"{ours / base:.2f} |", flush=True)
                path.unlink()


if __name__ == "__main__":
    main()
