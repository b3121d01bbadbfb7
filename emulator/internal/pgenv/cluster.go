package pgenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrNoBinaries is returned (wrapped, alongside ErrNoServer) when initdb and
// postgres cannot be found.
var ErrNoBinaries = errors.New("pgenv: PostgreSQL binaries (initdb, postgres) not found")

// clusterPrefix names the temporary folders of throwaway clusters.
const clusterPrefix = "supakit-pg-"

// cluster is a running throwaway PostgreSQL server.
type cluster struct {
	dir     string // temporary folder: data/, socket, log
	port    int
	url     string
	version string

	proc    *os.Process
	exited  chan struct{} // closed when postgres exits
	watcher *exec.Cmd     // stops the server if this process dies
	wpipe   *os.File      // write end of the watcher's stdin
	refs    int
}

var shared struct {
	mu sync.Mutex
	c  *cluster
}

// acquireCluster returns the process's throwaway cluster, starting it if
// needed, and takes a reference on it.
func acquireCluster(ctx context.Context, logf func(string, ...any)) (*cluster, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if c := shared.c; c != nil {
		select {
		case <-c.exited:
			// Died under us (killed from outside): forget it, start anew.
			c.cleanup(logf)
			shared.c = nil
		default:
			c.refs++
			return c, nil
		}
	}
	c, err := startCluster(ctx, logf)
	if err != nil {
		return nil, err
	}
	c.refs = 1
	shared.c = c
	return c, nil
}

// releaseCluster drops a reference; the last one stops the server and
// removes its folder.
func releaseCluster(c *cluster, logf func(string, ...any)) error {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	c.refs--
	if c.refs > 0 {
		return nil
	}
	if shared.c == c {
		shared.c = nil
	}
	return c.stop(logf)
}

// findBinaries returns the folder holding initdb and postgres.
func findBinaries() (string, error) {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
		if r, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(r))
		}
	}
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(m) > 0 {
		// Newest major version first.
		sort.Slice(m, func(i, j int) bool { return versionOf(m[i]) > versionOf(m[j]) })
		dirs = append(dirs, m...)
	}
	dirs = append(dirs, "/usr/local/pgsql/bin")
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", ErrNoBinaries
}

func versionOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

func startCluster(ctx context.Context, logf func(string, ...any)) (*cluster, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoServer, err)
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoServer, err)
	}
	parent := clusterParent(cred)
	sweepStale(parent, logf)
	dir, err := os.MkdirTemp(parent, clusterPrefix)
	if err != nil {
		return nil, fmt.Errorf("pgenv: throwaway cluster: %w", err)
	}
	c := &cluster{dir: dir, exited: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			c.cleanup(logf)
		}
	}()
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, fmt.Errorf("pgenv: throwaway cluster: %w", err)
	}
	if err := chownFor(dir, cred); err != nil {
		return nil, fmt.Errorf("pgenv: throwaway cluster: %w", err)
	}

	start := time.Now()
	data := filepath.Join(dir, "data")
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"),
		"-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
	initdb.Dir = dir
	initdb.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	setCredential(initdb, cred)
	if out, err := initdb.CombinedOutput(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("pgenv: initdb: %w", ctx.Err())
		}
		return nil, fmt.Errorf("pgenv: initdb: %w: %s", err, tail(out, 800))
	}
	if v, err := os.ReadFile(filepath.Join(data, "PG_VERSION")); err == nil {
		c.version = strings.TrimSpace(string(v))
	}

	// A free port can be taken between our probe and the server's bind:
	// retry a few times on a new port.
	var lastErr error
	for range 3 {
		port, err := freePort()
		if err != nil {
			return nil, fmt.Errorf("pgenv: throwaway cluster: %w", err)
		}
		lastErr = c.launch(ctx, bin, data, port, cred)
		if lastErr == nil {
			break
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("pgenv: throwaway cluster: %w", ctx.Err())
		}
	}
	if lastErr != nil {
		return nil, lastErr
	}
	logf("pgenv: started throwaway PostgreSQL %s on 127.0.0.1:%d in %s (%v)", c.version, c.port, dir, time.Since(start).Round(time.Millisecond))
	ok = true
	return c, nil
}

