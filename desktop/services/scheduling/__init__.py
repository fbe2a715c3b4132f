"""Booking sessions under the contract: rules, slots, the planner, usage."""
