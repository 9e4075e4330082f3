"""newsgrep's benchmark suite: `python bench/run.py --help`."""
