// Package storageapi is the emulator's Supabase Storage: the HTTP API that
// Supabase serves under /storage/v1 (mounted here with that prefix
// stripped), over a real PostgreSQL and the local disk.
//
// Metadata lives in storage.buckets and storage.objects, created by [New]
// with Supabase's columns, the policy helpers storage.foldername,
// storage.filename and storage.extension, Row Level Security enabled on
// both tables and privileges for anon, authenticated and service_role.
// Every bucket and object operation runs in a transaction as the request's
// role with its JWT claims (package dbrole), so policies written for
// Supabase — for example
//
//	create policy "own folder" on storage.objects for insert to authenticated
//	  with check (bucket_id = 'avatars' and (storage.foldername(name))[1] = auth.uid()::text);
//
// — allow and deny exactly as they would there. Lookups that Storage makes
// with its own rights (bucket checks, public and signed downloads) run as
// service_role.
//
// Bytes live under Config.DataDir, one immutable file per object version.
// Uploads stream from the request to a temporary file (never whole in
// memory), are hashed (MD5, Storage's ETag) and size-checked on the way,
// and are renamed into place just before the row that names them commits;
// a client that disconnects mid-upload leaves neither row nor file.
// Downloads stream from disk with http.ServeContent (Range, HEAD,
// conditional requests).
//
// Wire behaviour follows the real server (see shared/fixtures/storage):
// errors are HTTP 400 with the true status as a string in the body
// ({"statusCode":"404","error":…,"message":…,"code":"NoSuchKey"});
// uploads answer {"Key":"bucket/path","Id":…}; signed URLs are relative to
// the storage root and carry HS256 tokens ({"url","scope","iat","exp"});
// requests need "Authorization: Bearer <jwt>" and apikey is ignored; public
// buckets are readable without a token.
//
// Endpoints: GET /status; POST/GET /bucket; GET/PUT/DELETE /bucket/{id};
// POST /bucket/{id}/empty; POST/PUT/GET/HEAD/DELETE /object/{bucket}/{path};
// GET/HEAD /object/authenticated/… and /object/public/…; GET
// /object/info/[public/|authenticated/]…; DELETE /object/{bucket}
// ({"prefixes"}); POST /object/list/{bucket} and /object/list-v2/{bucket};
// POST /object/move and /object/copy; POST /object/sign/{bucket}[/{path}];
// GET /object/sign/{bucket}/{path}?token=; POST and PUT
// /object/upload/sign/{bucket}/{path}; resumable uploads with the TUS
// 1.0.0 protocol (OPTIONS, POST /upload/resumable, HEAD, PATCH and DELETE
// /upload/resumable/{id}; the object row is written as the caller of the
// final PATCH; unfinished uploads live in memory). Image transformation
// (/render/image and signing with a transform), signed resumable uploads
// (/upload/resumable/sign), deferred upload lengths, CDN purge (/cdn), the
// S3 endpoint and analytics/vector buckets answer 501 naming the feature.
//
// Limits: a global per-object limit (Config.MaxFileSize, default
// [DefaultMaxFileSize], 50 MiB as on Supabase) and each bucket's
// file_size_limit (a number of bytes, or a string such as "1MB" read with
// decimal units); a body over the limit is refused with statusCode "413"
// (EntityTooLarge) as soon as it is known — from Content-Length, or while
// streaming. A bucket's allowed_mime_types accepts exact types and
// wildcards such as "image/*" (statusCode "415", InvalidMimeType).
//
// A [Handler] is safe for concurrent use; build it with [New] (the zero
// value has no database).
package storageapi
