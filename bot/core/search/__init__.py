"""Search: notes → chunks → analysed words → BM25 index → answers with citations."""
