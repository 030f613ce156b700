"""The bench's check of what ``auto`` without an identifier would do: it must never count an identified
pair, nor one with another valid ID, and the pair it chooses must leave no wrong owner on its own data."""

from bench.matching import Suggestion, _auto_unidentified, choose_unidentified_pair


def _result(suggestions: dict[str, list[Suggestion]], truth: dict[str, str | None]) -> dict:
    return {
        "suggestions": suggestions,
        "truth": [{"item": item, "report": report, "set": "city"} for item, report in truth.items()],
    }


def test_only_unidentified_pairs_without_a_conflicting_id_are_counted() -> None:
    by_id = [Suggestion("R1", 30.0, True, "id_number:exact name:exact")]
    other_id = [Suggestion("R1", 30.0, False, "id_number:different name:exact phone:exact")]
    by_name = [Suggestion("R1", 20.0, False, "name:exact time:in_window"), Suggestion("R2", 9.0, False)]
    assert _auto_unidentified(by_id, 12, 0) is None
    assert _auto_unidentified(other_id, 12, 0) is None
    assert _auto_unidentified(by_name, 12, 11) == by_name[0]
    assert _auto_unidentified(by_name, 12, 11.5) is None  # 20 - 9 is short of the margin
    assert _auto_unidentified(by_name, 20.5, 0) is None


def test_the_chosen_pair_leaves_no_wrong_owner_on_the_tuning_data() -> None:
    result = _result(
        {
            # A namesake's report, alone and well above review: only a higher threshold keeps it out.
            "I1": [Suggestion("R-other", 17.0, False, "name:exact district:exact")],
            "I2": [Suggestion("R2", 19.0, False, "name:exact district:exact colour:exact")],
            "I3": [Suggestion("R3", 25.0, False, "name:exact"), Suggestion("R9", 24.0, False)],
        },
        {"I1": None, "I2": "R2", "I3": "R3"},
    )
    threshold, margin = choose_unidentified_pair(result)
    assert threshold > 17.0 and threshold <= 19.0
    assert _auto_unidentified(result["suggestions"]["I1"], threshold, margin) is None
    assert _auto_unidentified(result["suggestions"]["I2"], threshold, margin) is not None
    # I3 stands only 1 above its rival: the most right owners with none wrong take it in too.
    assert margin <= 1.0


def test_no_pair_when_every_unidentified_top_is_wrong() -> None:
    result = _result({"I1": [Suggestion("R-other", 30.0, False, "name:exact")]}, {"I1": "R1"})
    assert choose_unidentified_pair(result) is None


def test_the_splink_baseline_leaves_a_missing_field_empty_and_ranks_by_its_own_pair() -> None:
    """A field the record lacks must be NULL to Splink: an empty name would count against the pair."""
    from bench.splink_baseline import _item_row, _report_row, choose_pair

    slip = {
        "external_ref": "I1",
        "district": "东城区",
        "category": "wallet",
        "colour": "",
        "found_at": "2025-03-30T09:10:00+08:00",
        "contents": [{"kind": "phone_number", "holder_name": "", "id_number": "", "phone": "138 0579 6612"}],
    }
    row = _item_row(slip)
    assert row["name"] is None and row["name_pinyin"] is None and row["id_number"] is None
    assert row["phone"] == "13805796612" and row["colour"] is None and row["date"] == "2025-03-30"
    report = {
        "external_ref": "R1",
        "owner": {"name": "黎晓梅", "id_number": "330784********1239", "phone": "13805796612"},
        "district": "东城区",
        "category": "wallet",
        "colour": "棕色",
        "lost_from": "2025-03-28T19:00:00+08:00",
        "contents": [{"kind": "bank_card", "card_number": "", "card_last4": "0128"}],
    }
    row = _report_row(report)
    assert (
        row["name_pinyin"] == "li xiao mei" and row["id_mask"] == "3307841239" and row["card_last4"] == "0128"
    )
    result = _result(
        {"I1": [Suggestion("R1", 12.0, True)], "I2": [Suggestion("R-other", 9.0, True)]},
        {"I1": "R1", "I2": None},
    )
    score, _ = choose_pair(result)
    assert 9.0 < score <= 12.0


def test_cash_or_a_bank_agrees_only_when_both_sides_state_the_same() -> None:
    """The bench's count of owners whose cash or card's bank agree: a side that says nothing agrees on
    nothing, and a rounded cash amount is not the amount found."""
    from bench.synthetic import _contents_agree, _row

    def record(*rows: dict) -> dict:
        return {"contents": list(rows)}

    found = record(_row("cash", amount="350.00"), _row("bank_card", card_last4="1234", bank="农业银行"))
    assert _contents_agree(found, record(_row("cash", amount="350.00")))
    assert _contents_agree(found, record(_row("bank_card", bank="农业银行")))
    assert not _contents_agree(
        found, record(_row("cash", amount="300.00"), _row("bank_card", bank="工商银行"))
    )
    assert not _contents_agree(found, record(_row("id_card", holder_name="黎晓梅")))
    assert not _contents_agree(record(), record(_row("cash", amount="350.00")))
