package functions_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/supakit/supakit/functions"
	"github.com/supakit/supakit/transport"
)

// fakeFunctions stands in for the Edge Functions gateway.
func fakeFunctions() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/functions/v1/hello-world":
			var in struct{ Name string }
			_ = json.NewDecoder(r.Body).Decode(&in)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"message":"Hello %s!","region":%q}`, in.Name, r.Header.Get("X-Region"))
		case "/functions/v1/fails":
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, "boom")
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
}

func exampleFunctions(srv *httptest.Server) *functions.Client {
	// With the root package: functions.New(client.FunctionsTransport()).
	tr, _ := transport.New(transport.Config{BaseURL: srv.URL + "/functions/v1", APIKey: "anon-key"})
	fn, _ := functions.New(tr)
	return fn
}

func ExampleInvokeJSON() {
	srv := fakeFunctions()
	defer srv.Close()
	fn := exampleFunctions(srv)

	type Req struct {
		Name string `json:"name"`
	}
	type Resp struct {
		Message string `json:"message"`
		Region  string `json:"region"`
	}
	out, err := functions.InvokeJSON[Req, Resp](context.Background(), fn, "hello-world", Req{Name: "Functions"},
		functions.Region("eu-central-1"))
	fmt.Println(out.Message, out.Region, err)
	// Output: Hello Functions! eu-central-1 <nil>
}

func ExampleClient_Invoke() {
	srv := fakeFunctions()
	defer srv.Close()
	fn := exampleFunctions(srv)
	ctx := context.Background()

	resp, err := fn.Invoke(ctx, "hello-world", functions.JSON(map[string]string{"name": "Go"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := resp.Text()
	fmt.Println(resp.StatusCode, text)

	_, err = fn.Invoke(ctx, "fails")
	var he *functions.HTTPError
	if errors.As(err, &he) {
		fmt.Println(he.StatusCode, string(he.Body))
	}
	// Output:
	// 200 {"message":"Hello Go!","region":""}
	// 500 boom
}
