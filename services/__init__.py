"""What runs beside the requests, for as long as the server does: the change feed, the key cache that
trusts it, key usage, live changes for subscriptions, the expiry notices job."""
