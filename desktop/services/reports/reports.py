"""The facade between the front ends and the printed documents: it reads the book once and
hands the pure builders (summary, book_report) plain values."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from desktop.services.attention import needs_attention
from desktop.services.customers import CustomerRecord
from desktop.services.reports.book_report import BookReport, build_book_report
from desktop.services.reports.summary import CustomerSummary, Manager, build_summary
from desktop.services.scheduling.sessions import Scheduler, SessionRecord

# Called with (done, total); the GUI moves a progress bar with it.
Progress = Callable[[int, int], None]


class Reports:
    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler
        self.customers = scheduler.customers
        self.policy = scheduler.policy
        self.clock = scheduler.clock

    def manager(self) -> Manager:
        name, email = self.scheduler.profiles.identity()
        return Manager(name, email)

    def sessions_by_customer(self) -> dict[int, list[SessionRecord]]:
        """Every session of the book, grouped by customer: one query for the whole book."""
        grouped: dict[int, list[SessionRecord]] = {}
        for record in self.scheduler.find(None):
            for cid in record.customer_ids:
                grouped.setdefault(cid, []).append(record)
        return grouped

    def summary(self, customer: CustomerRecord, now_utc: datetime) -> CustomerSummary:
        sessions = self.scheduler.find(customer)
        return build_summary(self.policy, self.clock, customer, sessions, now_utc, self.manager())

    def summaries(
        self,
        customers: Sequence[CustomerRecord],
        now_utc: datetime,
        progress: Progress | None = None,
    ) -> Iterator[CustomerSummary]:
        grouped = self.sessions_by_customer()
        manager = self.manager()
        for index, customer in enumerate(customers):
            yield build_summary(
                self.policy, self.clock, customer, grouped.get(customer.id, []), now_utc, manager
            )
            if progress is not None:
                progress(index + 1, len(customers))

    def book(
        self, now_utc: datetime, customers: Sequence[CustomerRecord] | None = None
    ) -> BookReport:
        everyone = list(customers) if customers is not None else self.customers.list()
        attention = needs_attention(self.scheduler, everyone, now_utc)
        return build_book_report(
            self.policy, self.clock, everyone, self.sessions_by_customer(), attention, now_utc
        )
