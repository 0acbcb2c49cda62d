package web_test

import "bufio"
import "context"
import "fmt"
import "net"
import "net/http"
import "net/http/cookiejar"
import "net/http/httptest"
import "net/url"
import "runtime"
import "strings"
import "sync"
import "testing"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/importer"
import "github.com/strata-eval/strata/internal/rules"
import "github.com/strata-eval/strata/internal/testkit"
import "github.com/strata-eval/strata/web"

// The pages obey the API's limits: the same body, import, field, name and
// time limits, with the same messages, and the same per-key limiter.

func wantStatus(t *testing.T, p page, status int, text string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("%s: status %d, want %d", p.url, p.status, status)
	}
	wantText(t, p, text)
}

// newDataset signs the owner in and creates a dataset; it returns the
// dataset's path and the CSRF token.
func (s *site) newDataset(t *testing.T, name string) (string, string) {
	t.Helper()
	token := s.signinOwner(t)
	p := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {name}})
	if p.status != http.StatusOK {
		t.Fatalf("create dataset: %d", p.status)
	}
	return p.url, token
}

func TestImportLimits(t *testing.T) {
	s := newSiteWith(t, func(ws *web.Server) {
		ws.API = &api.Server{Store: ws.Store, Limits: api.Limits{MaxImportItems: 5, MaxImportBytes: 3 << 20}}
	})
	ds, token := s.newDataset(t, "limits")
	t.Run("TooManyItems", func(t *testing.T) {
		p := s.upload(t, ds+"/import", token, nil, "cases.jsonl", strings.Repeat("{\"input\":\"x\"}\n", 6))
		wantStatus(t, p, http.StatusRequestEntityTooLarge, "An import holds at most 5 items")
	})
	t.Run("FieldTooLarge", func(t *testing.T) {
		p := s.upload(t, ds+"/import", token, nil, "cases.jsonl", `{"input":"`+strings.Repeat("a", 2_000_000)+"\"}\n")
		wantStatus(t, p, http.StatusRequestEntityTooLarge, "item 1: input is larger than 1048576 bytes")
	})
	t.Run("FileTooLarge", func(t *testing.T) {
		p := s.upload(t, ds+"/import", token, nil, "cases.csv", "input\n"+strings.Repeat("b", 3<<20)+"\n")
		wantStatus(t, p, http.StatusRequestEntityTooLarge, "Request body too large")
	})
	t.Run("WithinLimits", func(t *testing.T) {
		p := s.upload(t, ds+"/import", token, nil, "cases.jsonl", strings.Repeat("{\"input\":\"x\"}\n", 5))
		wantText(t, p, "Imported 5 items.")
	})
	// Nothing of the refused imports was kept.
	if p := s.get(t, ds); !strings.Contains(p.body, "5 items") {
		t.Fatalf("the dataset does not hold exactly the 5 imported items")
	}
}

// TestImportPreviewLimits: the preview reports the first error the import
// would meet under the same limits, and shows no more than the start of a
// large field.
func TestImportPreviewLimits(t *testing.T) {
	s := newSiteWith(t, func(ws *web.Server) {
		ws.API = &api.Server{Store: ws.Store, Limits: api.Limits{MaxImportItems: 5, MaxImportBytes: 3 << 20}}
	})
	ds, token := s.newDataset(t, "previews")
	t.Run("TooManyItems", func(t *testing.T) {
		p := s.upload(t, ds+"/import/preview", token, nil, "cases.jsonl", strings.Repeat("{\"input\":\"x\"}\n", 6))
		wantStatus(t, p, http.StatusOK, "Line 6: An import holds at most 5 items")
	})
	t.Run("FieldTooLarge", func(t *testing.T) {
		p := s.upload(t, ds+"/import/preview", token, nil, "cases.jsonl",
			"{\"input\":\"x\"}\n{\"input\":\""+strings.Repeat("a", 1<<20+1)+"\"}\n")
		wantStatus(t, p, http.StatusOK, "Line 2: item 2: input is larger than 1048576 bytes")
		if strings.Contains(p.body, "would be imported") {
			t.Error("the preview says the file would be imported")
		}
	})
	t.Run("FileTooLarge", func(t *testing.T) {
		p := s.upload(t, ds+"/import/preview", token, nil, "cases.csv", "input\n"+strings.Repeat("b", 3<<20)+"\n")
		wantStatus(t, p, http.StatusRequestEntityTooLarge, "Request body too large")
	})
	t.Run("LargeFieldShownShort", func(t *testing.T) {
		p := s.upload(t, ds+"/import/preview", token, nil, "cases.jsonl", `{"input":"`+strings.Repeat("a", 1<<20)+"\"}\n")
		wantStatus(t, p, http.StatusOK, "would be imported")
		if got, max := len(p.body), 64<<10; got > max {
			t.Errorf("the preview of a 1 MiB field is %d bytes long, want at most %d", got, max)
		}
	})
}

