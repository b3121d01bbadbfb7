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
// A cancelled context ends a call promptly with its error (wrapped), even
// mid-stream: a download stops reading and releases the connection, and an
// upload gives up even while the source's Read blocks (that Read then ends
// in the background; its bytes are discarded).
//
// # The reference's Storage calls in Go
//
// Python reference v2.0 (supabase-py) on the left; st is a
// *storage.Client. Each has a runnable example (ExampleClient_CreateBucket,
// ExampleBucket_Upload, …).
//
//	storage.create_bucket(name, options={public, file_size_limit, allowed_mime_types})
//	    st.CreateBucket(ctx, name, storage.Public(true), storage.FileSizeLimit(n), storage.AllowedMIMETypes(…))
//	storage.get_bucket(name)                 st.GetBucket(ctx, name)
//	storage.list_buckets()                   st.ListBuckets(ctx)
//	storage.update_bucket(name, options)     st.UpdateBucket(ctx, name, storage.Public(false), …)
//	storage.delete_bucket(name)              st.DeleteBucket(ctx, name)
//	storage.empty_bucket(name)               st.EmptyBucket(ctx, name)
//	from_(b).upload(path, file, file_options={content-type, cache-control, upsert})
//	    st.Bucket(b).Upload(ctx, path, r, storage.ContentType(t), storage.CacheControl(d), storage.Upsert())
//	from_(b).update(path, file, file_options)
//	    st.Bucket(b).Update(ctx, path, r, …)
//	from_(b).download(path, options={transform})
//	    st.Bucket(b).Download(ctx, path, w, storage.WithTransform(…)) / DownloadStream(ctx, path)
//	from_(b).list(path, options={limit, offset, sortBy, search})
//	    st.Bucket(b).List(ctx, path, storage.Limit(n), storage.Offset(n), storage.SortBy(col, storage.Asc), storage.Search(s))
//	from_(b).move(from, to) / copy(from, to)
//	    st.Bucket(b).Move(ctx, from, to) / Copy(ctx, from, to)    (storage.ToBucket for another bucket)
//	from_(b).remove([paths])                 st.Bucket(b).Remove(ctx, paths...)
//	from_(b).create_signed_url(path, expires_in, options={download, transform})
//	    st.Bucket(b).CreateSignedURL(ctx, path, d, storage.DownloadAs(name), storage.WithTransform(…))
//	from_(b).create_signed_urls(paths, expires_in)
//	    st.Bucket(b).CreateSignedURLs(ctx, paths, d)
//	from_(b).create_signed_upload_url(path) / upload_to_signed_url(path, token, file)
//	    st.Bucket(b).CreateSignedUploadURL(ctx, path) / UploadToSignedURL(ctx, path, token, r)
//	from_(b).get_public_url(path, options={download, transform})
//	    st.Bucket(b).GetPublicURL(path, storage.AsAttachment(), storage.WithTransform(…))
//	from_(b).info(path) / exists(path)       st.Bucket(b).Info(ctx, path) / Exists(ctx, path)
//
// Storage authenticates with the Authorization bearer (it ignores apikey):
// use the root client's WithAccessToken for a user's rights, or a legacy
// service-role key. A [Client] is immutable and safe for concurrent use;
// calls on a zero or nil Client fail with [ErrInvalidOption] (build one
// with [New]).
package storage
