"""Small widgets every page shares: charts, bars, notices, message boxes, icons."""
