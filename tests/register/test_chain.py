"""The hash chains: a clean register verifies, the storage refuses edits (the SQLite file's
triggers, PostgreSQL's), the canonical forms hold. Tampering behind desk's back is the tamper
suite's (tests/integrity/test_tamper.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from desk.register import Quote, Register
from desk.register.canonical import canonical_json, entry_body, entry_payload
from tests.register.conftest import T0, earning, payout, transfer
from tests.register.rawdb import RawDb, Refused


async def filled(register: Register) -> Path:
    await register.ingest([earning(i) for i in range(20)] + [payout(i, "0.001", tx=f"{i:064x}") for i in range(5)])
    return register.path


async def test_a_clean_register_verifies_with_its_head(register: Register) -> None:
    await filled(register)
    result = await register.verify()
    assert result.ok and result.entries == 25
    assert result.head_hash == (await register.head())[1]


async def test_the_triggers_refuse_updates_and_deletes(register: Register, raw: RawDb) -> None:
    await filled(register)
    await register.checkpoint()  # so the actions log has a row to protect
    await register.record_quotes([Quote("BTC", "USD", Decimal(97000), "kraken", T0, T0)])
    await register.draft(transfer("0.001"))
    for sql in (
        "UPDATE entries SET memo = 'x' WHERE seq = 3",
        "DELETE FROM entries WHERE seq = 3",
        "UPDATE postings SET units = 1",
        "DELETE FROM actions",
        "UPDATE drafts SET body = 'x'",
        "DELETE FROM drafts",
        "UPDATE quotes SET price = '1'",
        "DELETE FROM quotes",
    ):
        try:
            raw.execute(sql)
        except Refused as exc:
            assert "append-only" in str(exc) or "insert-only" in str(exc)
        else:
            raise AssertionError(f"{sql} was allowed")


async def test_one_changed_byte_names_that_entry(register: Register, raw: RawDb) -> None:
    await filled(register)
    [[memo]] = raw.query("SELECT memo FROM entries WHERE seq = 7")
    raw.tamper(f"UPDATE entries SET memo = '{memo[:-1]}X' WHERE seq = 7")
    result = await register.verify()
    assert not result.ok and result.first_bad_seq == 7
    assert "entry #7" in result.problems[0]


@given(
    st.text(),
    st.one_of(st.none(), st.text()),
    st.one_of(st.none(), st.integers(0, 10**30)),
    st.lists(st.tuples(st.text(min_size=1), st.text(min_size=1), st.integers(-(10**40), 10**40)), max_size=4),
)
def test_the_fast_canonical_form_is_exactly_the_json_one(memo: str, reference, reverses, postings) -> None:
    fields = dict(
        seq=7,
        ts="2026-11-01T00:00:00.000000Z",
        kind="payout",
        memo=memo,
        reference=reference,
        source="pool:x",
        external_id=None,
        status="queued",
        price=None,
        reverses=reverses,
        drafted_by='a\u00e9"b\\',
        approved_by=None,
        approved_at=None,
        postings=postings,
    )
    assert entry_body(**fields) == canonical_json(entry_payload(**fields))


@given(st.text(), st.text(), st.integers(1, 10**9))
def test_the_fast_quote_form_is_exactly_the_json_one(source: str, price: str, n: int) -> None:
    from desk.register.quotes import body, payload

    row = (source, "BTC", "USD", "2026-11-01T00:00:00.000000Z", price, "2026-11-01T00:00:01.000000Z")
    assert body(n, row) == canonical_json(payload(n, row))


@given(
    st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False)),
    st.one_of(st.none(), st.text()),
    st.integers(1, 10**30),
)
def test_the_fast_valuation_form_is_what_the_valuation_action_records(usd, reason, units) -> None:
    import json
    from datetime import date

    from desk.register.valuations import Valuation
    from desk.register.verify import valuation_detail

    v = Valuation(entry_seq=3, asset="BTC", units=units, revision=2, state="valued", cause="receipt", usd=usd,
                  reason=reason, kzt_rate_date=date(2026, 11, 6), source="kraken", source_time=None)  # fmt: skip
    d = v.detail()
    row = (1, 3, d["asset"], d["units"], d["revision"], d["state"], d["cause"], d["price"], d["price_currency"],
           d["source"], d["source_time"], d["usd"], d["kzt"], d["kzt_rate"], d["kzt_rate_date"],
           d["kzt_rate_source"], d["reason"])  # fmt: skip
    assert valuation_detail(row) == json.dumps(d, sort_keys=True, separators=(",", ":"))
