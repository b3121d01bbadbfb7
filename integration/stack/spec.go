package stack

import (
	"fmt"
	"net"
	"time"

	mobynet "github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go/wait"
)

// ContainerSpec is one container of the Docker stack, described as data so
// that its definition can be tested without Docker.
type ContainerSpec struct {
	Name  string
	Image string
	// Alias is the container's name on the stack's private network.
	Alias string
	Env   map[string]string
	// Ports are exposed on random host ports ("5432/tcp").
	Ports []string
	Files []SpecFile
	Cmd   []string
	// Ready lists the checks that must all pass before the next container
	// starts; Deadline bounds them together.
	Ready    []Readiness
	Deadline time.Duration
}

// SpecFile is a file written into the container before it starts.
type SpecFile struct {
	Path, Content string
}

// Readiness is a wait strategy described as data.
type Readiness struct {
	// Kind is "port" (the port accepts connections), "http" (GET Path on
	// Port answers 200) or "sql" (Query returns a row as postgres).
	Kind  string
	Port  string
	Path  string
	Query string
}

// Specs returns the containers of the stack in start order: each one's
// dependencies come before it. externalURL is the gateway's /auth/v1 URL.
func (c DockerConfig) Specs(keys Keys, externalURL string) []ContainerSpec {
	return []ContainerSpec{
		{
			Name: "postgres", Image: c.PostgresImage, Alias: aliasDB, Env: c.PostgresEnv(),
			Ports: []string{portDB},
			Files: []SpecFile{{Path: "/docker-entrypoint-initdb.d/init-scripts/99-roles.sql", Content: RolesSQL}},
			Cmd:   []string{"postgres", "-c", "config_file=/etc/postgresql/postgresql.conf"},
			// The server listens on TCP only once the image's init scripts
			// are done; the role query proves they ran.
			Ready: []Readiness{{Kind: "port", Port: portDB},
				{Kind: "sql", Port: portDB, Query: "select 1 from pg_roles where rolname = 'supabase_storage_admin'"}},
			Deadline: 3 * time.Minute,
		},
		{
			Name: "mailpit", Image: c.MailpitImage, Alias: aliasMail, Env: c.MailpitEnv(),
			Ports:    []string{portSMTP, portMailHTTP},
			Ready:    []Readiness{{Kind: "port", Port: portSMTP}, {Kind: "http", Port: portMailHTTP, Path: "/api/v1/messages"}},
			Deadline: time.Minute,
		},
		{
			Name: "postgrest", Image: c.PostgRESTImage, Alias: aliasREST, Env: c.PostgRESTEnv(),
			Ports:    []string{portREST, portRESTAdmin},
			Ready:    []Readiness{{Kind: "http", Port: portRESTAdmin, Path: "/ready"}},
			Deadline: time.Minute,
		},
		{
			Name: "gotrue", Image: c.GoTrueImage, Alias: aliasAuth, Env: c.GoTrueEnv(externalURL),
			Ports:    []string{portAuth},
			Ready:    []Readiness{{Kind: "http", Port: portAuth, Path: "/health"}},
			Deadline: 2 * time.Minute,
		},
		{
			Name: "storage", Image: c.StorageImage, Alias: aliasStorage, Env: c.StorageEnv(keys),
			Ports:    []string{portStorage},
			Ready:    []Readiness{{Kind: "http", Port: portStorage, Path: "/status"}},
			Deadline: 2 * time.Minute,
		},
	}
}

func (s ContainerSpec) strategies(c DockerConfig) []wait.Strategy {
	var out []wait.Strategy
	for _, r := range s.Ready {
		switch r.Kind {
		case "port":
			out = append(out, wait.ForListeningPort(r.Port))
		case "http":
			out = append(out, wait.ForHTTP(r.Path).WithPort(r.Port))
		case "sql":
			out = append(out, wait.ForSQL(r.Port, "pgx", func(host string, port mobynet.Port) string {
				return fmt.Sprintf("postgres://postgres:%s@%s/postgres?sslmode=disable", c.DBPassword, net.JoinHostPort(host, port.Port()))
			}).WithQuery(r.Query))
		}
	}
	return out
}
