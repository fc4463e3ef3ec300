"""What ends a sentence, or a question, in the scripts news is written in.

Rules that read a line's last character (is it a heading, is it a question, may a sentence end
here) were written for the Latin script's ". ! ?"; a Chinese or Japanese sentence ends in "。",
an Arabic question in "؟", a Hindi sentence in "।". Read only by ASCII, every such sentence was
taken for a heading (a line without final punctuation) and never quoted as an answer.
"""

from __future__ import annotations

# Full stops and marks that end a sentence: Latin; Chinese and Japanese (full- and half-width);
# Arabic question mark and Urdu full stop; Devanagari danda and double danda; Armenian;
# Ethiopic; Burmese; Khmer.
ENDS = ".!?…。．！？｡؟۔।॥։።။។"
# ... those of scripts other than the Latin one: no abbreviation or number ends in one.
ENDS_OTHER_SCRIPTS = ENDS.replace(".!?…", "")
# Marks that end a sentence with no space after them (scripts written without spaces).
ENDS_UNSPACED = "。．！？｡"
QUESTIONS = "?？؟"
# Closing quotation marks and brackets that may follow a sentence's end.
CLOSERS = "\"'“”»«)\\]」』）】〕》〉’"
# Colons and semicolons: a line ending in one continues (a list, a quotation follows).
CONTINUES = ":;：；"
