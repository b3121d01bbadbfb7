//go:build !unix

package pgenv

import (
	"errors"
	"os"
	"os/exec"
)

type credential struct{}

var errUnsupported = errors.New("pgenv: throwaway clusters are supported on Unix only")

func serverCredential() (*credential, error) { return nil, errUnsupported }
func setCredential(*exec.Cmd, *credential)   {}
func chownFor(string, *credential) error     { return nil }
func detach(*exec.Cmd)                       {}
func interrupt(p *os.Process) error          { return p.Kill() }
func alive(int) bool                         { return false }
