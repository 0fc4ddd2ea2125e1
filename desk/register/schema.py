"""The register's schema and its migrations, versioned by PRAGMA user_version.

Each migration is a list of steps applied in one transaction: SQL statements, or a function
of the connection where SQL alone cannot do it (hashing rows into a chain). A file at version
N is brought to the newest version by applying migrations N+1.. in order. Append only: a
released migration is never edited.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from desk.register import quotes

Step = str | Callable[[sqlite3.Connection], None]

MIGRATIONS: list[list[Step]] = [
    # 1: the first register
    [
        """CREATE TABLE meta (key TEXT PRIMARY KEY, value ANY) STRICT""",
        """CREATE TABLE assets (code TEXT PRIMARY KEY, precision INTEGER NOT NULL) STRICT""",
        """CREATE TABLE accounts (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL
        ) STRICT""",
        # Units columns have no declared type, hence no affinity: SQLite keeps an INTEGER when
        # the value fits 63 bits and the exact decimal TEXT otherwise (a NUMERIC affinity would
        # turn that text into a lossy REAL).
        """CREATE TABLE entries (
            seq INTEGER PRIMARY KEY,
            ts TEXT NOT NULL,
            kind TEXT NOT NULL,
            memo TEXT NOT NULL,
            reference TEXT,
            source TEXT,
            external_id TEXT,
            status TEXT,
            price TEXT,
            reverses INTEGER REFERENCES entries(seq),
            drafted_by TEXT,
            approved_by TEXT,
            approved_at TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""",
        "CREATE UNIQUE INDEX entries_feed_id ON entries(source, external_id) WHERE source IS NOT NULL",
        "CREATE INDEX entries_ts ON entries(ts)",
        "CREATE INDEX entries_kind_ts ON entries(kind, ts)",
        """CREATE TABLE postings (
            entry_seq INTEGER NOT NULL REFERENCES entries(seq),
            idx INTEGER NOT NULL,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            asset TEXT NOT NULL REFERENCES assets(code),
            units NOT NULL,
            ts TEXT NOT NULL,
            PRIMARY KEY (entry_seq, idx)
        ) WITHOUT ROWID""",
        "CREATE INDEX postings_account ON postings(account_id, ts, entry_seq)",
        "CREATE INDEX postings_asset ON postings(asset, ts, entry_seq)",
        # Current balance per account and asset, maintained in the writing transaction.
        """CREATE TABLE balances (
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            asset TEXT NOT NULL,
            units NOT NULL,
            PRIMARY KEY (account_id, asset)
        ) WITHOUT ROWID""",
        # Net change per account, asset and UTC day: a balance as of any date sums days only.
        """CREATE TABLE daily (
            account_id INTEGER NOT NULL,
            asset TEXT NOT NULL,
            day TEXT NOT NULL,
            units NOT NULL,
            PRIMARY KEY (account_id, asset, day)
        ) WITHOUT ROWID""",
        # An entry's own reference (tx hash, order id) is searched by prefix through this index;
        # references an amendment added later live in `refs`.
        "CREATE INDEX entries_reference ON entries(lower(reference)) WHERE reference IS NOT NULL",
        """CREATE TABLE refs (ref TEXT NOT NULL, entry_seq INTEGER NOT NULL, PRIMARY KEY (ref, entry_seq))
           WITHOUT ROWID""",
        # Current feed status and reference of an entry, when an amendment changed them.
        """CREATE TABLE entry_state (
            entry_seq INTEGER PRIMARY KEY REFERENCES entries(seq),
            status TEXT,
            reference TEXT,
            action_seq INTEGER NOT NULL
        ) STRICT""",
        """CREATE TABLE drafts (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            drafted_by TEXT NOT NULL,
            body TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
            decided_by TEXT,
            decided_at TEXT,
            reason TEXT,
            entry_seq INTEGER REFERENCES entries(seq)
        ) STRICT""",
        "CREATE INDEX drafts_state ON drafts(state, id)",
        # Drafts, approvals, rejections, refused self-approvals, amendments, checkpoints.
        """CREATE TABLE actions (
            seq INTEGER PRIMARY KEY,
            ts TEXT NOT NULL,
            operator TEXT NOT NULL,
            action TEXT NOT NULL,
            draft_id INTEGER,
            entry_seq INTEGER,
            detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        ) STRICT""",
        """CREATE TABLE quotes (
            source TEXT NOT NULL,
            base TEXT NOT NULL,
            quote TEXT NOT NULL,
            source_time TEXT NOT NULL,
            price TEXT NOT NULL,
            received_time TEXT NOT NULL,
            PRIMARY KEY (base, quote, source_time, source)
        ) WITHOUT ROWID""",
        # Append-only, enforced by the file itself as well as by the code.
        """CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
           BEGIN SELECT RAISE(ABORT, 'register entries are append-only: post a reversal instead'); END""",
        """CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
           BEGIN SELECT RAISE(ABORT, 'register entries are append-only: post a reversal instead'); END""",
        """CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
           BEGIN SELECT RAISE(ABORT, 'register postings are append-only'); END""",
        """CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
           BEGIN SELECT RAISE(ABORT, 'register postings are append-only'); END""",
        """CREATE TRIGGER actions_no_update BEFORE UPDATE ON actions
           BEGIN SELECT RAISE(ABORT, 'the actions log is append-only'); END""",
        """CREATE TRIGGER actions_no_delete BEFORE DELETE ON actions
           BEGIN SELECT RAISE(ABORT, 'the actions log is append-only'); END""",
        "INSERT INTO meta (key, value) VALUES ('entry_count', 0), ('created_by', 'desk')",
    ],
    # 2: what the sync engine last did per feed, for `desk status` and incremental syncs
    [
        """CREATE TABLE sync_state (
            feed TEXT PRIMARY KEY,
            last_attempt TEXT NOT NULL,
            last_ok TEXT,
            synced_through TEXT,
            written INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL,
            reason TEXT
        ) STRICT""",
    ],
    # valuation at receipt: each inflow's price, source and USD/KZT value, frozen; a
    # correction or a late price is a new revision, never an edit (desk/register/valuations.py)
    [
        """CREATE TABLE valuations (
            id INTEGER PRIMARY KEY,
            entry_seq INTEGER NOT NULL REFERENCES entries(seq),
            asset TEXT NOT NULL,
            units TEXT NOT NULL,
            revision INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('valued', 'stale', 'missing')),
            cause TEXT NOT NULL,
            price TEXT,
            price_currency TEXT,
            source TEXT,
            source_time TEXT,
            usd TEXT,
            kzt TEXT,
            kzt_rate TEXT,
            kzt_rate_date TEXT,
            kzt_rate_source TEXT,
            reason TEXT,
            valued_at TEXT NOT NULL,
            action_seq INTEGER NOT NULL,
            UNIQUE (entry_seq, asset, revision)
        ) STRICT""",
        "CREATE INDEX valuations_missing ON valuations(entry_seq) WHERE state = 'missing'",
        """CREATE TRIGGER valuations_no_update BEFORE UPDATE ON valuations
           BEGIN SELECT RAISE(ABORT, 'valuations are append-only: record a new revision instead'); END""",
        """CREATE TRIGGER valuations_no_delete BEFORE DELETE ON valuations
           BEGIN SELECT RAISE(ABORT, 'valuations are append-only: record a new revision instead'); END""",
        # the latest quote of one market from each source is an index seek
        "CREATE INDEX quotes_market_source ON quotes(base, quote, source, source_time)",
        "INSERT INTO meta (key, value) VALUES ('valued_through', 0)",
    ],
    # an entry's own fields (a seizure's case and legal basis, a purchase's exchange and
    # order id) as canonical JSON; NULL for kinds without them, which keeps old hashes valid.
    # Domain actions (mining-fee kWh records) are found by name in the actions log.
    [
        "ALTER TABLE entries ADD COLUMN details TEXT",
        "CREATE INDEX actions_by_name ON actions(action, seq)",
    ],
    # treasury controls: proposed policy changes (allowlist, limits, quorum, roles) waiting
    # for a second admin; the effective policy is derived from the `policy_approve` actions.
    # A draft's approvals (quorum) are found by draft id in the actions log.
    [
        """CREATE TABLE policy_proposals (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            proposed_by TEXT NOT NULL,
            body TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
            decided_by TEXT,
            decided_at TEXT,
            reason TEXT
        ) STRICT""",
        "CREATE INDEX policy_proposals_state ON policy_proposals(state, id)",
        "CREATE INDEX actions_by_draft ON actions(draft_id, action) WHERE draft_id IS NOT NULL",
    ],
    # drafts are tamper-evident: a draft's body lives in its chained `draft` action (with the
    # body's hash), the row is an insert-only copy kept for listing, and its state is the
    # chained approve/reject action that names it (desk/register/drafts.py). The state
    # columns go: the actions log holds who decided, when, why and the entry posted.
    [
        "DROP INDEX drafts_state",
        """CREATE TABLE drafts_v2 (
            id INTEGER PRIMARY KEY,
            drafted_by TEXT NOT NULL,
            body TEXT NOT NULL
        ) STRICT""",
        "INSERT INTO drafts_v2 (id, drafted_by, body) SELECT id, drafted_by, body FROM drafts",
        "DROP TABLE drafts",
        "ALTER TABLE drafts_v2 RENAME TO drafts",
        """CREATE TRIGGER drafts_no_update BEFORE UPDATE ON drafts
           BEGIN SELECT RAISE(ABORT, 'drafts are insert-only: approve or reject them instead'); END""",
        """CREATE TRIGGER drafts_no_delete BEFORE DELETE ON drafts
           BEGIN SELECT RAISE(ABORT, 'drafts are insert-only: reject a draft instead'); END""",
    ],
    # proposed policy changes the same way: the change lives in the chained policy_propose
    # action, the row is an insert-only copy, the state is the chained decision
    # (desk/register/proposals.py)
    [
        "DROP INDEX policy_proposals_state",
        """CREATE TABLE policy_proposals_v2 (
            id INTEGER PRIMARY KEY,
            proposed_by TEXT NOT NULL,
            body TEXT NOT NULL
        ) STRICT""",
        "INSERT INTO policy_proposals_v2 (id, proposed_by, body) SELECT id, proposed_by, body FROM policy_proposals",
        "DROP TABLE policy_proposals",
        "ALTER TABLE policy_proposals_v2 RENAME TO policy_proposals",
        """CREATE TRIGGER policy_proposals_no_update BEFORE UPDATE ON policy_proposals
           BEGIN SELECT RAISE(ABORT, 'policy proposals are insert-only: approve or reject them instead'); END""",
        """CREATE TRIGGER policy_proposals_no_delete BEFORE DELETE ON policy_proposals
           BEGIN SELECT RAISE(ABORT, 'policy proposals are insert-only: reject a proposal instead'); END""",
    ],
    # the price history is chained (desk/register/quotes.py): each quote's position, the hash
    # before it and its own; quotes kept before are chained here in the order received, and
    # kept quotes can no longer be changed or removed
    [
        "ALTER TABLE quotes ADD COLUMN n INTEGER",
        "ALTER TABLE quotes ADD COLUMN prev_hash TEXT",
        "ALTER TABLE quotes ADD COLUMN hash TEXT",
        quotes.chain_existing,
        "CREATE UNIQUE INDEX quotes_chain ON quotes(n)",
        """CREATE TRIGGER quotes_no_update BEFORE UPDATE ON quotes
           BEGIN SELECT RAISE(ABORT, 'kept quotes are append-only'); END""",
        """CREATE TRIGGER quotes_no_delete BEFORE DELETE ON quotes
           BEGIN SELECT RAISE(ABORT, 'kept quotes are append-only'); END""",
    ],
    # what the sync keeps about its feeds beside sync_state (desk/register/feedstate.py): hosts
    # that banned desk or asked it to wait, and until when; each pool's hashrate per day and
    # the days it reported nothing; rows refused from feed answers, open until they parse or
    # an operator acknowledges them
    [
        """CREATE TABLE host_blocks (
            host TEXT PRIMARY KEY,
            until TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('ban', 'rate_limit')),
            reason TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        ) STRICT""",
        """CREATE TABLE pool_days (
            pool TEXT NOT NULL,
            day TEXT NOT NULL,
            hashrate_hs TEXT,
            basis TEXT CHECK (basis IN ('day', 'snapshot')),
            source TEXT,
            quiet INTEGER NOT NULL DEFAULT 0,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (pool, day)
        ) STRICT""",
        """CREATE TABLE feed_refusals (
            id INTEGER PRIMARY KEY,
            feed TEXT NOT NULL,
            row_key TEXT NOT NULL,
            kind TEXT NOT NULL,
            day TEXT NOT NULL,
            place TEXT NOT NULL,
            reason TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            times INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('open', 'resolved', 'acknowledged')),
            settled_at TEXT,
            settled_by TEXT,
            note TEXT,
            UNIQUE (feed, row_key)
        ) STRICT""",
        "CREATE INDEX feed_refusals_by_state ON feed_refusals(state, feed, day)",
    ],
    # FIFO lots kept between processes (desk/register/lots.py): each stay of a lot in an
    # account, and per account and day the units and cost that came in. Derived from entries
    # and valuations, continued pass by pass, rewound when the past changes, checked by
    # replaying from scratch; an existing register is replayed once by the next pass.
    [
        """CREATE TABLE lots (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            asset TEXT NOT NULL,
            pos INTEGER NOT NULL,
            units NOT NULL,
            source TEXT NOT NULL,
            entry_seq INTEGER NOT NULL REFERENCES entries(seq),
            cost_usd TEXT,
            cost_kzt TEXT,
            basis TEXT NOT NULL,
            usdt_priced INTEGER NOT NULL,
            placed_seq INTEGER NOT NULL REFERENCES entries(seq),
            taken_seq INTEGER REFERENCES entries(seq)
        )""",
        "CREATE INDEX lots_queue ON lots(account_id, asset, pos) WHERE taken_seq IS NULL",
        "CREATE INDEX lots_placed ON lots(placed_seq)",
        "CREATE INDEX lots_taken ON lots(taken_seq) WHERE taken_seq IS NOT NULL",
        """CREATE TABLE lot_days (
            account_id INTEGER NOT NULL,
            asset TEXT NOT NULL,
            source TEXT NOT NULL,
            cost_known INTEGER NOT NULL,
            day TEXT NOT NULL,
            units NOT NULL,
            cost_usd TEXT NOT NULL,
            cost_kzt TEXT NOT NULL,
            PRIMARY KEY (account_id, asset, source, cost_known, day)
        ) WITHOUT ROWID""",
        "INSERT INTO meta (key, value) VALUES ('lots_through_ts', ''), ('lots_through_seq', 0), ('lots_head', 0), "
        "('lots_valuation', 0)",
    ],
    # the life of an approved on-chain transfer (desk/register/transfers.py): each change of
    # state is a chained `transfer` action naming the draft; this table is its insert-only
    # copy, kept so the transfers in flight are listed without reading the whole log
    [
        """CREATE TABLE transfer_states (
            action_seq INTEGER PRIMARY KEY REFERENCES actions(seq),
            draft_id INTEGER NOT NULL REFERENCES drafts(id),
            state TEXT NOT NULL,
            txid TEXT,
            confirmations INTEGER NOT NULL DEFAULT 0,
            entry_seq INTEGER REFERENCES entries(seq),
            detail TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX transfer_states_by_draft ON transfer_states(draft_id, action_seq)",
        "CREATE INDEX transfer_states_by_txid ON transfer_states(txid) WHERE txid IS NOT NULL",
        # the approval that posted an entry, found from the entry (the transfers in transit)
        "CREATE INDEX actions_approving ON actions(entry_seq) WHERE action = 'approve'",
        """CREATE TRIGGER transfer_states_no_update BEFORE UPDATE ON transfer_states
           BEGIN SELECT RAISE(ABORT, 'transfer states are insert-only: record the next state instead'); END""",
        """CREATE TRIGGER transfer_states_no_delete BEFORE DELETE ON transfer_states
           BEGIN SELECT RAISE(ABORT, 'transfer states are insert-only: record the next state instead'); END""",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)


def run(conn: sqlite3.Connection, step: Step) -> None:
    """Apply one step of a migration."""
    if callable(step):
        step(conn)
    else:
        conn.execute(step)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring `conn`'s file to SCHEMA_VERSION; return the version it had before."""
    (current,) = conn.execute("PRAGMA user_version").fetchone()
    if current > SCHEMA_VERSION:
        from desk.register.errors import RegisterUnavailable

        raise RegisterUnavailable(
            f"register schema version {current} is newer than this desk understands ({SCHEMA_VERSION}); upgrade desk"
        )
    for version in range(current + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for step in MIGRATIONS[version - 1]:
                run(conn, step)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return current
