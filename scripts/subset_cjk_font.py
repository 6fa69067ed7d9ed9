"""Write d2lmini/fonts/NotoSansCJKsc-d2lmini.otf: Noto Sans CJK SC cut down to
the characters of the Chinese chapter, so that its figures get Chinese labels
on any machine, with no font installed.

Run it after the Chinese chapter gains characters (a test says when):

    python scripts/subset_cjk_font.py NotoSansCJK-Regular.ttc

The source is the Noto CJK collection, e.g. Debian's fonts-noto-cjk
(/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc), under the SIL Open
Font License 1.1 (d2lmini/fonts/OFL.txt).
"""

import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "chapters" / "zh" / "minibatch_sgd.md"
OUT = ROOT / "d2lmini" / "fonts" / "NotoSansCJKsc-d2lmini.otf"
FAMILY = "Noto Sans CJK SC d2lmini"
# CJK ideographs and radicals, CJK punctuation, full-width forms.
CJK = re.compile("[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")


def characters(text):
    """The CJK characters of `text`, sorted, each once."""
    return "".join(sorted(set(CJK.findall(text))))


def main(source):
    collection = TTCollection(source)
    font = next(
        f
        for f in collection.fonts
        if f["name"].getDebugName(1) == "Noto Sans CJK SC"
    )
    text = characters(CHAPTER.read_text(encoding="utf-8"))
    options = subset.Options()
    options.name_IDs = ["*"]
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + "0123456789 ()=.,:%-+")
    subsetter.subset(font)
    names = font["name"]
    for record in names.names:  # a modified font gets a name of its own
        if record.nameID in (1, 16):
            names.setName(
                FAMILY,
                record.nameID,
                record.platformID,
                record.platEncID,
                record.langID,
            )
        elif record.nameID in (3, 4, 6):
            value = FAMILY if record.nameID != 6 else FAMILY.replace(" ", "")
            names.setName(
                value,
                record.nameID,
                record.platformID,
                record.platEncID,
                record.langID,
            )
    font["CFF "].cff.fontNames = [FAMILY.replace(" ", "")]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(OUT)
    print(
        f"{OUT.relative_to(ROOT)}: {len(text)} CJK characters, "
        f"{OUT.stat().st_size // 1024} KiB"
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
