"""Text as newsgrep understands it, with no index involved: analysis into terms, dates,
snippets, near-duplicate sketches, synonyms and spelling suggestions."""
