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
// A cancelled context ends Invoke promptly with its error, even while a
// streamed request body's Read blocks, and ends a response being read
// (Bytes, Text and DecodeJSON then return an error matching the
// context's).
//
// # The reference's Functions call in Go
//
// Python reference v2.0 (supabase-py) on the left; fn is a
// *functions.Client (runnable: ExampleClient_Invoke, ExampleInvokeJSON).
//
//	functions.invoke("hello-world", invoke_options={"body": {"name": "Functions"}})
//	    fn.Invoke(ctx, "hello-world", functions.JSON(map[string]string{"name": "Functions"}))
//	    functions.InvokeJSON[Req, Resp](ctx, fn, "hello-world", Req{Name: "Functions"})   (typed)
//	invoke_options={"body": "text" | b"bytes"}
//	    functions.Text(s), functions.Bytes(b), functions.Body(r, contentType)  (streamed)
//	invoke_options={"headers": {…}, "method": "GET", "region": "eu-central-1"}
//	    functions.Header(k, v), functions.Method(http.MethodGet), functions.Region("eu-central-1")
//	    (functions.WithRegion on New for every call; functions.Query(k, v) for the query)
//
// A [Client] is immutable and safe for concurrent use; calls on a zero or
// nil Client fail with [ErrInvalidOption] (build one with [New]).
package functions
