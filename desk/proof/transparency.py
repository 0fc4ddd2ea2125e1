"""The public snapshot of the reserve, in the spirit of El Salvador's published reserve:
its addresses and balances, what came in each day and from where, and the proof that the
register equals the chain at given block heights, signed off by the register's head hash
(anyone holding the register can run `desk verify` and see the same hash).

Two files, JSON for machines and a small static HTML page for people, written atomically
(a half-written snapshot never exists), owner-only and read-only (mode 400, in a folder desk
creates 700): it is published when the operator copies it to where the public reads it.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from desk.config import DeskSettings
from desk.private_files import READ_ONLY, private_dir
from desk.proof.chains import ChainReader
from desk.proof.inflows import daily_totals, reserve_inflows
from desk.proof.proof import ReserveReport, check_reserves
from desk.register import Register

JSON_NAME = "reserve.json"
HTML_NAME = "index.html"


class ProofFailed(Exception):
    """The register does not equal the chain (or a chain could not be read): nothing is
    published. `report` says where."""

    def __init__(self, report: ReserveReport) -> None:
        self.report = report
        super().__init__("; ".join(report.failures()))


async def build_snapshot(settings: DeskSettings, register: Register, reader: ChainReader) -> dict[str, Any]:
    """The snapshot as plain data, or ProofFailed when there is nothing true to publish."""
    report = await check_reserves(settings, register, reader)
    if not report.ok:
        raise ProofFailed(report)
    inflows = await reserve_inflows(settings, register)
    seq, head = report.register_head
    proof = report.as_json()
    return {
        "fund": settings.reserve.fund,
        "generated_at": report.checked_at.isoformat(),
        "register": {"head_seq": seq, "head_hash": head, "entries": await register.count()},
        "proof": {
            "register_equals_chain": True,
            "heights": proof["heights"],
            "statement": _statement(settings, report),
        },
        "reserve_addresses": [a for check in proof["checks"] for a in check["addresses"]],
        "balances": [
            {"account": c["account"], "asset": c["asset"], "register": c["register"], "on_chain": c["on_chain"]}
            for c in proof["checks"]
        ],
        "daily_inflows": [
            {"day": day.isoformat(), "asset": asset, "source": tag, "amount": format(amount.value, "f")}
            for day, asset, tag, amount in daily_totals(inflows)
        ],
    }


def _statement(settings: DeskSettings, report: ReserveReport) -> str:
    heights = ", ".join(
        f"{chain} {'slot' if chain == 'solana' else 'block'} {h:,}" for chain, h in report.heights.items()
    )
    seq, head = report.register_head
    return (
        f"The register of {settings.reserve.fund} (head #{seq}, hash {head}) equals the balances of the "
        f"reserve's addresses on chain at {heights}."
    )


def render_html(snapshot: dict[str, Any]) -> str:
    """A static page: no script, no external resource."""
    e = html.escape
    fund = e(snapshot["fund"])

    def table(headers: list[str], rows: list[list[Any]]) -> str:
        head = "".join(f"<th>{e(h)}</th>" for h in headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{e('' if v is None else str(v))}</td>" for v in r) + "</tr>" for r in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    addresses = table(
        ["address", "chain", "asset", "custody", "balance on chain", "block / slot"],
        [
            [a["address"], a["chain"], a["asset"], a["custody"], a["on_chain"], a["block_height"]]
            for a in snapshot["reserve_addresses"]
        ],
    )
    balances = table(
        ["account", "asset", "register", "on chain"],
        [[b["account"], b["asset"], b["register"], b["on_chain"]] for b in snapshot["balances"]],
    )
    inflows = table(
        ["day (UTC)", "asset", "source", "amount"],
        [[i["day"], i["asset"], i["source"], i["amount"]] for i in snapshot["daily_inflows"]],
    )
    register = snapshot["register"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{fund}: reserve snapshot</title>
<style>body{{font-family:sans-serif;max-width:70em;margin:2em auto}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #999;padding:.2em .6em;text-align:left}}code{{word-break:break-all}}</style></head>
<body><h1>{fund}: reserve snapshot</h1>
<p>Generated {e(snapshot["generated_at"])}. {e(snapshot["proof"]["statement"])}</p>
<p>Register head: #{register["head_seq"]} <code>{e(register["head_hash"])}</code> ({register["entries"]} entries).</p>
<h2>Reserve addresses</h2>{addresses}
<h2>Balances: register and chain</h2>{balances}
<h2>Daily inflows by source</h2>{inflows}
<p>Machine-readable: <a href="{JSON_NAME}">{JSON_NAME}</a>.</p>
</body></html>
"""


def write_snapshot(snapshot: dict[str, Any], out: Path) -> list[Path]:
    """Write both files into `out` atomically, read-only; return their paths. Blocking:
    call through asyncio.to_thread."""
    private_dir(out)
    contents = {
        JSON_NAME: json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n",
        HTML_NAME: render_html(snapshot),
    }
    staged: list[tuple[Path, Path]] = []
    try:
        for name, text in contents.items():
            fd, temp = tempfile.mkstemp(prefix=f".{name}.", dir=out)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(temp, READ_ONLY)
            staged.append((Path(temp), out / name))
    except BaseException:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    for temp, final in staged:
        os.replace(temp, final)
    return [final for _, final in staged]
