"""Whether the problems of a bad upload read in Chinese: each has a Chinese text, with no English sentence left."""

import re

from corpsmap.data import Message, Problem

_CJK = re.compile(r"[\u4e00-\u9fff]")
_QUOTED = re.compile(r"“[^”]*”")  # values, ids and error details quoted in a Chinese text
_ENGLISH = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}")  # three English words in a row: an untranslated phrase


def english_left(problem: Problem) -> str | None:
    """The first run of English words in the problem's Chinese sentence, outside its file, sheet, column and
    value and anything quoted; None if there is none."""
    text = problem.describe("zh")
    for known in (problem.file, problem.sheet, problem.column, problem.value):
        if known:
            text = text.replace(known, "")
    found = _ENGLISH.search(_QUOTED.sub("", text))
    return found.group() if found else None


def assert_in_chinese(problems: list[Problem]) -> None:
    assert problems
    for problem in problems:
        assert isinstance(problem.message, Message), f"no Chinese text: {problem}"
        assert _CJK.search(problem.text("zh")), problem.text("zh")
        assert problem.text("en") == str(problem.message)
        assert english_left(problem) is None, f"English left in {problem.describe('zh')!r}: {english_left(problem)!r}"
