"""How the book reads on screen, without Qt: calendar layout, wording, times, drag arithmetic.

Views draw what these compute; keeping the arithmetic here puts it under strict typing and
plain unit tests.
"""
