"""desk.sim: simulated pool, exchange, central-bank, chain and custodian servers speaking the
real formats on loopback, deterministic from a seed, with faults switchable at run time.
`desk demo` and every feed test use it, so clients are always tested over a real socket."""

from desk.sim.cluster import SimCluster
from desk.sim.faults import FAULTS

__all__ = ["FAULTS", "SimCluster"]
