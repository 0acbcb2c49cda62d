package client

import "context"
import "fmt"
import "iter"
import "strings"

import "github.com/strata-eval/strata"

// The iterators below read a list a page at a time (PageOptions.Limit or
// DiffOptions.Limit a page; 0: 100), starting at the options' Cursor, each
// page with the options' Search and Filter, and yield its elements one by
// one:
//
//	for it, err := range c.Items(ctx, datasetID, client.PageOptions{}) {
//		if err != nil {
//			return err
//		}
//		...
//	}
//
// An error (of any page) is yielded once, with a zero element, and ends the
// sequence. Breaking out of the loop stops the reading: no further page is
// asked for.

// iterPageSize is a page of an iterator whose options leave Limit 0.
const iterPageSize = 100

// Items yields the working items of a dataset (ListItems, page after page).
func (c *Client) Items(ctx context.Context, datasetID string, o PageOptions) iter.Seq2[Item, error] {
	start := o.Cursor
	return pages(o.Limit, func(limit int, cursor *string) ([]Item, *string, error) {
		o.Limit, o.Cursor = limit, from(start, cursor)
		page, err := c.ListItems(ctx, datasetID, o)
		if err != nil {
			return nil, nil, err
		}
		return page.Items, page.NextCursor, nil
	})
}

// VersionItems yields the items of the version ref names (ListVersionItems,
// page after page), all of them of the version ref named at the start: a
// ref such as "latest" or a tag, which may move meanwhile, is first resolved
// to that version's id by a diff of the ref with itself (it names the
// version and reads no item), and every page asks for the id. A page cannot
// be trusted to say which version it read: one filtered by metadata may hold
// no item and still have a next page.
func (c *Client) VersionItems(ctx context.Context, datasetID, ref string, o PageOptions) iter.Seq2[VersionItem, error] {
	start, pinned := o.Cursor, ref
	return pages(o.Limit, func(limit int, cursor *string) ([]VersionItem, *string, error) {
		o.Limit, o.Cursor = limit, from(start, cursor)
		if cursor == nil {
			var err error
			if pinned, err = c.versionNamed(ctx, datasetID, ref); err != nil {
				return nil, nil, err
			}
		}
		page, err := c.ListVersionItems(ctx, datasetID, pinned, o)
		if err != nil {
			return nil, nil, err
		}
		return page.Items, page.NextCursor, nil
	})
}

// versionNamed returns the id of the version ref names now, or ref itself
// when it names the same version whenever it is read (an id, a number) or
// names none (which the read that follows reports).
func (c *Client) versionNamed(ctx context.Context, datasetID, ref string) (string, error) {
	if r, ok := strata.ParseRef(ref); !ok || (!r.Latest && r.Tag == "") {
		return ref, nil
	}
	d, err := c.Diff(ctx, datasetID, ref, ref, DiffOptions{Limit: 1})
	if err != nil {
		return "", err
	}
	return pin(ref, d.From), nil
}

// Changes yields the changes between two versions (Diff, page after page;
// the counts of the whole are Diff's). The pages after the first name the
// two versions by the ids the first answer gave them (every answer names
// both, an empty page's too), except "working", so that a ref that moves
// meanwhile does not mix two versions.
func (c *Client) Changes(ctx context.Context, datasetID, fromRef, toRef string, o DiffOptions) iter.Seq2[Change, error] {
	start, a, b := o.Cursor, fromRef, toRef
	return pages(o.Limit, func(limit int, cursor *string) ([]Change, *string, error) {
		o.Limit, o.Cursor = limit, from(start, cursor)
		if cursor == nil {
			a, b = fromRef, toRef
		}
		page, err := c.Diff(ctx, datasetID, a, b, o)
		if err != nil {
			return nil, nil, err
		}
		a, b = pin(a, page.From), pin(b, page.To)
		return page.Changes, page.NextCursor, nil
	})
}

// pages yields the elements of the pages read reads, limit a page (0:
// iterPageSize), first with a nil cursor (the options' own, and the refs
// as named: each range starts over) and then each page's next cursor, until
// a page has none. A page may be empty and have one: a page filtered by
// metadata reads a bounded number of rows, and may find no match in them.
func pages[T any](limit int, read func(limit int, cursor *string) ([]T, *string, error)) iter.Seq2[T, error] {
	if limit == 0 {
		limit = iterPageSize
	}
	return func(yield func(T, error) bool) {
		var zero T
		var cursor *string
		for {
			page, next, err := read(limit, cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, v := range page {
				if !yield(v, nil) {
					return
				}
			}
			if next == nil || *next == "" {
				return
			}
			if cursor != nil && *next == *cursor {
				// A cursor that does not move would read the same page
				// for ever.
				yield(zero, fmt.Errorf("strata client: the server answered the cursor %q it was sent: the list cannot go on", *next))
				return
			}
			cursor = next
		}
	}
}

// from is the cursor a page starts from: the next page's, or for the first
// page (nil) the options' own.
func from(start string, cursor *string) string {
	if cursor == nil {
		return start
	}
	return *cursor
}

// pin is ref, or the id of the version it named when it named a version.
func pin(ref string, v *Version) string {
	if v == nil || v.ID == "" || strings.EqualFold(ref, "working") {
		return ref
	}
	return v.ID
}
