package sqlite

import "context"
import "database/sql"
import "database/sql/driver"
import "strconv"
import "sync"

// Large commits leave their checkpoint to the store.
//
// SQLite checkpoints inside a commit: the writer whose commit finds 1,000
// pages or more in the write-ahead log copies the log into the database and
// flushes both before its COMMIT returns (wal_autocheckpoint). For an
// ordinary write that is the log of the last few writes. For a large import
// it is the import again: 1.5 GB of log for a 1 GiB file, a commit of 5
// seconds (1 without the copy, then 0.9 to flush the log) in an import of
// 27, which its client waited for though the import was durable once the
// log was flushed (BENCHMARKS.md).
//
// So a write transaction that commits while the log file is longer than
// largeLog commits with the automatic checkpoint off, and leaves it to the
// store's checkpointer: a goroutine that checkpoints under the store's write
// lock once that writer has released it (checkpointLog). The writer is
// acknowledged when its commit is flushed (group commit); the writers after
// it wait for the checkpoint as they waited for that commit before. No write
// appends to the log while it is copied; with no reader left in it, the
// file is cut to nothing, else the next write starts the log again from its
// beginning and journal_size_limit trims the file, as after an automatic
// checkpoint. What a checkpoint copies was flushed before it
// (group commit; the checkpoint flushes the log first as well), so no
// acknowledged write depends on it, and a failed one leaves the log to the
// next checkpoint or to Close. Readers are never blocked.

// checkpointLog copies the log into the database and, when no reader is
// reading it any more, cuts the file to nothing: a TRUNCATE checkpoint that
// does not wait (busy_timeout 0), which with a reader still in the log
// copies what it can as a PASSIVE one does, the file then cut back to
// journalSizeLimit by the next write. So the disk a large import took for
// its log is given back when it is checkpointed, not at the next write.
func checkpointLog(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = 0`); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA busy_timeout = `+strconv.Itoa(busyTimeoutMS)); rerr != nil {
		// Not given back to the pool without its timeout.
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	return err
}

// busyTimeoutMS is how long a connection waits for a lock another process
// holds (the busy_timeout pragma), in milliseconds.
const busyTimeoutMS = 10000

// journalSizeLimit is the size the log file is cut back to when it starts
// again (the journal_size_limit pragma): 64 MiB.
const journalSizeLimit = 64 << 20

// largeLog is the length of the log file beyond which a commit leaves its
// checkpoint to the checkpointer: past journalSizeLimit, the log has been
// written that far since it last started again. A variable for tests.
var largeLog int64 = journalSizeLimit

// Test hooks, run before and after each checkpoint of a checkpointer.
var beforeCheckpoint, afterCheckpoint func()

// checkpointer runs the checkpoints that large commits leave to it.
type checkpointer struct {
	wal  string // the log file
	poke chan struct{}
	stop context.CancelFunc
	done sync.WaitGroup
}

func newCheckpointer(wal string) *checkpointer {
	return &checkpointer{wal: wal, poke: make(chan struct{}, 1), stop: func() {}}
}

// start runs the checkpoints asked for, from now on, with run: one PASSIVE
// checkpoint under the store's write lock.
func (c *checkpointer) start(run func(ctx context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	c.stop = cancel
	c.done.Go(func() { c.loop(ctx, run) })
}

// large reports whether the log is long enough for the next commit to leave
// its checkpoint to the checkpointer.
func (c *checkpointer) large() bool {
	n, err := walSize(c.wal)
	return err == nil && n > largeLog
}

// later asks for a checkpoint; it never blocks.
func (c *checkpointer) later() {
	select {
	case c.poke <- struct{}{}:
	default: // one is asked for already
	}
}

func (c *checkpointer) loop(ctx context.Context, run func(ctx context.Context) error) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.poke:
		}
		if beforeCheckpoint != nil {
			beforeCheckpoint()
		}
		run(ctx) // a failure loses nothing: see above
		if afterCheckpoint != nil {
			afterCheckpoint()
		}
	}
}

// close stops the checkpointer, interrupting a checkpoint in progress.
func (c *checkpointer) close() {
	c.stop()
	c.done.Wait()
}

// writeTx is a write transaction of a connection of the store.
type writeTx struct {
	driver.Tx
	c *cachingConn
}

// Commit commits, leaving the checkpoint of a large log to the checkpointer.
func (t *writeTx) Commit() error {
	ck := t.c.ckpt
	if !ck.large() || t.c.setAutoCheckpoint(0) != nil {
		return t.Tx.Commit()
	}
	err := t.Tx.Commit()
	if rerr := t.c.setAutoCheckpoint(walAutoCheckpoint); rerr != nil {
		t.c.broken = true // database/sql closes it rather than reuse it without checkpoints
	}
	ck.later()
	return err
}

// walAutoCheckpoint is SQLite's default wal_autocheckpoint, in pages.
const walAutoCheckpoint = 1000

func (c *cachingConn) setAutoCheckpoint(pages int) error {
	_, err := c.inner.ExecContext(context.Background(), "PRAGMA wal_autocheckpoint = "+strconv.Itoa(pages), nil)
	return err
}
