// Package functionsapi is the emulator's Edge Functions endpoint: requests
// to /functions/v1/<name>[/<rest>] (mounted here with /functions/v1
// stripped) go to Go handlers registered by name, so tests can stand their
// own implementations in for deployed functions.
//
// A registered handler sees the request as a deployed function would: the
// original method, headers (Authorization included), query and body, and
// the path "/<name>[/<rest>]". The identity the gateway verified is in the
// request context (package reqctx). An unknown name answers 404 with
// Supabase's body {"code":"NOT_FOUND","message":"Requested function was not
// found"}; a handler that panics answers 500 with
// {"code":"WORKER_ERROR",…}, as the Edge Runtime does for a crashed worker.
//
// The zero Handler (like [New]'s) serves no functions until some are
// registered. A Handler is safe for concurrent use, including Register and
// Unregister while serving.
package functionsapi