func TestFormLimits(t *testing.T) {
	s := newSiteWith(t, func(ws *web.Server) {
		ws.API = &api.Server{Store: ws.Store, MaxBodyBytes: 8 << 20}
	})
	ds, token := s.newDataset(t, "forms")
	t.Run("ItemFieldTooLarge", func(t *testing.T) {
		p := s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {strings.Repeat("a", 5<<20)}})
		wantStatus(t, p, http.StatusRequestEntityTooLarge, "input is larger than 1048576 bytes")
	})
	t.Run("BodyTooLarge", func(t *testing.T) {
		p := s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {strings.Repeat("a", 9<<20)}})
		wantStatus(t, p, http.StatusRequestEntityTooLarge, "Request body too large")
	})
	t.Run("RenameTooLong", func(t *testing.T) {
		p := s.post(t, ds+"/rename", url.Values{"csrf": {token}, "name": {strings.Repeat("n", 100_000)}})
		wantStatus(t, p, http.StatusUnprocessableEntity, `String must contain at most 1000 character(s) at &#34;name&#34;`)
	})
	t.Run("RenameBlank", func(t *testing.T) {
		p := s.post(t, ds+"/rename", url.Values{"csrf": {token}, "name": {"  "}})
		wantStatus(t, p, http.StatusUnprocessableEntity, `String must contain at least 1 character(s) at &#34;name&#34;`)
	})
	t.Run("DescriptionTooLong", func(t *testing.T) {
		p := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"d"}, "description": {strings.Repeat("é", 10_001)}})
		wantStatus(t, p, http.StatusUnprocessableEntity, `String must contain at most 10000 character(s) at &#34;description&#34;`)
	})
	t.Run("VersionNameTooLong", func(t *testing.T) {
		p := s.post(t, ds+"/save", url.Values{"csrf": {token}, "name": {strings.Repeat("v", 1001)}})
		wantStatus(t, p, http.StatusUnprocessableEntity, `String must contain at most 1000 character(s) at &#34;name&#34;`)
	})
	t.Run("InvalidUTF8", func(t *testing.T) {
		p := s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"a\xffb"}})
		wantStatus(t, p, http.StatusBadRequest, "input is not valid UTF-8")
	})
	if p := s.get(t, ds); !strings.Contains(p.body, "0 items") || !strings.Contains(p.body, "forms") {
		t.Fatal("a refused form changed the dataset")
	}
}

// TestPagesShareTheKeyLimiter: a key whose API requests fill its
// concurrency limit gets 429 on the pages too.
func TestPagesShareTheKeyLimiter(t *testing.T) {
	var srv *api.Server
	s := newSiteWith(t, func(ws *web.Server) {
		srv = &api.Server{Store: ws.Store, Limits: api.Limits{MaxConcurrentPerKey: 1, RatePerKey: -1}}
		ws.API = srv
	})
	s.signin(t, s.owner)
	p, err := s.store.Authenticate(t.Context(), s.owner)
	if err != nil {
		t.Fatal(err)
	}
	done, err := srv.Admit(t.Context(), p.KeyID, http.MethodGet) // an API read of the key, in flight
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.client.Get(s.URL + "/datasets")
	if err != nil {
		t.Fatal(err)
	}
	if res.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	wantStatus(t, read(t, res), http.StatusTooManyRequests, "Too many concurrent requests")
	done()
	if p := s.get(t, "/datasets"); p.status != http.StatusOK {
		t.Fatalf("after the API request ended: %d", p.status)
	}
}

