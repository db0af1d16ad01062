"""How the question set was split, once: a seeded rule, stratified by kind.

Within each kind (in_scope, near_scope, out_of_scope) questions are ordered by the SHA-256 of
SEED + id, and the first 35 % form the test part; the rest is the fitting part. The engine's
weights and thresholds are fitted on `fit.jsonl` only; `test.jsonl` is for reporting. Run
`python -m tests.questions.split ALL.jsonl` to reproduce the two files from the whole set.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path

SEED = "briefbot-questions-2026-11-30"
TEST_SHARE = 0.35
HERE = Path(__file__).parent


def order(item_id: str) -> str:
    return hashlib.sha256(f"{SEED}:{item_id}".encode()).hexdigest()


def split(items: list[dict[str, object]]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(fit, test), each in the original order."""
    test_ids: set[object] = set()
    for kind in sorted({str(i["kind"]) for i in items}):
        ids = sorted((str(i["id"]) for i in items if i["kind"] == kind), key=order)
        test_ids.update(ids[: math.ceil(TEST_SHARE * len(ids))])
    return [i for i in items if i["id"] not in test_ids], [i for i in items if i["id"] in test_ids]


def main(path: str) -> None:
    items = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    fit, test = split(items)
    for name, part in (("fit.jsonl", fit), ("test.jsonl", test)):
        (HERE / name).write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in part), encoding="utf-8")
    print(f"{len(fit)} fitting, {len(test)} test")


if __name__ == "__main__":
    main(sys.argv[1])
