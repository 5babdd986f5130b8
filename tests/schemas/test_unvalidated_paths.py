"""`Strict.replace` skips pydantic's own copy, so it is held to it here: a pydantic upgrade that
changes what a model instance carries fails these, not a release. Segmentation is a dataclass
for speed; these hold that pydantic still validates and serializes it as it did the model."""

import json

import pytest
from pydantic import ValidationError

from schemas import Message, RecordMeta, Segmentation, SftRecord, SourcePointer


def _record(**changes: object) -> SftRecord:
    messages = (Message(role="user", content="你好"), Message(role="assistant", content="您好！有什么可以帮您？"))
    meta = RecordMeta(source=SourcePointer(file="a.jsonl", line=3), group="g")
    return SftRecord(id="r1", messages=messages, meta=meta, **changes)


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


def test_segments_round_trip_as_objects_with_every_field():
    segments = (Segmentation(words=("你好",), stop=(False,)), Segmentation(words=("您好", "！"), pos=("l", "x")))
    line = _record(segments=segments).model_dump_json()
    assert '"segments":[{"words":["你好"],"pos":null,"stop":[false],"pinyin":null}' in line
    assert SftRecord.model_validate_json(line).segments == segments


@pytest.mark.parametrize(
    "segment",
    [{"words": ["你好"], "extra": 1}, {"words": [1]}, {"words": "你好"}, {"pos": ["n"]}],
    ids=["unknown key", "not a word", "not a list", "no words"],
)
def test_segments_from_outside_are_validated(segment):
    fields = _record().model_dump(mode="json")
    with pytest.raises(ValidationError, match="segments"):
        SftRecord.model_validate_json(json.dumps({**fields, "segments": [segment]}))


def test_a_segmentation_is_frozen_and_hashable():
    segmentation = Segmentation(words=("你好",))
    with pytest.raises(AttributeError):
        segmentation.words = ()  # type: ignore[misc]
    assert hash(segmentation) == hash(Segmentation(words=("你好",)))
