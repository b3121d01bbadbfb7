package stack

import (
	"fmt"
	"strconv"
)

// Default images of the Docker stack: the versions Supabase's self-hosting
// compose file pins (October 2025), and Mailpit as the mail catcher. Each
// can be overridden by the environment variable named in ImageEnv.
const (
	DefaultPostgresImage  = "supabase/postgres:15.8.1.085"
	DefaultPostgRESTImage = "postgrest/postgrest:v13.0.7"
	DefaultGoTrueImage    = "supabase/gotrue:v2.180.0"
	DefaultStorageImage   = "supabase/storage-api:v1.28.0"
	DefaultMailpitImage   = "axllent/mailpit:v1.27"
)

// ImageEnv names the environment variable overriding each service's image.
var ImageEnv = map[string]string{
	"postgres":  "SUPAKIT_IMAGE_POSTGRES",
	"postgrest": "SUPAKIT_IMAGE_POSTGREST",
	"gotrue":    "SUPAKIT_IMAGE_GOTRUE",
	"storage":   "SUPAKIT_IMAGE_STORAGE",
	"mailpit":   "SUPAKIT_IMAGE_MAILPIT",
}

// Network aliases and ports of the services on the stack's private network.
const (
	aliasDB      = "db"
	aliasREST    = "rest"
	aliasAuth    = "auth"
	aliasStorage = "storage"
	aliasMail    = "mail"

	portDB        = "5432/tcp"
	portREST      = "3000/tcp"
	portRESTAdmin = "3001/tcp"
	portAuth      = "9999/tcp"
	portStorage   = "5000/tcp"
	portSMTP      = "1025/tcp"
	portMailHTTP  = "8025/tcp"
)

// DockerConfig describes the Docker stack. The zero value is not usable;
// start from DockerConfigFromEnv.
type DockerConfig struct {
	PostgresImage, PostgRESTImage, GoTrueImage, StorageImage, MailpitImage string
	// JWTSecret signs every key and token of the stack (at least 32
	// characters).
	JWTSecret string
	// DBPassword is the password of postgres and the service roles.
	DBPassword string
	// MaxRows is PostgREST's db-max-rows.
	MaxRows int
}

// DockerConfigFromEnv returns the default configuration with the image
// overrides of the environment (ImageEnv) and SUPAKIT_JWT_SECRET if set.
func DockerConfigFromEnv(getenv Env) DockerConfig {
	pick := func(key, def string) string {
		if v := getenv(ImageEnv[key]); v != "" {
			return v
		}
		return def
	}
	secret := getenv("SUPAKIT_JWT_SECRET")
	if secret == "" {
		secret = "super-secret-jwt-token-with-at-least-32-characters-long" // the Supabase CLI's local secret
	}
	return DockerConfig{
		PostgresImage:  pick("postgres", DefaultPostgresImage),
		PostgRESTImage: pick("postgrest", DefaultPostgRESTImage),
		GoTrueImage:    pick("gotrue", DefaultGoTrueImage),
		StorageImage:   pick("storage", DefaultStorageImage),
		MailpitImage:   pick("mailpit", DefaultMailpitImage),
		JWTSecret:      secret,
		DBPassword:     "postgres",
		MaxRows:        1000,
	}
}

// Validate reports a configuration that cannot start.
func (c DockerConfig) Validate() error {
	for name, img := range map[string]string{"postgres": c.PostgresImage, "postgrest": c.PostgRESTImage,
		"gotrue": c.GoTrueImage, "storage": c.StorageImage, "mailpit": c.MailpitImage} {
		if img == "" {
			return fmt.Errorf("stack: no image for %s (set %s)", name, ImageEnv[name])
		}
	}
	if len(c.JWTSecret) < 32 {
		return ErrWeakSecret
	}
	if c.DBPassword == "" {
		return fmt.Errorf("stack: empty database password")
	}
	if c.MaxRows <= 0 {
		return fmt.Errorf("stack: max rows must be positive, got %d", c.MaxRows)
	}
	return nil
}

func (c DockerConfig) dbURL(role string) string {
	return fmt.Sprintf("postgres://%s:%s@%s:5432/postgres", role, c.DBPassword, aliasDB)
}

// PostgresEnv is the environment of Supabase's Postgres container.
func (c DockerConfig) PostgresEnv() map[string]string {
	return map[string]string{
		"POSTGRES_HOST":     "/var/run/postgresql",
		"PGPORT":            "5432",
		"POSTGRES_PORT":     "5432",
		"PGPASSWORD":        c.DBPassword,
		"POSTGRES_PASSWORD": c.DBPassword,
		"PGDATABASE":        "postgres",
		"POSTGRES_DB":       "postgres",
		"JWT_SECRET":        c.JWTSecret,
		"JWT_EXP":           "3600",
	}
}

// RolesSQL gives the service roles the database password (the image
// creates them without one); it runs as an init script of the image.
const RolesSQL = `\set pgpass ` + "`echo \"$POSTGRES_PASSWORD\"`" + `
alter user authenticator with password :'pgpass';
alter user pgbouncer with password :'pgpass';
alter user supabase_auth_admin with password :'pgpass';
alter user supabase_storage_admin with password :'pgpass';
`

