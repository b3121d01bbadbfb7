package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DockerEndpoint is where a Docker engine would answer.
type DockerEndpoint struct {
	// Network is "unix" or "tcp".
	Network string
	// Address is a socket path or host:port.
	Address string
}

func (e DockerEndpoint) String() string {
	if e.Network == "unix" {
		return "unix://" + e.Address
	}
	return "tcp://" + e.Address
}

// DockerEndpoints lists the places to ping, from DOCKER_HOST if set, else
// the usual sockets (the system one, Docker Desktop's, rootless Docker's).
func DockerEndpoints(getenv Env) ([]DockerEndpoint, error) {
	if h := getenv("DOCKER_HOST"); h != "" {
		u, err := url.Parse(h)
		if err != nil {
			return nil, fmt.Errorf("DOCKER_HOST=%q: %w", h, err)
		}
		switch u.Scheme {
		case "unix":
			return []DockerEndpoint{{"unix", u.Path}}, nil
		case "tcp", "http", "https":
			if u.Host == "" {
				return nil, fmt.Errorf("DOCKER_HOST=%q has no host", h)
			}
			return []DockerEndpoint{{"tcp", u.Host}}, nil
		default:
			return nil, fmt.Errorf("DOCKER_HOST=%q: scheme %q is not supported here", h, u.Scheme)
		}
	}
	eps := []DockerEndpoint{{"unix", "/var/run/docker.sock"}}
	if home := getenv("HOME"); home != "" {
		eps = append(eps, DockerEndpoint{"unix", filepath.Join(home, ".docker", "run", "docker.sock")})
	}
	if xdg := getenv("XDG_RUNTIME_DIR"); xdg != "" {
		eps = append(eps, DockerEndpoint{"unix", filepath.Join(xdg, "docker.sock")})
	}
	return eps, nil
}

// PingDocker asks each endpoint for GET /_ping within timeout (all of them
// together) and returns nil as soon as one answers OK, else an error saying
// why none did. It takes well under a second when nothing is there.
func PingDocker(ctx context.Context, getenv Env, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = 500 * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	eps, err := DockerEndpoints(getenv)
	if err != nil {
		return err
	}
	var why []string
	for _, ep := range eps {
		if ep.Network == "unix" {
			if _, err := os.Stat(ep.Address); err != nil {
				why = append(why, fmt.Sprintf("no socket at %s", ep.Address))
				continue
			}
		}
		if err := pingOne(ctx, ep); err != nil {
			why = append(why, fmt.Sprintf("%s: %v", ep, err))
			continue
		}
		return nil
	}
	return errors.New("no Docker engine answers (" + strings.Join(why, "; ") + ")")
}

func pingOne(ctx context.Context, ep DockerEndpoint) error {
	var d net.Dialer
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, ep.Network, ep.Address)
		},
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/_ping", nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) {
			return op.Err
		}
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/_ping answered %d %q", resp.StatusCode, body)
	}
	return nil
}
