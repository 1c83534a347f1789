"""Review gates, rounds, verdicts, comments and events (filled by later work).

Models here point at ``prfaq`` models, never the reverse.
"""