// launch starts postgres on port and waits until it accepts connections.
func (c *cluster) launch(ctx context.Context, bin, data string, port int, cred *credential) error {
	logPath := filepath.Join(c.dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("pgenv: throwaway cluster: %w", err)
	}
	defer logFile.Close()
	_ = chownFor(logPath, cred)

	cmd := exec.Command(filepath.Join(bin, "postgres"),
		"-D", data,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+c.dir,
		"-c", "max_connections=200",
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
	)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	setCredential(cmd, cred)
	detach(cmd) // own process group: a terminal's Ctrl-C goes to us, not to it
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgenv: start postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()

	c.port = port
	c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	c.proc = cmd.Process
	c.exited = exited

	if err := c.startWatcher(); err != nil {
		c.kill()
		return err
	}

	deadline := time.Now().Add(60 * time.Second)
	wait := 20 * time.Millisecond
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := ping(pctx, c.url)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			out, _ := os.ReadFile(logPath)
			c.stopWatcher()
			return fmt.Errorf("pgenv: postgres exited during start-up: %s", tail(out, 800))
		case <-ctx.Done():
			c.kill()
			return fmt.Errorf("pgenv: throwaway cluster: %w", ctx.Err())
		case <-time.After(wait):
		}
		if time.Now().After(deadline) {
			c.kill()
			out, _ := os.ReadFile(logPath)
			return fmt.Errorf("pgenv: postgres did not accept connections within 60s: %w: %s", err, tail(out, 800))
		}
		wait = min(wait*2, 500*time.Millisecond)
	}
}

// startWatcher runs a small shell that waits on a pipe only this process
// holds: if the process dies without Close, the pipe reaches end of file
// and the shell stops the server and removes the folder. Close sends
// "done" first, and the shell exits without doing anything.
func (c *cluster) startWatcher() error {
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("pgenv: watcher: %w", err)
	}
	const script = `read cmd
[ "$cmd" = done ] && exit 0
kill -INT "$1" 2>/dev/null
i=0
while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
kill -KILL "$1" 2>/dev/null
rm -rf "$2"`
	cmd := exec.Command("/bin/sh", "-c", script, "sh", strconv.Itoa(c.proc.Pid), c.dir)
	cmd.Stdin = r
	detach(cmd)
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return fmt.Errorf("pgenv: watcher: %w", err)
	}
	r.Close()
	go func() { _ = cmd.Wait() }()
	c.watcher, c.wpipe = cmd, w
	return nil
}

func (c *cluster) stopWatcher() {
	if c.wpipe != nil {
		_, _ = c.wpipe.WriteString("done\n")
		_ = c.wpipe.Close()
		c.wpipe = nil
	}
}

// kill stops the server without ceremony (start-up failures).
func (c *cluster) kill() {
	c.stopWatcher()
	if c.proc != nil {
		_ = c.proc.Kill()
		<-c.exited
	}
}

// stop shuts the server down (fast shutdown, then kill) and removes the
// folder.
func (c *cluster) stop(logf func(string, ...any)) error {
	c.stopWatcher()
	if c.proc != nil {
		_ = interrupt(c.proc)
		select {
		case <-c.exited:
		case <-time.After(15 * time.Second):
			_ = c.proc.Kill()
			<-c.exited
		}
	}
	if err := os.RemoveAll(c.dir); err != nil {
		return fmt.Errorf("pgenv: remove %s: %w", c.dir, err)
	}
	logf("pgenv: stopped throwaway PostgreSQL on 127.0.0.1:%d", c.port)
	return nil
}

// cleanup removes what a failed start left behind.
func (c *cluster) cleanup(logf func(string, ...any)) {
	if c.proc != nil {
		select {
		case <-c.exited:
		default:
			c.kill()
		}
	}
	c.stopWatcher()
	if err := os.RemoveAll(c.dir); err != nil {
		logf("pgenv: remove %s: %v", c.dir, err)
	}
}

// sweepStale removes folders of throwaway clusters whose owner process and
// server are both gone (left behind by a crash before the watcher ran).
func sweepStale(parent string, logf func(string, ...any)) {
	dirs, _ := filepath.Glob(filepath.Join(parent, clusterPrefix+"*"))
	for _, d := range dirs {
		if alive(readPID(filepath.Join(d, "owner.pid"))) {
			continue
		}
		if alive(readPID(filepath.Join(d, "data", "postmaster.pid"))) {
			continue
		}
		if err := os.RemoveAll(d); err == nil {
			logf("pgenv: removed stale %s", d)
		}
	}
}

// clusterParent returns the folder to create cluster folders in: the
// temporary folder, unless the server runs as another OS user who could not
// reach it (e.g. TMPDIR under /root), then /tmp.
func clusterParent(cred *credential) string {
	dir := os.TempDir()
	if cred == nil {
		return dir
	}
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil || st.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
		if d == filepath.Dir(d) {
			return dir
		}
	}
}

func readPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	n, _ := strconv.Atoi(strings.TrimSpace(string(line)))
	return n
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}
