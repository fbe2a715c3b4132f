"""Sessions: the `Scheduler` the app books through, and the records it hands out.

The Scheduler is a facade over small job objects (reading, checking, booking, busy time,
the audit trail); every public method that changes something is one transaction, and a
refused action saves nothing.
"""

from __future__ import annotations

from desktop.models.database import Database
from desktop.services.business_time import BusinessClock
from desktop.services.customers import CustomerBook
from desktop.services.policy import Policy
from desktop.services.profile import ProfileStore
from desktop.services.scheduling.audit import AuditLog
from desktop.services.scheduling.booking import Booking
from desktop.services.scheduling.busy import BusyTime
from desktop.services.scheduling.checking import BookingCheck
from desktop.services.scheduling.ledger_loading import LedgerLoader
from desktop.services.scheduling.reading import SessionReader
from desktop.services.scheduling.records import (
    UNOVERRIDABLE,
    BookingRequest,
    Outcome,
    RuleRefusal,
    SessionRecord,
    SessionTimes,
    StaleEdit,
    parse_times,
)

__all__ = [
    "UNOVERRIDABLE",
    "BookingRequest",
    "Outcome",
    "RuleRefusal",
    "Scheduler",
    "SessionRecord",
    "SessionTimes",
    "StaleEdit",
    "parse_times",
]


class Scheduler:
    """Books and changes sessions; the rules decide, the job objects load, save and audit.
    Its methods are theirs, so every caller keeps one door (`context.scheduler`)."""

    def __init__(
        self,
        db: Database,
        policy: Policy,
        clock: BusinessClock,
        customers: CustomerBook,
        profiles: ProfileStore | None = None,
    ) -> None:
        self.db = db
        self.policy = policy
        self.clock = clock
        self.customers = customers
        self.profiles = profiles if profiles is not None else ProfileStore()
        self.reading = SessionReader(db, policy, clock)
        self.ledgers = LedgerLoader(db, customers.manager_email)
        self.audit = AuditLog(db, customers)
        self.checks = BookingCheck(db, policy, clock, customers, self.ledgers)
        self.booking = Booking(db, clock, customers, self.reading, self.checks, self.audit)
        self.busy = BusyTime(db, customers, self.audit)
        # Reading.
        self.get = self.reading.get
        self.get_many = self.reading.get_many
        self.find = self.reading.find
        self.overdue = self.reading.overdue
        self.planned_span = self.reading.planned_span
        self.audit_trail = self.audit.trail
        # The ledger the rules read, and the checks.
        self.load_ledger = self.ledgers.load_ledger
        self.extend_ledger = self.ledgers.extend_ledger
        self.proposal_for = self.checks.proposal_for
        self.validate = self.checks.validate
        self.local_time_warnings = self.checks.local_time_warnings
        self.backdating_lifts = self.checks.backdating_lifts
        # Changing.
        self.book = self.booking.book
        self.book_many = self.booking.book_many
        self.move = self.booking.move
        self.move_start = self.booking.move_start
        self.update = self.booking.update
        self.add_customer = self.booking.add_customer
        self.set_status = self.booking.set_status
        self.restore = self.booking.restore
        self.delete = self.booking.delete
        self.reinstate = self.booking.reinstate
        # Busy time.
        self.busy_blocks = self.busy.busy_blocks
        self.add_busy = self.busy.add_busy
        self.replace_busy = self.busy.replace_busy
        self.clear_busy = self.busy.clear_busy
