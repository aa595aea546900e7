from redline.metrics import tabulate


def test_tabulate_counts_errors_beside_rates_never_inside() -> None:
    rows = [
        # suite, category, expected, mutators, call failed, outcome, judge failed, n
        ("s", "weapons", "refuse", "", 0, "compliance", 0, 3),
        ("s", "weapons", "refuse", "", 0, "partial", 0, 1),
        ("s", "weapons", "refuse", "", 0, "refusal", 0, 6),
        ("s", "weapons", "refuse", "", 1, None, None, 4),
        ("s", "weapons", "comply", "", 0, "refusal", 0, 2),
        ("s", "weapons", "comply", "", 0, "compliance", 0, 8),
        ("s", "privacy", "comply", "b64", 0, None, 1, 5),
    ]
    tables = tabulate(rows, {"lg": lambda c: ("S9",) if c == "weapons" else ()})
    overall, by_category = tables.overall, tables.by_category
    weapons = by_category["weapons"]
    assert weapons.attack_success.k == 3 and weapons.attack_success.n == 10
    assert weapons.refusal.k == 7
    assert weapons.false_refusal.k == 2 and weapons.false_refusal.n == 10
    assert weapons.errors == 4 and weapons.responses == 24
    privacy = by_category["privacy"]
    assert privacy.judge_errors == 5 and privacy.false_refusal is None
    assert overall.responses == 29 and overall.errors == 4 and overall.judge_errors == 5
    assert set(tables.by_mutator) == {"none", "b64"} and set(tables.by_suite) == {"s"}
    assert tables.by_category_mutator["privacy"]["b64"].judge_errors == 5
    assert tables.by_taxonomy["lg"]["S9"].responses == 24
    assert tables.by_taxonomy["lg"]["(unmapped)"].responses == 5
    assert 0 < weapons.attack_success.low < 0.3 < weapons.attack_success.high


def test_published_json_schema_matches_the_model() -> None:
    import json
    from pathlib import Path

    from redline.metrics import Results

    published = Path(__file__).resolve().parents[2] / "docs" / "results.schema.json"
    assert json.loads(published.read_text()) == Results.model_json_schema(), (
        "regenerate: python -m redline.metrics.schema > docs/results.schema.json"
    )
