"""Treasury controls: roles, the allowlist, limits and the quorum, and changing them.

    Controls.from_settings(settings)          # the configured baseline ([roles], [policy])
    Register.open(path, operator=..., controls=controls)   # the register judges every act
    await controls.policy(register) -> Policy # baseline + approved changes from the log
    await controls.tally(register, draft) -> Tally(rules, required, approvers, remaining)
    controls_of(register) -> Controls      # the register's guard as Controls (policy, tally)
    await proposals.propose(register, {"op": "limit_set", ...}) -> id
    await proposals.approve(register, id) ; await proposals.reject(register, id, reason)

Refusals are `PolicyRefused` (naming the rule) and `NotPermitted` (naming the role), both
`EntryRejected`, so every caller that shows a refused entry shows these too.
"""

from desk.controls.engine import ACT_ROLES, CONTROLLED, Controls, Tally, controls_of, describe_tally
from desk.controls.policy import ROLES, Limit, Policy, PolicyChange, Quorum
from desk.register import install_default

# A register opened without controls in a process that has loaded them is judged by the
# policy its own log holds (no configured baseline), as before the register stopped
# importing this package; one opened where they are not loaded meets the register's
# OpenGuard, which refuses a person's act once a policy change has been approved.
install_default(Controls)

__all__ = [
    "ACT_ROLES",
    "CONTROLLED",
    "ROLES",
    "Controls",
    "Limit",
    "Policy",
    "PolicyChange",
    "Quorum",
    "Tally",
    "controls_of",
    "describe_tally",
]
