package emulator_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"

	"github.com/supakit/supakit/emulator"
)

// Start an emulator on a fresh database, create a table as the owner, and
// read it over HTTP with the anon key, as a Supabase client would. (Not run
// by go test: it needs PostgreSQL; TestRESTUnderRLS covers the same path.)
func ExampleStart() {
	ctx := context.Background()
	srv, err := emulator.Start(ctx, emulator.Config{FreshDatabase: true})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	if _, err := srv.Pool().Exec(ctx, `
		create table countries (id int primary key, name text);
		insert into countries values (1, 'Denmark');`); err != nil {
		log.Fatal(err)
	}
	if err := srv.ReloadSchema(ctx); err != nil {
		log.Fatal(err)
	}

	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/rest/v1/countries?select=name", nil)
	req.Header.Set("apikey", srv.AnonKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode, string(body)) // 200 [{"name":"Denmark"}]
}
