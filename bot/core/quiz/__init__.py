"""Quiz: questions generated from the indexed notes or written by moderators, and answer checking."""
