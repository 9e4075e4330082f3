"""The search engine: the only code that imports Whoosh. Schema and codecs, the index
folder, generations, writing, query translation, searching and ranking. No Whoosh object
leaves this package: what it returns is plain data (`newsgrep.model`)."""
