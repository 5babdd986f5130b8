"""The floor: the same library work as a build, in one plain process, with nothing around it.

Read JSONL, traditional to simplified (OpenCC), NFKC, an exact-duplicate hash, jieba, MinHash
(128 permutations, datasketch's bulk path) and one tokenization per record: what any Chinese SFT
cleaning job pays at least. `engine_bench.py` runs it beside `sft run` on the same file.

    python bench/floor.py CORPUS.jsonl TOKENIZER_DIR
"""

from __future__ import annotations

import hashlib
import json
import sys
import unicodedata


def main(corpus: str, tokenizer_dir: str) -> None:
    import jieba
    import opencc
    from datasketch import MinHash
    from transformers import PreTrainedTokenizerFast

    jieba.setLogLevel(60)
    t2s = opencc.OpenCC("t2s").convert
    segmenter = jieba.Tokenizer()
    tokenizer = PreTrainedTokenizerFast.from_pretrained(tokenizer_dir)
    seen, shingle_sets, tokens, words = set(), [], 0, 0
    with open(corpus, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            text = unicodedata.normalize("NFKC", t2s(f"{row['instruction']}\n{row['input']}\n{row['output']}"))
            seen.add(hashlib.sha256(text.encode()).hexdigest())
            words += len(segmenter.lcut(text))
            shingle_sets.append([text[i : i + 2].encode() for i in range(len(text) - 1)] or [b""])
            tokens += len(tokenizer(text)["input_ids"])
    MinHash.bulk(shingle_sets, num_perm=128)
    print(json.dumps({"records": len(shingle_sets), "unique": len(seen), "words": words, "tokens": tokens}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
