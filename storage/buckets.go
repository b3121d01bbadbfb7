package storage

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// BucketInfo describes a bucket.
type BucketInfo struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Owner  string `json:"owner"`
	Public bool   `json:"public"`
	// Type is "STANDARD" (or "ANALYTICS") when the server reports it.
	Type string `json:"type,omitempty"`
	// FileSizeLimit is the per-object limit in bytes; nil means none.
	FileSizeLimit *int64 `json:"file_size_limit"`
	// AllowedMIMETypes restricts uploads; nil means any type.
	AllowedMIMETypes []string  `json:"allowed_mime_types"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

const bucketOpts = kPublic | kFileSizeLimit | kAllowedMIME

// bucketBody renders {id, name, public, file_size_limit?, allowed_mime_types?}
// in the order the official clients send.
func bucketBody(id string, s *settings, create bool) any {
	m := orderedJSON{{"id", id}, {"name", id}}
	switch {
	case s.public != nil:
		m = append(m, kv{"public", *s.public})
	case create:
		m = append(m, kv{"public", false})
	}
	if s.fileSizeLimitSet {
		m = append(m, kv{"file_size_limit", s.fileSizeLimit})
	}
	if s.allowedMIMESet {
		if len(s.allowedMIME) == 0 {
			m = append(m, kv{"allowed_mime_types", nil})
		} else {
			m = append(m, kv{"allowed_mime_types", s.allowedMIME})
		}
	}
	return m
}

// CreateBucket creates a bucket whose id and name are id, and returns its
// name. Options: [Public] (default private), [FileSizeLimit],
// [FileSizeLimitText], [NoFileSizeLimit], [AllowedMIMETypes].
//
// POST /storage/v1/bucket
func (c *Client) CreateBucket(ctx context.Context, id string, opts ...Option) (string, error) {
	op := "create bucket " + id
	if err := validateBucketName(id); err != nil {
		return "", err
	}
	s, err := collect("CreateBucket", bucketOpts, opts)
	if err != nil {
		return "", err
	}
	var out struct {
		Name string `json:"name"`
	}
	if err := c.doJSON(ctx, op, http.MethodPost, "/bucket", "", bucketBody(id, s, true), nil, &out); err != nil {
		return "", err
	}
	return out.Name, nil
}

// GetBucket returns a bucket's details.
//
// GET /storage/v1/bucket/{id}
func (c *Client) GetBucket(ctx context.Context, id string) (*BucketInfo, error) {
	if err := validateBucketName(id); err != nil {
		return nil, err
	}
	var b BucketInfo
	if err := c.doJSON(ctx, "get bucket "+id, http.MethodGet, "/bucket/"+escapeSegment(id), "", nil, nil, &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// ListBuckets lists the buckets the caller can see. Options: [Limit],
// [Offset], [Search], [SortBy].
//
// GET /storage/v1/bucket?limit=&offset=&search=&sortColumn=&sortOrder=
func (c *Client) ListBuckets(ctx context.Context, opts ...Option) ([]BucketInfo, error) {
	s, err := collect("ListBuckets", kLimit|kOffset|kSearch|kSortBy, opts)
	if err != nil {
		return nil, err
	}
	if s.sortColumn != "" {
		switch s.sortColumn {
		case "id", "name", "created_at", "updated_at":
		default:
			return nil, optErr("ListBuckets: cannot sort by %q", s.sortColumn)
		}
	}
	var q []string
	if s.limitSet {
		q = append(q, "limit="+strconv.Itoa(s.limit))
	}
	if s.offsetSet {
		q = append(q, "offset="+strconv.Itoa(s.offset))
	}
	if s.search != "" {
		q = append(q, "search="+url.QueryEscape(s.search))
	}
	if s.sortColumn != "" {
		q = append(q, "sortColumn="+s.sortColumn, "sortOrder="+string(s.sortOrder))
	}
	var out []BucketInfo
	if err := c.doJSON(ctx, "list buckets", http.MethodGet, "/bucket", strings.Join(q, "&"), nil, nil, &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = []BucketInfo{}
	}
	return out, nil
}

// UpdateBucket changes a bucket's settings. Only the settings given are
// sent (Public included: without it the bucket keeps its visibility).
// Options: [Public], [FileSizeLimit], [FileSizeLimitText],
// [NoFileSizeLimit], [AllowedMIMETypes].
//
// PUT /storage/v1/bucket/{id}
func (c *Client) UpdateBucket(ctx context.Context, id string, opts ...Option) error {
	if err := validateBucketName(id); err != nil {
		return err
	}
	s, err := collect("UpdateBucket", bucketOpts, opts)
	if err != nil {
		return err
	}
	if s.public == nil && !s.fileSizeLimitSet && !s.allowedMIMESet {
		return optErr("UpdateBucket: nothing to update")
	}
	return c.doJSON(ctx, "update bucket "+id, http.MethodPut, "/bucket/"+escapeSegment(id), "", bucketBody(id, s, false), nil, &messageResponse{})
}

// EmptyBucket deletes every object in a bucket. On Supabase the emptying
// may be queued and finish later.
//
// POST /storage/v1/bucket/{id}/empty
func (c *Client) EmptyBucket(ctx context.Context, id string) error {
	if err := validateBucketName(id); err != nil {
		return err
	}
	return c.doJSON(ctx, "empty bucket "+id, http.MethodPost, "/bucket/"+escapeSegment(id)+"/empty", "", struct{}{}, nil, &messageResponse{})
}

// DeleteBucket deletes an empty bucket ([ErrBucketNotEmpty] otherwise).
//
// DELETE /storage/v1/bucket/{id}
func (c *Client) DeleteBucket(ctx context.Context, id string) error {
	if err := validateBucketName(id); err != nil {
		return err
	}
	return c.doJSON(ctx, "delete bucket "+id, http.MethodDelete, "/bucket/"+escapeSegment(id), "", struct{}{}, nil, &messageResponse{})
}
