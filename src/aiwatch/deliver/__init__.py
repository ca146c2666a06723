"""Delivery: the durable outbox and the channels that send what it holds."""
