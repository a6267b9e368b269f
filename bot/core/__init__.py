"""The pure core: notes, chunking, analysis, index, answering and storage. Never imports discord."""
