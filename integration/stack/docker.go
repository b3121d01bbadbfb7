package stack

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver of the database wait strategy
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"
)

// StartDocker starts the Docker stack on a private network: Supabase's
// Postgres, PostgREST, GoTrue, Storage API and Mailpit, and an in-process
// gateway routing one base URL to them by path. Readiness comes from wait
// strategies; no host port is fixed. On error the returned Stack (if not
// nil) holds what was started: Close it.
func StartDocker(ctx context.Context, cfg DockerConfig, logf func(string, ...any)) (*Stack, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	keys, err := MintKeys(cfg.JWTSecret, time.Now())
	if err != nil {
		return nil, err
	}
	s := &Stack{Tier: TierDocker, AnonKey: keys.AnonKey, ServiceRoleKey: keys.ServiceRoleKey,
		JWTSecret: cfg.JWTSecret, MaxRows: cfg.MaxRows, Explain: true}

	// The gateway listens first: GoTrue needs its public URL.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("stack: gateway listener: %w", err)
	}
	s.URL = "http://" + ln.Addr().String()
	gwSrv := &http.Server{ReadHeaderTimeout: 30 * time.Second}
	s.onClose(func() error {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return gwSrv.Shutdown(sctx)
	})
	// Serve only once the routes are known; until then the listener queues.
	startGateway := func(h http.Handler) {
		gwSrv.Handler = h
		go func() { _ = gwSrv.Serve(ln) }()
	}
	defer func() {
		if gwSrv.Handler == nil {
			ln.Close()
		}
	}()

	nw, err := network.New(ctx)
	s.onClose(func() error {
		if nw == nil {
			return nil
		}
		return nw.Remove(context.Background())
	})
	if err != nil {
		return s, fmt.Errorf("stack: docker network: %w", err)
	}

	run := func(name, image string, opts ...testcontainers.ContainerCustomizer) (*testcontainers.DockerContainer, error) {
		logf("integration: docker: starting %s (%s)", name, image)
		ctr, err := testcontainers.Run(ctx, image, opts...)
		s.onClose(func() error { return testcontainers.TerminateContainer(ctr) }) // before the error check
		if err != nil {
			return nil, fmt.Errorf("stack: start %s (%s): %w", name, image, err)
		}
		return ctr, nil
	}

	ctrs := map[string]*testcontainers.DockerContainer{}
	for _, spec := range cfg.Specs(keys, s.URL+"/auth/v1") {
		opts := []testcontainers.ContainerCustomizer{
			network.WithNetwork([]string{spec.Alias}, nw),
			testcontainers.WithEnv(spec.Env),
			testcontainers.WithExposedPorts(spec.Ports...),
			testcontainers.WithWaitStrategyAndDeadline(spec.Deadline, spec.strategies(cfg)...),
		}
		for _, f := range spec.Files {
			opts = append(opts, testcontainers.WithFiles(testcontainers.ContainerFile{
				Reader: strings.NewReader(f.Content), ContainerFilePath: f.Path, FileMode: 0o644}))
		}
		if len(spec.Cmd) > 0 {
			opts = append(opts, testcontainers.WithCmd(spec.Cmd...))
		}
		ctr, err := run(spec.Name, spec.Image, opts...)
		if err != nil {
			return s, err
		}
		ctrs[spec.Name] = ctr
		if spec.Name == "postgres" {
			ep, err := ctr.PortEndpoint(ctx, portDB, "")
			if err != nil {
				return s, fmt.Errorf("stack: postgres endpoint: %w", err)
			}
			s.DatabaseURL = fmt.Sprintf("postgres://postgres:%s@%s/postgres?sslmode=disable", cfg.DBPassword, ep)
		}
	}
	rest, authCtr, storage, mail := ctrs["postgrest"], ctrs["gotrue"], ctrs["storage"], ctrs["mailpit"]

	endpoint := func(c *testcontainers.DockerContainer, port string) (string, error) {
		ep, err := c.PortEndpoint(ctx, port, "http")
		if err != nil {
			return "", fmt.Errorf("stack: endpoint of %s: %w", port, err)
		}
		return ep, nil
	}
	var routes []Route
	for _, r := range []struct {
		prefix string
		ctr    *testcontainers.DockerContainer
		port   string
	}{{"/rest/v1", rest, portREST}, {"/auth/v1", authCtr, portAuth}, {"/storage/v1", storage, portStorage}} {
		ep, err := endpoint(r.ctr, r.port)
		if err != nil {
			return s, err
		}
		routes = append(routes, Route{Prefix: r.prefix, Upstream: ep})
	}
	gw, err := NewGateway(routes)
	if err != nil {
		return s, err
	}
	startGateway(gw)
	mailURL, err := endpoint(mail, portMailHTTP)
	if err != nil {
		return s, err
	}
	s.Mailbox = &MailpitMailbox{BaseURL: mailURL}
	logf("integration: docker: stack ready at %s", s.URL)
	return s, nil
}
