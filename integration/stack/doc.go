// Package stack finds or starts the Supabase stack the integration suite
// runs against, in tiers:
//
//  1. a project given in the environment: SUPABASE_URL with
//     SUPABASE_ANON_KEY and SUPABASE_SERVICE_ROLE_KEY (a `supabase start`
//     stack or a hosted test project); SUPABASE_DB_URL lets the suite apply
//     its migrations, otherwise they must have been applied beforehand;
//  2. a Docker stack started with testcontainers-go ([StartDocker]) when a
//     Docker engine answers a short ping ([PingDocker]);
//  3. the emulator on PostgreSQL ($DATABASE_URL or 127.0.0.1:5432, a fresh
//     database per run).
//
// SUPAKIT_STACK=hosted|docker|emulator forces a tier. [Choose] makes the
// decision from the environment alone and is unit-tested; [Open] acts on it.
//
// Every tier gets the same migrations (SQL files applied with pgx, see
// [ApplyMigrations]). What a tier cannot do is described by its
// capabilities: [Stack.Mailbox] reads the mails Auth sends (the emulator's
// outbox, the Docker stack's mail catcher; nil on a hosted project),
// [Stack.Functions] registers Edge Functions (the emulator only). Tests
// needing a missing capability skip, naming it.
//
// A Stack is safe for concurrent use once opened; Close releases what Open
// started (containers, network, gateway, emulator, database).
package stack
