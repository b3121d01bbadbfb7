package storageapi

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// store keeps object bytes on local disk, one immutable file per object
// version (a UUID), under dir/xx/<version>. New bytes are written to a
// temporary file in dir/tmp and renamed into place only once the database
// row that names the version is about to commit, so a row never names a
// missing file; a failed commit removes the file again.
type store struct {
	dir       string
	removeAll bool // the directory was created by New and goes on Close
}

// tempPrefix names the temporary data folders New creates; each holds an
// owner.pid file naming the process that created it.
const tempPrefix = "supakit-storage-"

func newStore(dir string) (*store, error) {
	s := &store{dir: dir}
	if dir == "" {
		sweepStale(os.TempDir())
		d, err := os.MkdirTemp("", tempPrefix+"*")
		if err != nil {
			return nil, fmt.Errorf("storageapi: data dir: %w", err)
		}
		if err := os.WriteFile(filepath.Join(d, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
			_ = os.RemoveAll(d)
			return nil, fmt.Errorf("storageapi: data dir: %w", err)
		}
		s.dir, s.removeAll = d, true
	}
	if err := os.MkdirAll(filepath.Join(s.dir, "tmp"), 0o755); err != nil {
		return nil, fmt.Errorf("storageapi: data dir: %w", err)
	}
	return s, nil
}

// sweepStale removes the temporary data folders, under parent, of
// processes that died without closing their handler (killed, or stopped
// by a test timeout). Folders without an owner.pid, or whose owner runs,
// are left alone.
func sweepStale(parent string) {
	dirs, _ := filepath.Glob(filepath.Join(parent, tempPrefix+"*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 || pid == os.Getpid() || alive(pid) {
			continue
		}
		_ = os.RemoveAll(d)
	}
}

func (s *store) close() error {
	if s.removeAll {
		return os.RemoveAll(s.dir)
	}
	return nil
}

var errBadVersion = errors.New("storageapi: object version is not a UUID")

func (s *store) path(version string) (string, error) {
	if _, err := uuid.Parse(version); err != nil || len(version) != 36 {
		return "", errBadVersion
	}
	return filepath.Join(s.dir, version[:2], version), nil
}

// tempFile receives bytes being uploaded.
type tempFile struct {
	f       *os.File
	size    int64
	md5     hash.Hash
	onWrite func(n int) // optional: told of each chunk written
}

// notify reports written chunks to onWrite.
type notify struct {
	w  io.Writer
	fn func(int)
}

func (n notify) Write(p []byte) (int, error) {
	k, err := n.w.Write(p)
	n.fn(k)
	return k, err
}

func (s *store) create() (*tempFile, error) {
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "upload-*")
	if err != nil {
		return nil, err
	}
	return &tempFile{f: f, md5: md5.New()}, nil
}

// fill appends r to the file, failing with errTooLarge when r holds more
// than limit bytes (limit < 0: no limit).
func (t *tempFile) fill(r io.Reader, limit int64) error {
	src := r
	if limit >= 0 {
		src = io.LimitReader(r, limit+1)
	}
	var dst io.Writer = io.MultiWriter(t.f, t.md5)
	if t.onWrite != nil {
		dst = notify{dst, t.onWrite}
	}
	n, err := io.Copy(dst, src)
	t.size += n
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge() // a body cap in front of the handler
		}
		return err
	}
	if limit >= 0 && n > limit {
		return errTooLarge()
	}
	return nil
}

func (t *tempFile) etag() string { return `"` + hex.EncodeToString(t.md5.Sum(nil)) + `"` }

// discard removes the temporary file (a no-op after commit).
func (t *tempFile) discard() {
	if t.f != nil {
		name := t.f.Name()
		_ = t.f.Close()
		_ = os.Remove(name)
		t.f = nil
	}
}

// commit syncs and renames the file into place as version.
func (s *store) commit(t *tempFile, version string) error {
	dst, err := s.path(version)
	if err != nil {
		return err
	}
	if err := t.f.Sync(); err != nil {
		return err
	}
	name := t.f.Name()
	if err := t.f.Close(); err != nil {
		return err
	}
	t.f = nil
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		_ = os.Remove(name)
		return err
	}
	if err := os.Rename(name, dst); err != nil {
		_ = os.Remove(name)
		return err
	}
	return nil
}

// link makes version dst share the bytes of version src (a hard link, or a
// copy where links are not possible).
func (s *store) link(src, dst string) error {
	sp, err := s.path(src)
	if err != nil {
		return err
	}
	dp, err := s.path(dst)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dp), 0o755); err != nil {
		return err
	}
	if err := os.Link(sp, dp); err == nil {
		return nil
	}
	in, err := os.Open(sp)
	if err != nil {
		return err
	}
	defer in.Close()
	t, err := s.create()
	if err != nil {
		return err
	}
	defer t.discard()
	if _, err := io.Copy(t.f, in); err != nil {
		return err
	}
	return s.commit(t, dst)
}

func (s *store) open(version string) (*os.File, error) {
	p, err := s.path(version)
	if err != nil {
		return nil, err
	}
	return os.Open(p)
}

// remove deletes a version's bytes; missing files are not an error.
func (s *store) remove(version string) {
	if p, err := s.path(version); err == nil {
		_ = os.Remove(p)
	}
}