// TestPagesTakeTheRequestDeadline: a page that outlives the API's request
// timeout answers 503, as the API does.
func TestPagesTakeTheRequestDeadline(t *testing.T) {
	s := newSiteWith(t, func(ws *web.Server) {
		ws.API = &api.Server{Store: ws.Store, Limits: api.Limits{RequestTimeout: time.Nanosecond}}
	})
	// Signed in by the store: the sign-in page has the deadline too.
	id, _, err := s.store.CreateSession(t.Context(), s.owner, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s.client.Jar.SetCookies(mustURL(t, s.URL), []*http.Cookie{{Name: "strata_session", Value: id, Path: "/"}})
	wantStatus(t, s.get(t, "/datasets"), http.StatusServiceUnavailable, "Request timed out")
	p := s.post(t, "/signin", url.Values{"key": {s.owner}})
	wantStatus(t, p, http.StatusServiceUnavailable, "Signing in failed")
}

func TestExportIsTheAPIs(t *testing.T) {
	s := newSite(t)
	ds, token := s.newDataset(t, "export")
	s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"q"}})
	s.post(t, ds+"/save", url.Values{"csrf": {token}})
	id := strings.TrimPrefix(ds, "/datasets/")
	res, err := s.client.Get(s.URL + ds + "/versions/2/export?format=csv")
	if err != nil {
		t.Fatal(err)
	}
	read(t, res)
	if got, want := res.Header.Get("Content-Disposition"), fmt.Sprintf(`attachment; filename="%s-v2.csv"`, id); got != want {
		t.Errorf("Content-Disposition = %q, want %q", got, want)
	}
	// Errors before the download starts are pages with the API's status.
	wantStatus(t, s.get(t, ds+"/versions/9/export"), http.StatusNotFound, "Dataset version not found")
	wantStatus(t, s.get(t, ds+"/versions/2/export?format=xml"), http.StatusUnprocessableEntity,
		"Invalid enum value. Expected &#39;jsonl&#39; | &#39;csv&#39; | &#39;json&#39;, received &#39;xml&#39; at &#34;format&#34;")
}

