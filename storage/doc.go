// Package storage is the Supabase Storage client: buckets, objects with
// streaming upload and download, signed and public URLs.
//
// Build it over the Storage transport of the root client:
//
//	st, err := storage.New(client.StorageTransport())
//	avatars := st.Bucket("avatars")
//	ref, err := avatars.Upload(ctx, "u1/me.png", file, storage.Upsert())
//	n, err := avatars.Download(ctx, "u1/me.png", w)
//	url, err := avatars.CreateSignedURL(ctx, "u1/me.png", time.Hour)
//
// Every method that does I/O takes a context first and names its route in
// its documentation. Bodies are streamed in both directions: an upload
// reads its io.Reader as the request is written (peeking at most 512 bytes
// when the content type must be sniffed), a download writes to its
// io.Writer (or hands out an [ObjectReader]) as bytes arrive. Optional
// [ProgressFunc] callbacks report bytes moved.
//
// Object keys are validated and percent-encoded segment by segment
// ([EscapeKey]): spaces, '%', '#', '?', ';' and non-ASCII characters are
// escaped, and keys that could escape their bucket (empty, leading slash,
// empty, "." or ".." segments, control characters) are refused with an
// error matching [ErrInvalidKey] before any request is sent.
//
// Errors answered by Storage are [*Error] values carrying the real status:
// Storage reports most errors as HTTP 400 with the true status as a string
// in the body, which the client reads. Match them with errors.Is against
// [ErrNotFound], [ErrAlreadyExists], [ErrUnauthorized],
// [ErrPayloadTooLarge], [ErrInvalidMIMEType] and [ErrBucketNotEmpty].
// Misused options wrap [ErrInvalidOption]; an option that does not apply
// to a call is an error, never ignored.
//
// Storage authenticates with the Authorization bearer (it ignores apikey):
// use the root client's WithAccessToken for a user's rights, or a legacy
// service-role key. A [Client] is immutable and safe for concurrent use;
// calls on a zero or nil Client fail with [ErrInvalidOption] (build one
// with [New]).
package storage
