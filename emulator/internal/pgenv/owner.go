package pgenv

import (
	"context"
	"encoding/json"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
)

// owner identifies the process that created a fresh database; it is
// stored as the database's comment so that databases left behind by a
// process that died before Close can be recognised and dropped.
type owner struct {
	Host  string `json:"host"`
	Boot  string `json:"boot"`  // kernel boot id: PIDs are only comparable within one boot
	PIDNS string `json:"pidns"` // PID namespace: containers sharing a kernel see other PIDs
	PID   int    `json:"pid"`
}

const ownerKey = "supakit_pgenv_owner"

func currentOwner() owner {
	host, _ := os.Hostname()
	boot, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	ns, _ := os.Readlink("/proc/self/ns/pid")
	return owner{Host: host, Boot: strings.TrimSpace(string(boot)), PIDNS: ns, PID: os.Getpid()}
}

func (o owner) comment() string {
	b, _ := json.Marshal(map[string]owner{ownerKey: o})
	return string(b)
}

// orphaned reports whether a database comment names a process of this
// machine and boot that is gone. Anything else (other hosts, unknown boot,
// no comment, a live or unverifiable process) is left alone.
func orphaned(comment string, me owner) bool {
	var m map[string]owner
	if json.Unmarshal([]byte(comment), &m) != nil {
		return false
	}
	o, ok := m[ownerKey]
	if !ok || o.Host == "" || o.Boot == "" || o.PIDNS == "" || o.PID <= 0 ||
		o.Host != me.Host || o.Boot != me.Boot || o.PIDNS != me.PIDNS {
		return false
	}
	return o.PID != me.PID && !alive(o.PID)
}

// sweepOrphans drops the fresh databases whose creating process died
// without closing them. Failures are logged and otherwise ignored.
func sweepOrphans(ctx context.Context, conn *pgx.Conn, logf func(string, ...any)) {
	me := currentOwner()
	if me.Boot == "" || me.PIDNS == "" {
		return
	}
	rows, err := conn.Query(ctx, `select datname, coalesce(shobj_description(oid, 'pg_database'), '')
		from pg_database where datname like 'supakit\_%'`)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var name, comment string
		if err := r.Scan(&name, &comment); err != nil {
			return "", err
		}
		if !orphaned(comment, me) {
			return "", nil
		}
		return name, nil
	})
	if err != nil {
		return
	}
	for _, n := range names {
		if n == "" {
			continue
		}
		if _, err := conn.Exec(ctx, "drop database if exists "+pgx.Identifier{n}.Sanitize()+" with (force)"); err != nil {
			logf("pgenv: drop orphaned database %s: %v", n, err)
			continue
		}
		logf("pgenv: dropped database %s left behind by a process that died", n)
	}
}
