"""newsgrep's reliability harnesses: crashes, write errors, concurrency and a soak.

    python -m bench.reliability.crash        # SIGKILL / SIGINT at random moments of index runs
    python -m bench.reliability.diskfull     # write errors (RLIMIT_FSIZE, a full tmpfs)
    python -m bench.reliability.concurrency  # searches during commits; two runs at once
    python -m bench.reliability.soak         # minutes of searches while files churn

Each prints a table of what was tried and what held, and exits non-zero on any violation.
`model` makes corpora whose every article says which file and which version of it it
came from, and `checks` holds the invariants checked after each fault; the fast variants
in tests/test_faults.py use both.
"""
