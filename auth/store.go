package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Store keeps the session and the PKCE code verifier between calls (and,
// for a persistent store, between runs). Values are opaque strings; a
// missing key is ("", false, nil). Implementations must be safe for
// concurrent use.
type Store interface {
	Get(ctx context.Context, key string) (value string, ok bool, err error)
	Set(ctx context.Context, key, value string) error
	Delete(ctx context.Context, key string) error
}

// MemoryStore is a [Store] in memory; the zero value is ready to use.
type MemoryStore struct {
	mu sync.Mutex
	m  map[string]string
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// Get returns the value under key.
func (s *MemoryStore) Get(_ context.Context, key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok, nil
}

// Set stores value under key.
func (s *MemoryStore) Set(_ context.Context, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[key] = value
	return nil
}

// Delete removes key.
func (s *MemoryStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

// FileStore is a [Store] backed by one JSON file, for command-line tools
// that keep a user signed in between runs. The file is created with mode
// 0600 (its directory with 0700) and replaced atomically on every write.
// It is safe for concurrent use within one process. Clients re-read the
// store before refreshing, so a refresh made by another process sharing the
// file is picked up instead of sending the rotated-out refresh token again;
// two processes refreshing at the very same moment may both send it, which
// GoTrue's refresh-token reuse interval tolerates.
type FileStore struct {
	path string
	mu   sync.Mutex
}

var _ Store = (*FileStore)(nil)

// NewFileStore returns a store that keeps its values in the file at path.
func NewFileStore(path string) (*FileStore, error) {
	if path == "" {
		return nil, invalidArg("NewFileStore: empty path")
	}
	return &FileStore{path: path}, nil
}

// Path returns the file's path.
func (s *FileStore) Path() string { return s.path }

func (s *FileStore) load() (map[string]string, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("auth: file store: %w", err)
	}
	m := map[string]string{}
	if len(b) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("auth: file store %s: not a JSON object of strings: %v", s.path, err)
	}
	return m, nil
}

func (s *FileStore) save(m map[string]string) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("auth: file store: %w", err)
	}
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("auth: file store: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(s.path)+".*")
	if err != nil {
		return fmt.Errorf("auth: file store: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("auth: file store: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("auth: file store: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("auth: file store: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("auth: file store: %w", err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("auth: file store: %w", err)
	}
	return nil
}

// Get returns the value under key.
func (s *FileStore) Get(ctx context.Context, key string) (string, bool, error) {
	if ctx == nil {
		return "", false, invalidArg("file store: nil context")
	}
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.load()
	if err != nil {
		return "", false, err
	}
	v, ok := m[key]
	return v, ok, nil
}

// Set stores value under key.
func (s *FileStore) Set(ctx context.Context, key, value string) error {
	return s.update(ctx, func(m map[string]string) bool {
		m[key] = value
		return true
	})
}

// Delete removes key.
func (s *FileStore) Delete(ctx context.Context, key string) error {
	return s.update(ctx, func(m map[string]string) bool {
		_, ok := m[key]
		delete(m, key)
		return ok
	})
}

// update reads the file, applies change and writes the file back when
// change reports a difference.
func (s *FileStore) update(ctx context.Context, change func(map[string]string) bool) error {
	if ctx == nil {
		return invalidArg("file store: nil context")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.load()
	if err != nil {
		return err
	}
	if !change(m) {
		return nil
	}
	return s.save(m)
}