// PostgRESTEnv is the environment of the PostgREST container: the
// authenticator role, Supabase's anon role and schemas, plans enabled for
// explain(), transactions that a request may roll back, and an admin port
// for readiness.
func (c DockerConfig) PostgRESTEnv() map[string]string {
	return map[string]string{
		"PGRST_DB_URI":                  c.dbURL("authenticator"),
		"PGRST_DB_SCHEMAS":              "public,storage,graphql_public",
		"PGRST_DB_ANON_ROLE":            "anon",
		"PGRST_JWT_SECRET":              c.JWTSecret,
		"PGRST_DB_USE_LEGACY_GUCS":      "false",
		"PGRST_APP_SETTINGS_JWT_SECRET": c.JWTSecret,
		"PGRST_APP_SETTINGS_JWT_EXP":    "3600",
		"PGRST_DB_MAX_ROWS":             strconv.Itoa(c.MaxRows),
		"PGRST_DB_PLAN_ENABLED":         "true",
		"PGRST_DB_TX_END":               "commit-allow-override",
		"PGRST_ADMIN_SERVER_PORT":       "3001",
	}
}

// GoTrueEnv is the environment of the GoTrue container. externalURL is the
// gateway's /auth/v1 URL (links in mails point there); mails go to the
// mail catcher; confirmation is required, anonymous sign-ins and TOTP are on.
func (c DockerConfig) GoTrueEnv(externalURL string) map[string]string {
	return map[string]string{
		"GOTRUE_API_HOST":                         "0.0.0.0",
		"GOTRUE_API_PORT":                         "9999",
		"API_EXTERNAL_URL":                        externalURL,
		"GOTRUE_DB_DRIVER":                        "postgres",
		"GOTRUE_DB_DATABASE_URL":                  c.dbURL("supabase_auth_admin"),
		"GOTRUE_SITE_URL":                         "http://localhost:3000",
		"GOTRUE_URI_ALLOW_LIST":                   "http://localhost:3000/**",
		"GOTRUE_DISABLE_SIGNUP":                   "false",
		"GOTRUE_JWT_ADMIN_ROLES":                  "service_role",
		"GOTRUE_JWT_AUD":                          "authenticated",
		"GOTRUE_JWT_DEFAULT_GROUP_NAME":           "authenticated",
		"GOTRUE_JWT_EXP":                          "3600",
		"GOTRUE_JWT_SECRET":                       c.JWTSecret,
		"GOTRUE_EXTERNAL_EMAIL_ENABLED":           "true",
		"GOTRUE_EXTERNAL_ANONYMOUS_USERS_ENABLED": "true",
		"GOTRUE_MAILER_AUTOCONFIRM":               "false",
		"GOTRUE_SMTP_ADMIN_EMAIL":                 "admin@example.com",
		"GOTRUE_SMTP_HOST":                        aliasMail,
		"GOTRUE_SMTP_PORT":                        "1025",
		"GOTRUE_SMTP_USER":                        "",
		"GOTRUE_SMTP_PASS":                        "",
		"GOTRUE_SMTP_SENDER_NAME":                 "supakit",
		"GOTRUE_MAILER_URLPATHS_INVITE":           "/auth/v1/verify",
		"GOTRUE_MAILER_URLPATHS_CONFIRMATION":     "/auth/v1/verify",
		"GOTRUE_MAILER_URLPATHS_RECOVERY":         "/auth/v1/verify",
		"GOTRUE_MAILER_URLPATHS_EMAIL_CHANGE":     "/auth/v1/verify",
		"GOTRUE_EXTERNAL_PHONE_ENABLED":           "false",
		"GOTRUE_MFA_TOTP_ENROLL_ENABLED":          "true",
		"GOTRUE_MFA_TOTP_VERIFY_ENABLED":          "true",
		"GOTRUE_RATE_LIMIT_EMAIL_SENT":            "1000",
		"GOTRUE_SMTP_MAX_FREQUENCY":               "1ns", // tests send several mails to one address in a row
	}
}

// StorageEnv is the environment of the Storage API container: file
// backend, keys and secret of the stack, PostgREST on the private network.
func (c DockerConfig) StorageEnv(keys Keys) map[string]string {
	return map[string]string{
		"ANON_KEY":                    keys.AnonKey,
		"SERVICE_KEY":                 keys.ServiceRoleKey,
		"POSTGREST_URL":               "http://" + aliasREST + ":3000",
		"PGRST_JWT_SECRET":            c.JWTSecret,
		"DATABASE_URL":                c.dbURL("supabase_storage_admin"),
		"FILE_SIZE_LIMIT":             "52428800",
		"STORAGE_BACKEND":             "file",
		"FILE_STORAGE_BACKEND_PATH":   "/var/lib/storage",
		"TENANT_ID":                   "stub",
		"REGION":                      "stub",
		"GLOBAL_S3_BUCKET":            "stub",
		"ENABLE_IMAGE_TRANSFORMATION": "false",
	}
}

// MailpitEnv is the environment of the mail catcher: accept any SMTP login.
func (c DockerConfig) MailpitEnv() map[string]string {
	return map[string]string{
		"MP_SMTP_AUTH_ACCEPT_ANY":     "true",
		"MP_SMTP_AUTH_ALLOW_INSECURE": "true",
		"MP_MAX_MESSAGES":             "5000",
	}
}
