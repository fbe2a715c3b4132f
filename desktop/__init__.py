"""amplan: the account manager's planner for SpiraTest, SpiraTeam and SpiraPlan customers."""

__version__ = "0.2.0"
