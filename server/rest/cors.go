package rest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/rs/cors"
)

// ValidateCORSOrigins checks [api] cors_allowed_origins: each entry is
// "*" (any origin) or an origin "scheme://host[:port]" with no path.
func ValidateCORSOrigins(origins []string) error {
	for _, o := range origins {
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || strings.Contains(o, "*") {
			return fmt.Errorf("cors_allowed_origins: %q is not an origin such as https://wallet.example.com or \"*\"", o)
		}
	}
	return nil
}

// withCORS lets browsers on the allowed origins call h: CORS headers on
// answers to an allowed Origin, and preflight (OPTIONS with
// Access-Control-Request-Method) answered 204 here. With no origins h is
// returned as is: no CORS headers, so browsers keep pages on other origins
// out (the default).
func withCORS(origins []string, h http.Handler) http.Handler {
	if len(origins) == 0 {
		return h
	}
	clean := make([]string, len(origins))
	for i, o := range origins {
		clean[i] = strings.TrimSuffix(o, "/")
	}
	return cors.New(cors.Options{
		AllowedOrigins: clean,
		AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost},
		AllowedHeaders: []string{"Content-Type"},
		MaxAge:         600,
	}).Handler(h)
}
