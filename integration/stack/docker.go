package stack

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver of the database wait strategy
	mobynet "github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"
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

	db, err := run("postgres", cfg.PostgresImage,
		network.WithNetwork([]string{aliasDB}, nw),
		testcontainers.WithEnv(cfg.PostgresEnv()),
		testcontainers.WithFiles(testcontainers.ContainerFile{
			Reader:            strings.NewReader(RolesSQL),
			ContainerFilePath: "/docker-entrypoint-initdb.d/init-scripts/99-roles.sql",
			FileMode:          0o644,
		}),
		testcontainers.WithCmd("postgres", "-c", "config_file=/etc/postgresql/postgresql.conf"),
		testcontainers.WithExposedPorts(portDB),
		testcontainers.WithWaitStrategyAndDeadline(3*time.Minute,
			wait.ForListeningPort(portDB),
			wait.ForSQL(portDB, "pgx", func(host string, port mobynet.Port) string {
				return fmt.Sprintf("postgres://postgres:%s@%s/postgres?sslmode=disable", cfg.DBPassword, net.JoinHostPort(host, port.Port()))
			}).WithQuery("select 1 from pg_roles where rolname = 'supabase_storage_admin'"),
		),
	)
	if err != nil {
		return s, err
	}
	dbEndpoint, err := db.PortEndpoint(ctx, portDB, "")
	if err != nil {
		return s, fmt.Errorf("stack: postgres endpoint: %w", err)
	}
	s.DatabaseURL = fmt.Sprintf("postgres://postgres:%s@%s/postgres?sslmode=disable", cfg.DBPassword, dbEndpoint)

	mail, err := run("mailpit", cfg.MailpitImage,
		network.WithNetwork([]string{aliasMail}, nw),
		testcontainers.WithEnv(cfg.MailpitEnv()),
		testcontainers.WithExposedPorts(portSMTP, portMailHTTP),
		testcontainers.WithWaitStrategy(wait.ForListeningPort(portSMTP), wait.ForHTTP("/api/v1/messages").WithPort(portMailHTTP)),
	)
	if err != nil {
		return s, err
	}
	rest, err := run("postgrest", cfg.PostgRESTImage,
		network.WithNetwork([]string{aliasREST}, nw),
		testcontainers.WithEnv(cfg.PostgRESTEnv()),
		testcontainers.WithExposedPorts(portREST, portRESTAdmin),
		testcontainers.WithWaitStrategy(wait.ForHTTP("/ready").WithPort(portRESTAdmin)),
	)
	if err != nil {
		return s, err
	}
	authCtr, err := run("gotrue", cfg.GoTrueImage,
		network.WithNetwork([]string{aliasAuth}, nw),
		testcontainers.WithEnv(cfg.GoTrueEnv(s.URL+"/auth/v1")),
		testcontainers.WithExposedPorts(portAuth),
		testcontainers.WithWaitStrategyAndDeadline(2*time.Minute, wait.ForHTTP("/health").WithPort(portAuth)),
	)
	if err != nil {
		return s, err
	}
	storage, err := run("storage", cfg.StorageImage,
		network.WithNetwork([]string{aliasStorage}, nw),
		testcontainers.WithEnv(cfg.StorageEnv(keys)),
		testcontainers.WithExposedPorts(portStorage),
		testcontainers.WithWaitStrategyAndDeadline(2*time.Minute, wait.ForHTTP("/status").WithPort(portStorage)),
	)
	if err != nil {
		return s, err
	}

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
