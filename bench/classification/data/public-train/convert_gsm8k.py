"""GSM8K's *train* split as `math` training examples for the task classifier.

Run as: python3 convert_gsm8k.py <path to grade_school_math/data/train.jsonl> gsm8k-train.jsonl
Keeps the question only (no answer), a seeded sample of 400 of the 7,473 problems.
Source and licence: SOURCES.md in the folder above.
"""
import json
import random
import sys

src, out = sys.argv[1], sys.argv[2]
questions = [json.loads(line)["question"].strip() for line in open(src, encoding="utf-8") if line.strip()]
sample = random.Random(20261203).sample(questions, 400)
with open(out, "w", encoding="utf-8") as f:
    for q in sample:
        f.write(json.dumps({"text": q, "task_type": "math"}, ensure_ascii=False) + "\n")
print(f"{len(sample)} of {len(questions)} questions written to {out}")
