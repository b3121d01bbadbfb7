// Package repo gives typed and untyped access to Supabase tables and
// functions through PostgREST.
//
// The untyped [Builder] follows the reference client's names for dynamic
// tables:
//
//	res, err := repo.Table(client, "countries").
//		Select("id, name").
//		Eq("name", "Albania").
//		Execute(ctx)
//
// Every request carries Accept-Profile (GET, HEAD) or Content-Profile
// (other methods) with the schema, as the official clients do. Responses
// are always drained and closed; counts come from Content-Range.
//
// Errors from PostgREST are [*Error] values (status, code, message,
// details, hint) matching the sentinels ([ErrUniqueViolation],
// [ErrNotFound], …) with errors.Is; calls wrap them as
// "repo: <operation> <table>: …".
//
// Builders are immutable values, safe to share between goroutines;
// nothing is sent until a method taking a context runs.
package repo
