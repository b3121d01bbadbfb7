// Package functions invokes Supabase Edge Functions.
//
// Build it over the Functions transport of the root client:
//
//	fn, err := functions.New(client.FunctionsTransport())
//	resp, err := fn.Invoke(ctx, "hello-world", functions.JSON(map[string]string{"name": "Go"}))
//	defer resp.Close()
//
// or, typed:
//
//	out, err := functions.InvokeJSON[Req, Resp](ctx, fn, "hello-world", Req{Name: "Go"})
//
// The body option sets the content type as the official clients do: JSON
// → application/json, Text → text/plain, Bytes → application/octet-stream,
// Body streams any reader with the type given; a Content-Type in Header
// overrides it. Region sets both the x-region header and the
// forceFunctionRegion query parameter ("any" sets neither).
//
// Errors tell apart a function that answered non-2xx ([*HTTPError], status
// and a bounded copy of the body kept), a relay failure ([*RelayError],
// the answer carried x-relay-error: true) and a failure to reach the
// function ([*FetchError], unwrapping to the cause). Function names may
// have sub-path segments ("hello/sub path", each segment percent-encoded)
// but not empty, "." or ".." segments, '?' or '#' ([*NameError],
// [ErrInvalidName]); query parameters go through [Query].
//
// A [Client] is immutable and safe for concurrent use; build one with
// [New].
package functions
