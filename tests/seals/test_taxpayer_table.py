"""The invoice seal's taxpayer number against the printed seller's (issue #7, `seal.taxpayer_mismatch`), as a table.

A row is (name, the seal's middle line as the OCR read it, the seller's printed code, whether the page is black and
white, expected ids). The middle line goes through the seal check's own judgement (`judge_middle`: the number
`taxpayer_no` keeps of the line, or the part `taxpayer_part` keeps of a line read only in part). What the
comparison forgives is what misreading explains: up to TAXPAYER_FAR - 1 characters when either reading fails its
check digit, TAXPAYER_NEAR - 1 when both pass; on a fax the seal's reading must pass its check digit to be compared
at all. A line read only in part (10 to 14 characters from the number's start, a letter among them) is held to
the seller's number at its best place, and half its characters must differ. The images behind these readings are
tested in test_seals.py.
"""

from __future__ import annotations

import pytest
from stdnum.cn import uscc

from appealcheck.checks.seals import TAXPAYER_FAR, TAXPAYER_NEAR, SealCheck
from appealcheck.seals.read import taxpayer_no, taxpayer_part

TM = "seal.taxpayer_mismatch"
OWN = "91310115MA1H7XWJ5N"  # the distributor's code, valid
OTHER = "91440300MA5G9BKX58"  # another company's code, valid, 11 characters apart


def valid(base17: str) -> str:
    return base17 + uscc.calc_check_digit(base17)


NEAR3 = "91310115MA1H7ABC5N"  # valid, three characters from OWN (X, W, J changed; the check character holds)
NEAR3_CHECK = valid("91310115MA1H7XAB5")  # valid, three from OWN: two characters and the check character
NEAR2 = valid("91310115MA1H7XWJ6")  # valid, two from OWN: one character and the check character
SLIP7 = "91310115MA18888888"  # fails its check digit, seven from OWN
FAR8 = "91310115MA8888888X"  # fails its check digit, eight from OWN
assert all(uscc.is_valid(c) for c in (OWN, OTHER, NEAR3, NEAR3_CHECK, NEAR2))
assert not uscc.is_valid(SLIP7) and not uscc.is_valid(FAR8)

TAXPAYER_CASES = [
    ("the seller's own number", OWN, OWN, False, []),
    ("read with spaces and specks between characters", "9131 0115MA1H7X'WJ5N", OWN, False, []),
    ("the seal's title read with the number", f"发票专用章 {OWN}", OWN, False, []),
    ("in full-width characters", "９１３１０１１５ＭＡ１Ｈ７ＸＷＪ５Ｎ", OWN, False, []),
    ("O and I read for 0 and 1 (never in a code)", "9I3IOII5MA1H7XWJ5N", OWN, False, []),
    ("the seller's code printed in lower case", OWN, OWN.lower(), False, []),
    ("one character misread (fails its check digit)", "91310115MA1H7XWJ6N", OWN, False, []),
    (f"{TAXPAYER_FAR - 1} characters misread, failing its check digit: still a slip", SLIP7, OWN, False, []),
    (f"{TAXPAYER_FAR} characters off, failing its check digit: another number", FAR8, OWN, False, [TM]),
    (f"a valid number {TAXPAYER_NEAR - 1} characters off: a misread can still be valid", NEAR2, OWN, False, []),
    ("another company's valid number", OTHER, OWN, False, [TM]),
    ("another company's number, read with one slip", "91440300MA5G9BKX59", OWN, False, [TM]),
    (f"a valid number {TAXPAYER_NEAR} characters off", NEAR3, OWN, False, [TM]),
    (f"a valid number {TAXPAYER_NEAR} characters off, its check character among them", NEAR3_CHECK, OWN, False,
     [TM]),
    ("a fax: a number that fails its check digit is not compared", "1131011544230760374", OWN, True, []),
    ("a fax: another company's valid number", OTHER, OWN, True, [TM]),
    ("a fax: the seller's own number", OWN, OWN, True, []),
    ("the middle line unread", "", OWN, False, []),
    ("the middle line holds no number", "发票专用章", OWN, False, []),
    ("a bank account of 14 digits is no taxpayer number", "62220210010567", OWN, False, []),
    ("the seller's code unread", OTHER, None, False, []),
    ("an older 15-digit number, the seller's", "310115123456789", "310115123456789", False, []),
    ("an older 15-digit number of another company", "440300987654321", "310115123456789", False, [TM]),
    ("a character lost under the ring read as a colon", "91510107:4XKMY3DP1", "9151010774XKMY3DP1", False, []),
    ("a character lost under the ring read as a dash", "9151010-74ARMY3DP1", "9151010774XKMY3DP1", False, []),
    # Read in part: the line's faint end lost (A-1103-000114, a scan), its start lost, or a few characters only.
    ("another company's number read in part", "9133021297H2", "9151010774XKMY3DP1", False, [TM]),
    ("another company's number read in part, I read for 1", "9I33021297H2", "9151010774XKMY3DP1", False, [TM]),
    ("the seller's number read in part, its end lost", "9131011544WHC", "9131011544WHCXGCX7", False, []),
    ("the seller's number read in part, the seal's title beside it", "发票专用章 9151010774XK", "9151010774XKMY3DP1",
     False, []),
    ("a part of another company's number on a fax proves nothing", "9133021297H2", "9151010774XKMY3DP1", True, []),
    ("a part against a seller's code that fails its check digit", "9133021297H2", "9151010774XKMY3DP2", False, []),
    ("nine characters are too few to compare", "91330212H", "9151010774XKMY3DP1", False, []),
    ("ten characters, four off at their best place: under half", "92320216MA", OWN, False, []),
    ("ten characters, five off at their best place: half", "92320216MB", OWN, False, [TM]),
    ("a part against an unread seller", "9133021297H2", None, False, []),
    ("a part that lost the number's start could be anything", "10650L4NPC8K5", "9151010774XKMY3DP1", False, []),
    ("a part of digits alone may be a bank account under the seal", "622202100105", "9151010774XKMY3DP1", False, []),
    ("a phone number with its dashes", "0755-83451234-8001", OWN, False, []),
    ("a bank account in groups of four", "6222-0210-0105-6789", OWN, False, []),
    ("an invoice number after 'No.'", "No.12345678", OWN, False, []),
    ("a company's name in Latin letters", "QIHANG TRADING", OWN, False, []),
    ("a tracking number", "SF1234567890", OWN, False, []),
]


@pytest.mark.parametrize(("name", "middle", "seller", "fax", "expected"), TAXPAYER_CASES,
                         ids=[c[0] for c in TAXPAYER_CASES])
def test_taxpayer_table(name, middle, seller, fax, expected):
    out = SealCheck().judge_middle(middle, seller, 0, (10, 10, 90, 90), fax)
    assert [f.id for f in out] == expected
    for f in out:
        read = taxpayer_no(middle) or taxpayer_part(middle)
        assert f.measured == read and f.expected == seller.upper() and f.box == (10, 10, 90, 90)
