"""Checking a booking: a request made a proposal, validated against a ledger, and decided:
refused, or allowed with warnings (an override with a reason, a backdated request)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from desktop.errors import BadInput
from desktop.models.database import Database
from desktop.services.business_time import BusinessClock, format_day, to_zone, zone
from desktop.services.customers import CustomerBook
from desktop.services.policy import KIND_NAMES, Policy
from desktop.services.scheduling.ledger import Ledger
from desktop.services.scheduling.ledger_loading import LedgerLoader
from desktop.services.scheduling.records import (
    CUSTOMER_DAY,
    UNOVERRIDABLE,
    BookingRequest,
    RuleRefusal,
)
from desktop.services.scheduling.rules import Proposal, Violation, check

# A request time this close to now is "now" (the editor rounds to the minute).
_BACKDATING_GRACE = timedelta(minutes=5)


class BookingCheck:
    """Decides a proposal: the rules' violations, an override's reason, the warnings."""

    def __init__(
        self,
        db: Database,
        policy: Policy,
        clock: BusinessClock,
        customers: CustomerBook,
        ledgers: LedgerLoader,
    ) -> None:
        self.db = db
        self.policy = policy
        self.clock = clock
        self.customers = customers
        self.ledgers = ledgers

    def proposal_for(self, request: BookingRequest, session_id: int | None = None) -> Proposal:
        if request.kind not in KIND_NAMES:
            raise BadInput(f"Unknown kind '{request.kind}'. Kinds: {', '.join(KIND_NAMES)}.")
        if not request.customers:
            raise BadInput("Choose a customer.")
        if len(request.customers) > 1 and request.kind != "round-table":
            raise BadInput("Only a round table is shared by several customers.")
        if len({c.id for c in request.customers}) != len(request.customers):
            raise BadInput("The same customer is named twice.")
        return Proposal(
            kind=request.kind,
            customers=request.customers,
            start_utc=request.times.start_utc,
            end_utc=request.times.end_utc,
            requested_utc=request.requested_utc or datetime.now(UTC),
            all_day=request.times.all_day,
            billable=request.billable,
            session_id=session_id,
        )

    def validate(self, proposal: Proposal, ledger: Ledger | None = None) -> list[Violation]:
        if ledger is None:
            with self.db.reading() as session:
                ledger = self.ledgers.load_ledger(
                    session,
                    [c.id for c in proposal.customers],
                    proposal.start_utc,
                    proposal.end_utc,
                    known=proposal.customers,
                )
        return check(self.policy, self.clock, proposal, ledger)

    def local_time_warnings(self, proposal: Proposal) -> list[str]:
        """Legal for the contract but awkward for the customer: outside their own day."""
        if proposal.all_day:
            return []
        warnings = []
        for customer in proposal.customers:
            tz = zone(customer.tz)
            local_start = to_zone(proposal.start_utc, tz)
            local_end = to_zone(proposal.end_utc, tz)
            if (
                local_start.time() < CUSTOMER_DAY[0]
                or local_end.time() > CUSTOMER_DAY[1]
                or local_end.date() != local_start.date()
            ):
                warnings.append(
                    f"That is {local_start:%H:%M}-{local_end:%H:%M} on "
                    f"{format_day(local_start.date())} in {customer.tz} for {customer.name}."
                )
        return warnings

    def decide(
        self, proposal: Proposal, override_reason: str | None, ledger: Ledger | None = None
    ) -> tuple[list[Violation], list[str]]:
        """Violations refuse unless overridden with a written reason; then they are warnings."""
        violations = self.validate(proposal, ledger)
        if override_reason is not None and not override_reason.strip():
            raise BadInput("An override needs a written reason.")
        warnings = self.local_time_warnings(proposal)
        if violations:
            # A session of impossible shape is not a contract question: no reason makes it fit.
            if override_reason is None or any(v.rule in UNOVERRIDABLE for v in violations):
                raise RuleRefusal(violations)
            warnings = [f"Overridden ({v.rule}): {v.message}" for v in violations] + warnings
        if override_reason is not None:
            # A request time in the past that changes the verdict is kept like an override.
            lifted = self.backdating_lifts(proposal, datetime.now(UTC))
            violations = violations + lifted
            warnings += [f"Backdated request ({v.rule}): {v.message}" for v in lifted]
        return violations, warnings

    def decide_in(
        self, session: Session, proposal: Proposal, override_reason: str | None, dry_run: bool
    ) -> tuple[Proposal, list[Violation], list[str]]:
        """Lock the customers, read their contracts and the ledger inside `session`, decide."""
        ids = [c.id for c in proposal.customers]
        if not dry_run:
            self.db.lock_customers(session, ids)
        proposal = replace(proposal, customers=self.customers.read_in(session, ids))
        ledger = self.ledgers.load_ledger(
            session, ids, proposal.start_utc, proposal.end_utc, known=proposal.customers
        )
        violations, warnings = self.decide(proposal, override_reason, ledger)
        return proposal, violations, warnings

    def backdating_lifts(self, proposal: Proposal, now: datetime) -> list[Violation]:
        """What a request made `now` would be refused for that the (earlier) request time
        given escapes: a claim about the past, which needs a reason like an override."""
        if proposal.requested_utc >= now - _BACKDATING_GRACE:
            return []
        as_of_now = self.validate(replace(proposal, requested_utc=now))
        given = {v.rule for v in self.validate(proposal)}
        return [
            Violation(
                v.rule,
                f"requested at {format_day(self.clock.et_date(proposal.requested_utc))}"
                f" rather than now: {v.message}",
            )
            for v in as_of_now
            if v.rule not in given
        ]
