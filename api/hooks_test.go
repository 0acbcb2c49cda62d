package api

// WatchLimiter tells f of each request of a key that the per-key limiter
// admits at once ("admitted") or puts in its queue ("queued").
func WatchLimiter(s *Server, f func(event, key string)) { s.keyLimit.watch = f }
