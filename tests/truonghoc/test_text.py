import random
import re
import unicodedata

from truonghoc.text import fold, name_sort_key, nfc


def test_nfc_collapses_spaces_and_normalises():
    nfd = unicodedata.normalize("NFD", "  Nguyễn   Văn  A ")
    assert nfc(nfd) == "Nguyễn Văn A"
    assert nfc(None) == ""


def test_fold_removes_diacritics_and_d_bar():
    assert fold("Đặng Thị Hòa") == "dang thi hoa"
    assert fold(unicodedata.normalize("NFD", "Toán – Tin")) == "toan – tin"
    assert fold("ĐỒNG DU") == "dong du"


def test_sort_key_puts_given_name_first():
    names = ["Trần Văn Bình", "Nguyễn Thị Ánh", "Nguyễn Thị Anh", "Lê An"]
    assert sorted(names, key=name_sort_key) == ["Lê An", "Nguyễn Thị Anh", "Nguyễn Thị Ánh", "Trần Văn Bình"]


def test_control_characters_are_dropped_so_no_query_carries_a_nul():
    """PostgreSQL refuses NUL in a query: a search box sent "%00" must not become a 500."""
    assert nfc("Tr\x00ần\x07 Phú") == "Trần Phú"
    assert fold("ab\x00cd") == "abcd"


def test_nfc_short_way_for_plain_ascii_gives_what_the_long_way_gives():
    def long_way(value):
        text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", unicodedata.normalize("NFC", value))
        return re.sub(r"\s+", " ", text).strip()

    chars = [chr(i) for i in range(128)] + ["\u00a0", "ễ", "\u2028", "e\u0301"]
    rng = random.Random(15)
    samples = ["", " 35101 ", "THCS", "a  b", "x\ty", "\x1fA", "6A1 ", *(
        "".join(rng.choice(chars) for _ in range(rng.randint(1, 6))) for _ in range(20_000)
    )]  # fmt: skip
    for value in samples:
        assert nfc(value) == long_way(value), repr(value)
