package deps

import (
	_ "github.com/go-playground/validator/v10"
	_ "github.com/go-viper/mapstructure/v2"
	_ "github.com/golang-jwt/jwt/v5"
	_ "github.com/google/uuid"
	_ "github.com/jackc/pgx/v5"
	_ "github.com/pquerna/otp"
	_ "github.com/stretchr/testify/require"
)
