package repo_test

import "github.com/supakit/supakit/transport"

func transportNoRetry() transport.RetryPolicy { return transport.RetryPolicy{} }
