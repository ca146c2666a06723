"""Watching the Commission's feeds: sources ─▶ fetch ─▶ parse ─▶ classify ─▶ extract ─▶ store.
``watch.poll.poll_sources`` runs the stages in that order; the stages never call each other."""
