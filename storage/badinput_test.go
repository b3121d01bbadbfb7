package storage_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/storage"
)

// TestBadInputRefusedBeforeSending: bad arguments get a clear error
// matching ErrInvalidOption or ErrInvalidKey, no request is sent, and
// nothing panics, including on a zero or nil Client.
func TestBadInputRefusedBeforeSending(t *testing.T) {
	rt := &recordingRT{}
	c := rtStorage(t, rt)
	ctx := context.Background()
	b := c.Bucket("b")
	var zero storage.Client
	var nilClient *storage.Client
	tests := map[string]func() error{
		"nil reader":           func() error { _, err := b.Upload(ctx, "k", nil); return err },
		"nil reader to update": func() error { _, err := b.Update(ctx, "k", nil); return err },
		"nil writer":           func() error { _, err := b.Download(ctx, "k", nil); return err },
		"negative size":        func() error { _, err := b.Upload(ctx, "k", strings.NewReader("x"), storage.Size(-1)); return err },
		"zero expiry":          func() error { _, err := b.CreateSignedURL(ctx, "k", 0); return err },
		"negative expiry":      func() error { _, err := b.CreateSignedURLs(ctx, []string{"k"}, -time.Hour); return err },
		"negative cache control": func() error {
			_, err := b.Upload(ctx, "k", strings.NewReader("x"), storage.CacheControl(-time.Second))
			return err
		},
		"empty bucket":           func() error { _, err := c.Bucket("").Upload(ctx, "k", strings.NewReader("x")); return err },
		"empty bucket to create": func() error { _, err := c.CreateBucket(ctx, ""); return err },
		"empty bucket to get":    func() error { _, err := c.GetBucket(ctx, ""); return err },
		"empty bucket to empty":  func() error { return c.EmptyBucket(ctx, "") },
		"empty bucket to delete": func() error { return c.DeleteBucket(ctx, "") },
		"empty key":              func() error { _, err := b.Download(ctx, "", io.Discard); return err },
		"escaping key":           func() error { _, err := b.Info(ctx, "a/../../x"); return err },
		"empty key in a batch":   func() error { _, err := b.CreateSignedURLs(ctx, []string{"a", ""}, time.Minute); return err },
		"empty key to remove":    func() error { _, err := b.Remove(ctx, "a", ""); return err },
		"empty move source":      func() error { return b.Move(ctx, "", "b") },
		"escaping copy target":   func() error { _, err := b.Copy(ctx, "a", "../b"); return err },
		"empty key exists":       func() error { _, err := b.Exists(ctx, ""); return err },
		"empty key public url":   func() error { _, err := b.GetPublicURL(""); return err },
		"signed upload no key":   func() error { _, err := b.CreateSignedUploadURL(ctx, ""); return err },
		"zero client":            func() error { _, err := zero.ListBuckets(ctx); return err },
		"zero client bucket":     func() error { _, err := zero.Bucket("b").Upload(ctx, "k", strings.NewReader("x")); return err },
		"nil client":             func() error { _, err := nilClient.GetBucket(ctx, "b"); return err },
		"nil client bucket":      func() error { _, err := nilClient.Bucket("b").Download(ctx, "k", io.Discard); return err },
		"nil client public url":  func() error { _, err := nilClient.Bucket("b").GetPublicURL("k"); return err },
	}
	for name, call := range tests {
		t.Run(name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("panic: %v", r)
					}
				}()
				err = call()
			}()
			if !errors.Is(err, storage.ErrInvalidOption) && !errors.Is(err, storage.ErrInvalidKey) {
				t.Fatalf("err = %v, want ErrInvalidOption or ErrInvalidKey", err)
			}
		})
	}
	if n := rt.n.Load(); n != 0 {
		t.Fatalf("%d refused calls were sent", n)
	}
}
