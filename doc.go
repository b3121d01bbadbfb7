// Package supakit gives Go services typed, tested access to Supabase.
//
// [New] builds a [Client] from the project URL and key. The client derives
// each service's root (/rest/v1, /auth/v1, /storage/v1, /functions/v1) and
// hands each service a [transport.Transport] that sends the project key, the
// current user's access token and the client's custom headers. The typed
// repository lives in package repo (repo.New[T](client)); Auth, Storage and
// Functions in their own packages.
//
// A Client is safe for concurrent use. [Client.WithAccessToken] returns a
// shallow copy acting as one user (same connection pool), for servers that
// serve many users under Row Level Security.
package supakit