// TestResultCellsFollowSlotConfigs: a cell says what the run's summary
// counts, under the slot's config.
func TestResultCellsFollowSlotConfigs(t *testing.T) {
	s := newSite(t)
	ds, token := s.newDataset(t, "cells")
	id := strings.TrimPrefix(ds, "/datasets/")
	s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"q"}})
	ctx := t.Context()
	owner, err := s.store.Authenticate(ctx, s.owner)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.store.CreateEvaluator(ctx, owner.Actor(), strata.EvaluatorCreate{Name: "Judge", Slug: "judge", Type: "model-scorer",
		Mode: "normal", Params: []byte(`{}`), Filters: []byte(`[]`)})
	if err != nil {
		t.Fatal(err)
	}
	three := 3.0
	d, err := s.store.AttachEvaluator(ctx, owner.Actor(), id, strata.EvaluatorAttach{EvaluatorID: e.ID,
		Config: &strata.EvaluatorConfig{Type: strata.TypeModelScorer, Threshold: &three}})
	if err != nil {
		t.Fatal(err)
	}
	var items []*strata.Item
	if err := s.store.ScanItems(ctx, strata.ItemQuery{ProjectID: owner.ProjectID, DatasetID: id}, func(it *strata.Item) error {
		items = append(items, it)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	it := items[0]
	// The result says it passed; its score is under the slot's threshold.
	res := strata.ItemResults{ItemID: it.ID, Content: strata.DigestContent(it.Input, it.GroundTruth, it.Output)}
	res.Results[0] = []byte(`{"score":2.5,"passed":true}`)
	out, err := s.store.CompleteRun(ctx, owner.Actor(), id, strata.RunCompletion{TotalItems: 1,
		Slots: []strata.RunSlotInput{{Slot: 1, Evaluator: e, Config: d.EvaluatorConfigs["1"]}}, Items: []strata.ItemResults{res}})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Run.Slots[0].FailCount; got != 1 {
		t.Fatalf("the run counts %d fails, want 1", got)
	}
	p := s.get(t, ds)
	wantText(t, p, `<span class="outcome outcome-fail">fail</span>`)
}

// TestUploadHoldsNoWriteLock: while a browser is slow to send a file, the
// import has not started, so another project's writes go on. The test
// sends part of the upload, waits until the server has read all of it and
// waits for more, then writes in another project.
func TestUploadHoldsNoWriteLock(t *testing.T) {
	ctx := context.Background()
	store := testkit.SQLite(t)
	owner := testkit.Key(t, store, "main", strata.RoleOwner, "O")
	other := testkit.Key(t, store, "other", strata.RoleOwner, "P")
	ln := &watchListener{Listener: mustListen(t), waiting: make(chan int64, 16)}
	srv := httptest.NewUnstartedServer((&web.Server{Store: store}).Handler())
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	s := &site{Server: srv, store: store, owner: owner, client: &http.Client{Jar: newJar()}}
	ds, token := s.newDataset(t, "slow")
	cookies := s.client.Jar.Cookies(mustURL(t, srv.URL))

	// The request, sent by hand: headers and the first records of the file,
	// then nothing until the other write is done.
	boundary := "strataboundary"
	head := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cases.jsonl\"\r\n" +
		"Content-Type: application/octet-stream\r\n\r\n" + strings.Repeat("{\"input\":\"x\"}\n", 100)
	tail := "{\"input\":\"last\"}\n\r\n--" + boundary + "--\r\n"
	var req strings.Builder
	fmt.Fprintf(&req, "POST %s/import?csrf=%s HTTP/1.1\r\nHost: %s\r\n", ds, url.QueryEscape(token), ln.Addr())
	fmt.Fprintf(&req, "Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n", boundary, len(head)+len(tail))
	for _, c := range cookies {
		fmt.Fprintf(&req, "Cookie: %s=%s\r\n", c.Name, c.Value)
	}
	req.WriteString("Connection: close\r\n\r\n")
	sent := int64(req.Len() + len(head))
	ln.watch(sent) // before the connection is made: the listener watches the next one
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(req.String() + head)); err != nil {
		t.Fatal(err)
	}
	<-ln.waiting // the server has read everything sent, and waits for more

	wctx, cancel := context.WithTimeout(ctx, 30*time.Second) // a watchdog: the write must not wait for the upload
	defer cancel()
	p, err := store.Authenticate(wctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateDataset(wctx, p.Actor(), strata.DatasetCreate{Name: "meanwhile"}); err != nil {
		t.Fatalf("another project's write during the upload: %v", err)
	}

	if _, err := conn.Write([]byte(tail)); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "Imported+101+items") {
		t.Fatalf("upload: %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// watchListener reports, once armed with a byte count, when a connection
// has read that many bytes and asks for more.
type watchListener struct {
	net.Listener
	mu      sync.Mutex
	target  int64
	waiting chan int64
}

func (l *watchListener) watch(n int64) {
	l.mu.Lock()
	l.target = n
	l.mu.Unlock()
}

func (l *watchListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return &watchConn{Conn: c, l: l, watched: l.target > 0}, nil
}

// watchConn counts what the server read of a connection accepted once the
// listener was armed.
type watchConn struct {
	net.Conn
	l       *watchListener
	watched bool
	read    int64
}

func (c *watchConn) Read(b []byte) (int, error) {
	c.l.mu.Lock()
	if c.watched && c.l.target > 0 && c.read == c.l.target {
		c.l.target = 0
		c.l.waiting <- c.read
	}
	c.l.mu.Unlock()
	n, err := c.Conn.Read(b)
	c.read += int64(n)
	return n, err
}

func mustListen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func newJar() http.CookieJar {
	jar, _ := cookiejar.New(nil)
	return jar
}

// The pages' reads take the API's read slots: with every slot held, a page
// waits, and is answered 503 when its request's time runs out.
func TestPagesTakeReadSlots(t *testing.T) {
	var a *api.Server
	s := newSiteWith(t, func(ws *web.Server) {
		a = &api.Server{Store: ws.Store, Limits: api.Limits{MaxConcurrentReads: 1, RequestTimeout: 100 * time.Millisecond}, ReadSlice: time.Hour}
		ws.API = a
	})
	s.signinOwner(t)
	release, err := a.AdmitRead(httptest.NewRequestWithContext(t.Context(), "GET", "/", nil))
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, s.get(t, "/datasets"), http.StatusServiceUnavailable, "Request timed out")
	release()
	wantStatus(t, s.get(t, "/datasets"), http.StatusOK, "")
}

// TestStalledDownload: a download whose client stops reading ends at the
// request's deadline; its handler does not wait for the client.
func TestStalledDownload(t *testing.T) {
	s := newSiteWith(t, func(ws *web.Server) {
		ws.API = &api.Server{Store: ws.Store, Limits: api.Limits{RequestTimeout: time.Second}}
	})
	ctx := context.Background()
	p, d := s.ownerDataset(t, "download")
	// 24 MiB of items, far more than the sockets' buffers hold, as version 2.
	line := `{"input":"` + strings.Repeat("a", 1000) + `"}` + "\n"
	if _, err := s.store.ImportItems(ctx, p.Actor(), d.ID, importer.NewJSONL(strings.NewReader(strings.Repeat(line, 24<<10))), strata.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	session, _, err := s.store.CreateSession(ctx, s.owner, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /datasets/%s/versions/2/export?format=jsonl HTTP/1.1\r\nHost: x\r\nCookie: strata_session=%s\r\n\r\n", d.ID, session)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("download: %v %v", res, err)
	}
	time.Sleep(time.Second + rules.WriteGrace + time.Second) // past the deadline and its grace, reading nothing
	buf := make([]byte, 1<<20)
	if stacks := string(buf[:runtime.Stack(buf, true)]); strings.Contains(stacks, "web.(*Server).export") {
		t.Fatal("the download's handler still waits for the client past the request's deadline")
	}
}
