"""Evaluate a training run honestly: the tuned model against its own base model.

- held-out loss and perplexity on the release's test split (assistant tokens only);
- generation metrics on test prompts: ROUGE-L and BLEU-4 over jieba words, exact match for
  short answers;
- multiple-choice accuracy on a C-Eval/CMMLU-style CSV (Question,A,B,C,D,Answer), by the
  next-token likelihood of each option letter;
- "did SFT make it dumber?": perplexity on general Chinese text, base vs tuned (forgetting),
  and the validation-minus-train loss gap over training (overfitting), each with a verdict.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.collect.encoding import decode
from pipeline.io import atomic_write_text, write_json
from pipeline.render import chat_messages
from pipeline.render.templates import FALLBACK_TEMPLATES
from pipeline.train import adapters
from pipeline.train.data import PinnedRelease, pin_release, to_dataset
from pipeline.train.metrics import bleu4, exact_match, rouge_l
from pipeline.train.trainer import device_of, load_model
from schemas import SftRecord
from schemas.train import TrainConfig

CHOICE_PROMPT = "以下是单项选择题，请直接给出正确答案的选项字母。\n\n{question}\nA. {A}\nB. {B}\nC. {C}\nD. {D}\n答案："


@dataclass(frozen=True)
class Models:
    base: Any
    tuned: Any
    tokenizer: Any
    template: str


def load_models(run_dir: Path, config: TrainConfig, release: PinnedRelease) -> Models:
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = device_of(config)
    base = load_model(config, device).eval()
    if (run_dir / "model").is_dir():
        tuned = AutoModelForCausalLM.from_pretrained(run_dir / "model", use_safetensors=True).eval()
    elif (run_dir / "adapter" / adapters.CONFIG_FILE).exists():
        tuned = adapters.load_adapters(load_model(config, device), run_dir / "adapter").eval()
    else:
        tuned = PeftModel.from_pretrained(load_model(config, device), run_dir / "adapter").eval()
    tokenizer = AutoTokenizer.from_pretrained(config.model)
    name = release.manifest.chat_template
    template = tokenizer.chat_template if name == "tokenizer" else FALLBACK_TEMPLATES[name][0]
    return Models(base, tuned, tokenizer, template)


def token_loss(model: Any, ids: Any, labels: Any) -> tuple[float, int]:
    """Summed next-token cross-entropy over the labelled positions, and their count.

    Computed from the logits rather than with `labels=`: peft's AdaLoRA adds its orthogonality
    regulariser to any loss the model returns, and a reloaded AdaLoRA model has no trainable
    adapter to take its weight from (`'...' object has no attribute 'trainable_adapter_name'`).
    The held-out loss is the language-model loss alone either way.
    """
    import torch

    logits = model(input_ids=ids).logits[:, -ids.shape[1] :]  # prompt tuning puts its virtual tokens first
    logits = logits[:, :-1].float()
    targets = labels[:, 1:]
    counted = int((targets != -100).sum())
    if not counted:
        return 0.0, 0
    loss = torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100, reduction="sum"
    )
    return float(loss), counted


def masked_loss(model: Any, dataset: Any) -> float | None:
    """Mean loss per trained token over a dataset of input_ids and assistant_masks."""
    import torch

    if dataset is None:
        return None
    total, tokens = 0.0, 0
    with torch.no_grad():
        for row in dataset:
            ids = torch.tensor([row["input_ids"]])
            labels = torch.tensor(
                [[t if m else -100 for t, m in zip(row["input_ids"], row["assistant_masks"], strict=True)]]
            )
            summed, counted = token_loss(model, ids, labels)
            total, tokens = total + summed, tokens + counted
    return total / tokens if tokens else None


def perplexity(loss: float | None) -> float | None:
    return math.exp(min(loss, 50.0)) if loss is not None else None


def generate(models: Models, model: Any, record: SftRecord, max_new_tokens: int) -> str:
    import torch

    messages = list(record.messages)
    while messages and messages[-1].role == "assistant":
        messages.pop()
    prompt = models.tokenizer.apply_chat_template(
        chat_messages(messages), chat_template=models.template, tokenize=False, add_generation_prompt=True
    )
    ids = torch.tensor([models.tokenizer(prompt, add_special_tokens=False)["input_ids"]])
    with torch.no_grad():
        output = model.generate(
            input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=max_new_tokens, do_sample=False,
            eos_token_id=models.tokenizer.eos_token_id, pad_token_id=models.tokenizer.pad_token_id,
        )  # fmt: skip
    return models.tokenizer.decode(output[0, ids.shape[1] :], skip_special_tokens=True).strip()


def generation_metrics(models: Models, records: list[SftRecord], config: TrainConfig, words) -> dict:
    samples = [r for r in records if r.messages and r.messages[-1].role == "assistant"]
    samples = samples[: config.eval.generation_samples]
    scores: dict[str, dict[str, list[float]]] = {"base": {}, "tuned": {}}
    examples = []
    for record in samples:
        reference = record.messages[-1].content
        outputs = {}
        for name, model in (("base", models.base), ("tuned", models.tuned)):
            output = generate(models, model, record, config.eval.max_new_tokens)
            outputs[name] = output
            bucket = scores[name]
            bucket.setdefault("rouge_l", []).append(rouge_l(words(output), words(reference)))
            bucket.setdefault("bleu4", []).append(bleu4(words(output), words(reference)))
            if len(reference) <= config.eval.exact_match_max_chars:
                bucket.setdefault("exact_match", []).append(float(exact_match(output, reference)))
        examples.append({"prompt": record.messages[-2].content if len(record.messages) > 1 else "",
                         "reference": reference, **outputs})  # fmt: skip
    means = {name: {k: sum(v) / len(v) for k, v in bucket.items() if v} for name, bucket in scores.items()}
    return {"samples": len(samples), **means, "examples": examples}


def choice_accuracy(models: Models, model: Any, path: Path) -> dict:
    import torch

    rows = list(csv.DictReader(io.StringIO(decode(path.read_bytes()).text)))
    letters = ["A", "B", "C", "D"]
    letter_ids = [models.tokenizer(letter, add_special_tokens=False)["input_ids"][0] for letter in letters]
    correct = 0
    for row in rows:
        question = CHOICE_PROMPT.format(question=row["Question"], **{k: row[k] for k in letters})
        prompt = models.tokenizer.apply_chat_template(
            [{"role": "user", "content": question}],
            chat_template=models.template,
            tokenize=False,
            add_generation_prompt=True,
        )
        ids = torch.tensor([models.tokenizer(prompt, add_special_tokens=False)["input_ids"]])
        with torch.no_grad():
            logits = model(input_ids=ids).logits[0, -1]
        choice = letters[int(torch.argmax(logits[letter_ids]))]
        correct += choice == row["Answer"].strip().upper()
    return {"questions": len(rows), "accuracy": correct / len(rows) if rows else None}


def general_lines(path: Path, max_lines: int = 200) -> list[str]:
    return [line.strip() for line in decode(path.read_bytes()).text.splitlines() if line.strip()][:max_lines]


def text_perplexity(models: Models, model: Any, path: Path, max_lines: int = 200, max_tokens: int = 512) -> float:
    import torch

    total, tokens = 0.0, 0
    with torch.no_grad():
        for line in general_lines(path, max_lines):
            ids = torch.tensor([models.tokenizer(line, add_special_tokens=False)["input_ids"][:max_tokens]])
            if ids.shape[1] < 2:
                continue
            summed, counted = token_loss(model, ids, ids)
            total, tokens = total + summed, tokens + counted
    return math.exp(total / tokens) if tokens else float("nan")


def overfitting(history: list[dict], gap_limit: float) -> dict:
    """The validation-minus-train loss gap at each evaluation, and a verdict."""
    points = []
    last_train = None
    for entry in history:
        if "loss" in entry:
            last_train = entry["loss"]
        if "eval_loss" in entry and last_train is not None:
            points.append({"step": entry["step"], "train": last_train, "validation": entry["eval_loss"],
                           "gap": entry["eval_loss"] - last_train})  # fmt: skip
    if not points:
        return {"verdict": "no validation loss was logged; add a validation split to see overfitting", "points": []}
    rising = len(points) >= 3 and points[-1]["validation"] > min(p["validation"] for p in points[:-1])
    gap = points[-1]["gap"]
    if gap > gap_limit or rising:
        why = (
            f"the validation loss is {gap:.2f} above the train loss" if gap > gap_limit else "the validation loss rose"
        )
        verdict = f"overfitting: {why}; train fewer epochs, lower the learning rate, or add data"
    else:
        verdict = f"no sign of overfitting: gap {gap:.2f} (limit {gap_limit})"
    return {"verdict": verdict, "final_gap": gap, "points": points}


def evaluate_run(run_dir: Path) -> dict:
    """Every metric for a run; writes eval.json and eval.md into the run folder."""
    from pipeline.segment import load_segmenter
    from schemas import SegmentConfig

    config = TrainConfig.model_validate_json((run_dir / "config.json").read_text(encoding="utf-8"))
    release = pin_release(Path(config.releases_dir), config.release, config.fingerprint)
    models = load_models(run_dir, config, release)
    held_out = release.records("test") or release.records("validation")
    dataset = to_dataset(held_out, models.tokenizer, config.training.max_length, True)
    losses = {"base": masked_loss(models.base, dataset), "tuned": masked_loss(models.tuned, dataset)}
    segmenter = load_segmenter(SegmentConfig())
    result: dict[str, Any] = {
        "held_out": {
            "records": len(held_out),
            **{f"{k}_loss": v for k, v in losses.items()},
            **{f"{k}_perplexity": perplexity(v) for k, v in losses.items()},
        },
        "generation": generation_metrics(
            models, held_out, config, lambda t: [w for w in segmenter.words(t) if w.strip()]
        ),
    }
    if config.eval.choice_csv:
        path = Path(config.eval.choice_csv)
        result["choice"] = {
            "base": choice_accuracy(models, models.base, path),
            "tuned": choice_accuracy(models, models.tuned, path),
        }
    result["forgetting"] = (
        _forgetting(models, Path(config.eval.general_text), config.eval.forgetting_ratio)
        if config.eval.general_text
        else {"verdict": "not checked: eval.general_text is null (set it to a general Chinese text file)"}
    )
    history = json.loads((run_dir / "log_history.json").read_text(encoding="utf-8"))
    result["overfitting"] = overfitting(history, config.eval.overfit_gap)
    write_json(run_dir / "eval.json", result)
    atomic_write_text(run_dir / "eval.md", eval_report(result, config))
    return result


def _forgetting(models: Models, path: Path, ratio_limit: float) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f"eval.general_text {path} does not exist")
    base, tuned = text_perplexity(models, models.base, path), text_perplexity(models, models.tuned, path)
    ratio = tuned / base
    verdict = (
        f"forgetting: perplexity on general text rose {ratio:.2f}x (limit {ratio_limit}); the tuning data "
        "shifted the model away from general Chinese; mix in general data or train less"
        if ratio > ratio_limit
        else f"no forgetting beyond the limit: tuned/base perplexity {ratio:.2f} (limit {ratio_limit})"
    )
    lines = general_lines(path)
    text = "\n".join(lines)
    measured_on = {"path": str(path), "lines": len(lines), "characters": len(text),
                   "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]}  # fmt: skip
    return {"base_perplexity": base, "tuned_perplexity": tuned, "ratio": ratio, "verdict": verdict,
            "measured_on": measured_on}  # fmt: skip


def eval_report(result: dict, config: TrainConfig) -> str:
    held = result["held_out"]
    generation = result["generation"]
    lines = [
        f"# Evaluation of {config.method} on {config.release}",
        "",
        "![loss curves](loss.png)",
        "",
        "| metric | base | tuned |",
        "|---|---|---|",
        f"| held-out loss ({held['records']} records) | {_fmt(held['base_loss'])} | {_fmt(held['tuned_loss'])} |",
        f"| held-out perplexity | {_fmt(held['base_perplexity'])} | {_fmt(held['tuned_perplexity'])} |",
    ]
    for metric in ("rouge_l", "bleu4", "exact_match"):
        lines.append(f"| {metric} ({generation['samples']} prompts) | "
                     f"{_fmt(generation['base'].get(metric))} | {_fmt(generation['tuned'].get(metric))} |")  # fmt: skip
    if "choice" in result:
        lines.append(f"| multiple-choice accuracy | {_fmt(result['choice']['base']['accuracy'])} | "
                     f"{_fmt(result['choice']['tuned']['accuracy'])} |")  # fmt: skip
    lines += ["", "## Did SFT make it dumber?", ""]
    forgetting = result["forgetting"]
    lines.append(f"- Forgetting: {forgetting['verdict']}")
    if "measured_on" in forgetting:
        on = forgetting["measured_on"]
        lines.append(f"  (perplexity measured on `{on['path']}`: {on['lines']} lines, {on['characters']} characters, "
                     f"sha256 {on['sha256']}; base {_fmt(forgetting['base_perplexity'])}, tuned "
                     f"{_fmt(forgetting['tuned_perplexity'])})")  # fmt: skip
    lines.append(f"- Overfitting: {result['overfitting']['verdict']}")
    lines += ["", "## Sample generations", "", "| prompt | reference | base | tuned |", "|---|---|---|---|"]
    for example in generation["examples"][:10]:
        cells = [
            example[k].replace("\n", " ").replace("|", "\\|")[:120] for k in ("prompt", "reference", "base", "tuned")
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"
