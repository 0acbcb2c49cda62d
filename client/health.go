package client

import "context"
import "net/http"

// Health checks that the server is up (GET /healthz); it needs no key.
func (c *Client) Health(ctx context.Context) error {
	return c.callJSON(ctx, http.MethodGet, "/healthz", nil, nil, nil, http.StatusOK)
}
