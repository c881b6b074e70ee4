-- The 'test' payment provider keeps its sessions on its own side, in Redis, as a real provider
-- keeps them at the provider: paying through it no longer writes to the sale's database twice per
-- payment. A running demo's open test sessions are gone with this table: reconciling one is refused
-- as for a session a provider lost (a dead letter), and its order expires with its window as usual.
DROP TABLE test_provider_sessions;
