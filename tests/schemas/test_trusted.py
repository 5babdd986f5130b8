"""`Strict.trusted` and `Strict.replace` skip pydantic's own paths, so they are held to them here:
a pydantic upgrade that changes what a model instance carries fails these, not a release."""

import pytest

from schemas import Message, RecordMeta, Segmentation, SftRecord, SourcePointer


def _record() -> SftRecord:
    messages = (Message(role="user", content="你好"), Message(role="assistant", content="您好！有什么可以帮您？"))
    meta = RecordMeta(source=SourcePointer(file="a.jsonl", line=3), group="g")
    return SftRecord(id="r1", messages=messages, meta=meta)


def test_trusted_equals_model_construct():
    values = {"words": ("你好", "！"), "pos": None, "stop": (False, False), "pinyin": None}
    built, reference = Segmentation.trusted(**values), Segmentation.model_construct(**values)
    assert built == reference
    assert built.model_dump_json() == reference.model_dump_json()
    assert built.model_fields_set == reference.model_fields_set
    assert hash(built.words) == hash(reference.words)


def test_trusted_refuses_a_missing_field():
    with pytest.raises(TypeError, match="pinyin"):
        Segmentation.trusted(words=("你好",), pos=None, stop=None)


def test_replace_equals_model_copy_and_leaves_the_original():
    record = _record()
    segments = (Segmentation(words=("你好",)), Segmentation(words=("您好", "！")))
    replaced, reference = record.replace(segments=segments), record.model_copy(update={"segments": segments})
    assert replaced == reference
    assert replaced.model_dump_json() == reference.model_dump_json()
    assert replaced.model_fields_set == reference.model_fields_set
    assert record.segments is None
    with pytest.raises(Exception, match="frozen"):
        replaced.id = "other"  # type: ignore[misc]
