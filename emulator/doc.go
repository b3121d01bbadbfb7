// Package emulator runs a local stand-in for a Supabase project: the same
// HTTP APIs under one base URL, over a real PostgreSQL, so that code written
// for Supabase can be tested for real without Docker.
//
//	srv, err := emulator.Start(ctx, emulator.Config{FreshDatabase: true})
//	if err != nil { ... }
//	defer srv.Close()
//	// srv.URL, srv.AnonKey, srv.ServiceRoleKey: hand them to the client.
//	// srv.Pool(): create the schema and seed data as the postgres role,
//	// then srv.ReloadSchema(ctx) (or NOTIFY pgrst, 'reload schema').
//	// srv.SignJWT(claims): act as any user under Row Level Security.
//
// Routes, as Supabase's gateway lays them out (the prefix is stripped
// before the service sees the path):
//   - /rest/v1: PostgREST's API. An apikey is required (header or query);
//     the bearer JWT, else the apikey, picks the role; invalid tokens get
//     PostgREST's 401 (PGRST301/PGRST303).
//   - /auth/v1: GoTrue's API (apikey required except on /verify,
//     /callback and /authorize). Mails and texts are not sent: read them
//     from [Server.Outbox].
//   - /storage/v1: Storage's API (the service checks the token itself);
//     object bytes on local disk ([Config.StorageDir]).
//   - /functions/v1/<name>: Go handlers registered with
//     [Server.RegisterFunction] stand in for Edge Functions.
//   - /graphql/v1, /realtime/v1: 501 with a message naming the service.
//   - anything else: 404 {"message":"no Route matched with those values"}.
//
// The database: Config.DatabaseURL, else $DATABASE_URL, else the local server
// on 127.0.0.1:5432, else a throwaway cluster started from the local
// PostgreSQL binaries (see [Config]); SUPAKIT_PG_THROWAWAY=1 in the
// environment forces the throwaway cluster. It is bootstrapped like Supabase's
// Postgres: roles anon, authenticated, service_role and authenticator; the
// functions auth.uid(), auth.role(), auth.jwt(); grants on schema public.
// Row Level Security policies written for Supabase therefore apply.
//
// Keys: with the default JWT secret ([DemoJWTSecret], the Supabase CLI's),
// AnonKey and ServiceRoleKey are the CLI's well-known demo keys. That
// secret is public: the emulator is for local use only.
//
// A Server is safe for concurrent use; Close it to stop serving and release
// the database (a fresh database is dropped, a throwaway cluster stopped).
package emulator
