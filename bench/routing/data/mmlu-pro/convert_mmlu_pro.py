#!/usr/bin/env python3
"""Build prompts.jsonl / labels.jsonl from TIGER-AI-Lab/MMLU-Pro released model outputs.

Input: a directory holding the unzipped eval_results/model_outputs_<MODEL>_5shots.json files
(from the zips in the MMLU-Pro repository, commit f418b116db00b065c2aea046518d8fcf74d39872).
Usage: python3 convert_mmlu_pro.py <dir_with_json_files> <out_dir>
"""
import glob, json, os, random, sys

MODELS = [  # file-name model tag -> label model name
    ("Llama-2-13b-hf", "Llama-2-13b-hf"),
    ("Meta-Llama-3-8B", "Meta-Llama-3-8B"),
    ("Meta-Llama-3_1-8B-Instruct", "Meta-Llama-3.1-8B-Instruct"),
    ("Mistral-7B-v0.1", "Mistral-7B-v0.1"),
    ("Mistral-7B-Instruct-v0.2", "Mistral-7B-Instruct-v0.2"),
    ("Phi-3-mini-4k-instruct", "Phi-3-mini-4k-instruct"),
    ("Qwen1.5-7B-Chat", "Qwen1.5-7B-Chat"),
    ("Yi-6b-Chat", "Yi-6B-Chat"),
    ("gemma-7b", "gemma-7b"),
    ("mathstral-7B", "mathstral-7B"),
]
SEED = 20240614
N_MATH = 600
N_GENERAL = 1200
LETTERS = "ABCDEFGHIJ"


def category_of(subject):
    return "math" if subject == "math" else "general"


def render(rec):
    opts = rec["options"]
    if isinstance(opts, str):  # stored as a Python-list string in the release
        import ast
        opts = ast.literal_eval(opts)
    lines = [rec["question"].strip(), ""]
    for i, o in enumerate(opts):
        lines.append(f"({LETTERS[i]}) {o}")
    lines.append("")
    lines.append("Answer with the letter of the correct option.")
    return "\n".join(lines), len(opts)


def main(src, out):
    data = {}
    for tag, name in MODELS:
        path = os.path.join(src, f"model_outputs_{tag}_5shots.json")
        recs = json.load(open(path))
        data[name] = {str(r["question_id"]): r for r in recs}
    common = set.intersection(*(set(d) for d in data.values()))
    ref = data[MODELS[0][1]]
    # Later runs (Llama-3.1, mathstral) used a revised data release in which a few items were
    # edited; keep only items whose question, options and answer are identical for every model.
    common = {q for q in common
              if all(d[q]["question"] == ref[q]["question"] and d[q]["answer"] == ref[q]["answer"]
                     and d[q]["options"] == ref[q]["options"] for d in data.values())}
    by_subj = {}
    for qid in sorted(common, key=int):
        by_subj.setdefault(ref[qid]["category"], []).append(qid)
    rng = random.Random(SEED)
    chosen = rng.sample(by_subj["math"], N_MATH)
    others = sorted(s for s in by_subj if s != "math")
    per, extra = divmod(N_GENERAL, len(others))
    for i, s in enumerate(others):
        chosen += rng.sample(by_subj[s], per + (1 if i < extra else 0))
    chosen.sort(key=int)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "prompts.jsonl"), "w") as fp, open(os.path.join(out, "labels.jsonl"), "w") as fl:
        for qid in chosen:
            r = ref[qid]
            subj = r["category"].replace(" ", "_")
            iid = f"mmlupro/{subj}/{qid}"
            prompt, nopt = render(r)
            fp.write(json.dumps({"id": iid, "category": category_of(r["category"]), "prompt": prompt}, ensure_ascii=False) + "\n")
            for _, name in MODELS:
                m = data[name][qid]
                if m["pred"] is None:
                    score, src_tag = round(1.0 / nopt, 4), "mmlu_pro_5shot_cot_noanswer_expected_guess"
                else:
                    score, src_tag = (1.0 if m["pred"] == m["answer"] else 0.0), "mmlu_pro_5shot_cot"
                fl.write(json.dumps({"id": iid, "model": name, "score": score, "label_src": src_tag}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
